import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BufferUtils,
  convolution,
  convolutionInPlace,
  convolve,
  getDefaultEngine,
} from "../mod.ts";
import { assertClose, randomSignal, referenceConvolve } from "./helpers/reference.ts";
import { overwriteStack } from "./helpers/stack_fill.ts";

describe("the seed-style API", () => {
  it("convolution returns the full convolution in a pooled Float32Array that releaseBuffer takes back", () => {
    const signal = randomSignal(Float32Array, 300, 1);
    const kernel = randomSignal(Float32Array, 20, 2);
    const result = convolution(signal, kernel);
    assert.ok(result instanceof Float32Array);
    assertClose(result, referenceConvolve(signal, kernel, "full"), 2e-5);
    BufferUtils.releaseBuffer(result);
    const before = BufferUtils.getStats().pool;
    const again = convolution(signal, kernel);
    assert.equal(again, result, "the released buffer is reused");
    BufferUtils.releaseBuffer(again);
    const after = BufferUtils.getStats().pool;
    assert.equal(after.hits - before.hits, 1);
    assert.equal(after.misses - before.misses, 0);
    assert.equal(after.releases - before.releases, 1);
  });

  it("convolution inside engine.scope() returns a pool buffer that outlives the scope", () => {
    const engine = getDefaultEngine();
    const signal = randomSignal(Float32Array, 40, 5);
    const kernel = randomSignal(Float32Array, 7, 6);
    let result!: Float32Array;
    engine.scope(() => {
      result = convolution(signal, kernel); // small enough for the stack: it must not go there
    });
    overwriteStack(engine);
    assert.deepEqual(result, convolve(signal, kernel));
    BufferUtils.releaseBuffer(result); // still the caller's to give back
  });

  it("convolutionInPlace writes into the given result and returns it", () => {
    const signal = randomSignal(Float32Array, 64, 3);
    const kernel = randomSignal(Float64Array, 9, 4);
    const result = new Float32Array(72);
    assert.equal(convolutionInPlace(signal, kernel, result), result);
    assert.deepEqual(result, convolve(signal, kernel));
  });

  it("rejects a result of the wrong length, a Float64 signal and a double release", () => {
    const signal = new Float32Array(8);
    const kernel = new Float32Array(3);
    assert.throws(() => convolutionInPlace(signal, kernel, new Float32Array(9)), {
      name: "RangeError",
      message: /exactly 10 elements.*Float32Array\(length 9\)/,
    });
    assert.throws(() => convolution(new Float64Array(4) as never, kernel), {
      name: "TypeError",
      message: /signal must be a Float32Array, received Float64Array\(length 4\)/,
    });
    const result = convolution(signal, kernel);
    BufferUtils.releaseBuffer(result);
    const misuseBefore = BufferUtils.getStats().misuse.doubleRelease;
    const poolBefore = BufferUtils.getStats().pool;
    assert.throws(
      () => BufferUtils.releaseBuffer(result),
      /buf must be a buffer that is not released yet/,
    );
    assert.equal(BufferUtils.getStats().misuse.doubleRelease, misuseBefore + 1);
    assert.equal(BufferUtils.getStats().pool.buffers, poolBefore.buffers);
    assert.equal(BufferUtils.getStats().pool.bytes, poolBefore.bytes);
  });

  it("preWarm makes the first request a hit and handleMemoryPressure frees the pooled bytes", () => {
    const length = 5000 + 7 - 1;
    assert.ok(BufferUtils.preWarm([length]) >= 0);
    const before = BufferUtils.getStats().pool.hits;
    const result = convolution(new Float32Array(5000), new Float32Array(7));
    assert.equal(BufferUtils.getStats().pool.hits, before + 1);
    BufferUtils.releaseBuffer(result);
    const pooled = BufferUtils.getStats().pool.bytes;
    const freed = BufferUtils.handleMemoryPressure();
    assert.ok(freed > 0 && freed <= pooled, `freed ${freed} of ${pooled}`);
    assert.equal(BufferUtils.getStats().pool.bytes, pooled - freed);
    assert.ok(BufferUtils.getStats().pressure.events >= 1);
  });

  it("uses the default engine", () => {
    assert.equal(
      BufferUtils.getStats().stack.capacityBytes,
      getDefaultEngine().getStats().stack.capacityBytes,
    );
  });
});
