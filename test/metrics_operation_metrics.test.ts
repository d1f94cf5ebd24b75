import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DURATION_BOUNDS_SECONDS,
  DURATION_BUCKET_COUNT,
  METHOD_INDEX,
  OPERATION_INDEX,
  OPERATION_PAIR_COUNT,
  OperationMetrics,
  OPERATIONS,
  pairIndex,
} from "../src/metrics/operation_metrics.ts";
import { KERNEL_METHODS } from "../src/types.ts";

describe("OperationMetrics", () => {
  it("sizes every array from the OPERATIONS and KERNEL_METHODS tuples", () => {
    const metrics = new OperationMetrics();
    assert.equal(OPERATION_PAIR_COUNT, OPERATIONS.length * KERNEL_METHODS.length);
    assert.equal(metrics.operations.length, OPERATION_PAIR_COUNT);
    assert.equal(metrics.durationSum.length, OPERATION_PAIR_COUNT);
    assert.equal(metrics.durationCount.length, OPERATION_PAIR_COUNT);
    assert.equal(DURATION_BUCKET_COUNT, DURATION_BOUNDS_SECONDS.length + 1);
    assert.equal(metrics.durationBuckets.length, OPERATION_PAIR_COUNT * DURATION_BUCKET_COUNT);
    assert.equal(metrics.timing, true);
  });

  it("gives every (operation, method) pair its own slot, in tuple order", () => {
    const seen = new Set<number>();
    for (const operation of OPERATIONS) {
      for (const method of KERNEL_METHODS) {
        const pair = pairIndex(OPERATION_INDEX[operation], METHOD_INDEX[method]);
        assert.ok(pair >= 0 && pair < OPERATION_PAIR_COUNT);
        seen.add(pair);
      }
    }
    assert.equal(seen.size, OPERATION_PAIR_COUNT);
    assert.equal(pairIndex(OPERATION_INDEX.convolve, METHOD_INDEX.direct), 0);
    assert.equal(
      pairIndex(OPERATION_INDEX.stream, METHOD_INDEX.overlap_add),
      OPERATION_PAIR_COUNT - 1,
    );
  });

  it("has increasing, frozen duration bounds", () => {
    assert.ok(Object.isFrozen(DURATION_BOUNDS_SECONDS));
    for (let i = 1; i < DURATION_BOUNDS_SECONDS.length; i++) {
      assert.ok(DURATION_BOUNDS_SECONDS[i] > DURATION_BOUNDS_SECONDS[i - 1]);
    }
  });
});
