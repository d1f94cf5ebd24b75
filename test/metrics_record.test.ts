import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DURATION_BOUNDS_SECONDS,
  METHOD_INDEX,
  OPERATION_INDEX,
  OperationMetrics,
  pairIndex,
} from "../src/metrics/operation_metrics.ts";
import {
  ALWAYS_TIME_WORK,
  operationSampleWeight,
  recordOperation,
  recordTimedOperation,
  resetOperationSampling,
  SAMPLE_INTERVAL,
  startOperationTimer,
} from "../src/metrics/record.ts";
import { measureHeapGrowth } from "./helpers/heap_probe.ts";

const BUCKETS = DURATION_BOUNDS_SECONDS.length + 1;

describe("recordOperation", () => {
  it("counts every operation exactly, timed or not", () => {
    const metrics = new OperationMetrics();
    for (let i = 0; i < 1000; i++) {
      recordOperation(metrics, OPERATION_INDEX.correlate, METHOD_INDEX.fft, -1);
    }
    assert.equal(metrics.operations[pairIndex(OPERATION_INDEX.correlate, METHOD_INDEX.fft)], 1000);
    assert.equal(metrics.durationCount[pairIndex(OPERATION_INDEX.correlate, METHOD_INDEX.fft)], 0);
  });

  it("puts a duration in the first bucket whose upper bound holds it (bounds are inclusive)", () => {
    const metrics = new OperationMetrics();
    const pair = pairIndex(OPERATION_INDEX.convolve, METHOD_INDEX.direct);
    recordOperation(metrics, 0, 0, 5e-8); // below 100 ns
    recordOperation(metrics, 0, 0, 1e-7); // exactly 100 ns
    recordOperation(metrics, 0, 0, 3e-6); // between 2 us and 5 us
    recordOperation(metrics, 0, 0, 2); // beyond 1 s
    const buckets = Array.from(
      metrics.durationBuckets.subarray(pair * BUCKETS, (pair + 1) * BUCKETS),
    );
    assert.equal(buckets[0], 2);
    assert.equal(buckets[DURATION_BOUNDS_SECONDS.indexOf(5e-6)], 1);
    assert.equal(buckets[BUCKETS - 1], 1);
    assert.equal(metrics.durationCount[pair], 4);
    assert.ok(Math.abs(metrics.durationSum[pair] - (5e-8 + 1e-7 + 3e-6 + 2)) < 1e-12);
  });

  it("weights a sampled duration so that the histogram estimates all operations", () => {
    const metrics = new OperationMetrics();
    const pair = pairIndex(OPERATION_INDEX.stream, METHOD_INDEX.overlap_add);
    recordOperation(metrics, OPERATION_INDEX.stream, METHOD_INDEX.overlap_add, 1e-6, 64);
    assert.equal(metrics.durationCount[pair], 64);
    assert.equal(metrics.durationSum[pair], 64e-6);
    assert.equal(metrics.operations[pair], 1);
  });

  it("does not allocate on the hot path", async () => {
    // Per-call allocation, measured by the shared probe (a heap reading after a forced
    // GC would see only what is retained, not the garbage a call leaves).
    const metrics = new OperationMetrics();
    const result = await measureHeapGrowth(() => {
      const weight = operationSampleWeight(4096);
      recordOperation(metrics, 0, 0, weight > 0 ? 3e-7 : -1, weight);
    }, { calls: 200_000 });
    // A real allocation is at least 16 bytes per call; the probe's noise stays under 2.
    assert.ok(result.bytesPerCall < 4, `${result.bytesPerCall} B/call via ${result.reader}`);
  });
});

describe("operationSampleWeight", () => {
  it("times 1 in SAMPLE_INTERVAL small operations with weight SAMPLE_INTERVAL", () => {
    resetOperationSampling();
    const weights = Array.from(
      { length: SAMPLE_INTERVAL * 4 },
      () => operationSampleWeight(256 * 16),
    );
    const sampled = weights.filter((w) => w > 0);
    assert.equal(sampled.length, 4);
    assert.ok(sampled.every((w) => w === SAMPLE_INTERVAL));
    assert.equal(weights[SAMPLE_INTERVAL - 1], SAMPLE_INTERVAL);
  });

  it("always times large operations with weight 1", () => {
    for (let i = 0; i < 100; i++) assert.equal(operationSampleWeight(ALWAYS_TIME_WORK), 1);
  });

  it("gives a histogram count close to the exact count for 1000 small operations", () => {
    resetOperationSampling();
    const metrics = new OperationMetrics();
    for (let i = 0; i < 1000; i++) {
      const weight = operationSampleWeight(4096);
      const start = weight > 0 ? performance.now() : 0;
      recordOperation(metrics, 0, 0, weight > 0 ? (performance.now() - start) / 1000 : -1, weight);
    }
    assert.equal(metrics.operations[0], 1000);
    assert.equal(metrics.durationCount[0], Math.floor(1000 / SAMPLE_INTERVAL) * SAMPLE_INTERVAL);
  });
});

describe("startOperationTimer and recordTimedOperation", () => {
  it("count the operation and add the elapsed time with its weight", () => {
    const metrics = new OperationMetrics();
    const pair = pairIndex(OPERATION_INDEX.batch, METHOD_INDEX.fft);
    startOperationTimer();
    recordTimedOperation(metrics, OPERATION_INDEX.batch, METHOD_INDEX.fft, SAMPLE_INTERVAL);
    assert.equal(metrics.operations[pair], 1);
    assert.equal(metrics.durationCount[pair], SAMPLE_INTERVAL);
    assert.ok(metrics.durationSum[pair] >= 0);
    let buckets = 0;
    for (let b = 0; b < BUCKETS; b++) buckets += metrics.durationBuckets[pair * BUCKETS + b];
    assert.equal(buckets, SAMPLE_INTERVAL);
  });
});
