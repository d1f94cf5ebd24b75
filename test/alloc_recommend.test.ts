import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MIN_STACK_BYTES,
  recommendClassBuffers,
  recommendPoolBuffers,
  recommendStackBytes,
} from "../src/alloc/recommend.ts";
import * as telemetryTuning from "../src/telemetry/tuning.ts";

describe("recommendPoolBuffers", () => {
  it("applies recommendClassBuffers per class and sums the bytes", () => {
    const peaks = new Float64Array(32);
    peaks[10] = 8; // 1 KiB class
    peaks[12] = 3; // 4 KiB class
    const hint = recommendPoolBuffers(peaks);
    assert.equal(hint.perClass[10], 10);
    assert.equal(hint.perClass[12], 4);
    assert.equal(hint.maxBuffersPerClass, 10);
    assert.equal(hint.bytes, 10 * 1024 + 4 * 4096);
    assert.equal(hint.perClass.filter((h) => h > 0).length, 2);
  });

  it("doubles the classes that reached the bound while the pool was exhausted", () => {
    const peaks = new Float64Array(32);
    peaks[10] = 4;
    peaks[11] = 2;
    const hint = recommendPoolBuffers(peaks, { bound: 4, poolExhausted: true });
    assert.equal(hint.perClass[10], 10); // 2 x 4 x 1.25
    assert.equal(hint.perClass[11], recommendClassBuffers(2));
  });

  it("recommends nothing without demand", () => {
    const hint = recommendPoolBuffers(new Float64Array(32));
    assert.deepEqual([hint.maxBuffersPerClass, hint.bytes], [0, 0]);
  });
});

describe("the telemetry tuning module", () => {
  it("re-exports the arithmetic that alloc owns", () => {
    assert.equal(telemetryTuning.recommendStackBytes, recommendStackBytes);
    assert.equal(telemetryTuning.recommendClassBuffers, recommendClassBuffers);
    assert.equal(telemetryTuning.MIN_STACK_BYTES, MIN_STACK_BYTES);
  });
});
