import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AllocationCounters } from "../mod.ts";
import { addCounterDelta, counterDelta, snapshotCounters } from "../src/parallel/protocol.ts";

describe("worker counter deltas", () => {
  it("carry what a worker's counters gained into another engine's counters", () => {
    const worker = new AllocationCounters();
    worker.operations[3] = 5;
    const before = snapshotCounters(worker);
    worker.operations[3] += 2;
    worker.poolHits[7] += 4;
    worker.durationSum[1] += 0.5;
    worker.stackOverflows += 1;
    const main = new AllocationCounters();
    main.operations[3] = 10;
    addCounterDelta(main, counterDelta(worker, before));
    assert.equal(main.operations[3], 12);
    assert.equal(main.poolHits[7], 4);
    assert.equal(main.durationSum[1], 0.5);
    assert.equal(main.stackOverflows, 1);
  });

  it("leave the pool's levels (idle and in-use buffers) out", () => {
    const worker = new AllocationCounters();
    const before = snapshotCounters(worker);
    worker.idleBuffers[5] = 3;
    worker.inUseBuffers[5] = 2;
    const main = new AllocationCounters();
    addCounterDelta(main, counterDelta(worker, before));
    assert.equal(main.idleBuffers[5], 0);
    assert.equal(main.inUseBuffers[5], 0);
  });

  it("reject a delta of the wrong length with a RangeError quoting it", () => {
    assert.throws(() => addCounterDelta(new AllocationCounters(), new Float64Array(3)), {
      name: "RangeError",
      message: /received 3/,
    });
  });
});
