import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AllocationCounters, createEngine, OperationMetrics } from "../mod.ts";
import { addCounterDelta, counterDelta, snapshotCounters } from "../src/parallel/protocol.ts";

function sink() {
  return { counters: new AllocationCounters(), metrics: new OperationMetrics() };
}

describe("worker counter deltas", () => {
  it("carry what a worker's counts gained into another engine's counts", () => {
    const worker = sink();
    worker.metrics.operations[3] = 5;
    const before = snapshotCounters(worker);
    worker.metrics.operations[3] += 2;
    worker.counters.poolHits[7] += 4;
    worker.metrics.durationSum[1] += 0.5;
    worker.counters.stackOverflows += 1;
    const main = sink();
    main.metrics.operations[3] = 10;
    addCounterDelta(main, counterDelta(worker, before));
    assert.equal(main.metrics.operations[3], 12);
    assert.equal(main.counters.poolHits[7], 4);
    assert.equal(main.metrics.durationSum[1], 0.5);
    assert.equal(main.counters.stackOverflows, 1);
  });

  it("leave the pool's levels (idle and in-use buffers) out: they are not counts", () => {
    const worker = createEngine({ maintenanceIntervalMs: 0 });
    const before = snapshotCounters(worker);
    const held = worker.acquireFloat32(1000);
    worker.release(worker.acquireFloat32(100));
    const main = createEngine({ maintenanceIntervalMs: 0 });
    addCounterDelta(main, counterDelta(worker, before));
    assert.equal(main.getStats().pool.hits + main.getStats().pool.misses, 2);
    const levels = main.poolLevels();
    assert.equal(levels.inUseBuffers.reduce((a, b) => a + b, 0), 0);
    assert.equal(levels.idleBuffers.reduce((a, b) => a + b, 0), 0);
    worker.release(held);
  });

  it("leave the timing flag of the metrics alone", () => {
    const worker = sink();
    const main = sink();
    main.metrics.timing = false;
    addCounterDelta(main, counterDelta(worker, snapshotCounters(worker)));
    assert.equal(main.metrics.timing, false);
  });

  it("reject a delta of the wrong length with a RangeError quoting it, adding nothing", () => {
    const main = sink();
    assert.throws(() => addCounterDelta(main, new Float64Array(3).fill(1)), {
      name: "RangeError",
      message:
        /^addCounterDelta: delta must be a Float64Array of \d+ counts, received Float64Array\(length 3\)$/,
    });
    assert.equal(snapshotCounters(main).reduce((a, b) => a + b, 0), 0);
  });
});
