import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchOperations, type ConvolutionPair, convolve, createEngine } from "../mod.ts";
import { randomSignal } from "./helpers/reference.ts";

function pairsOf(count: number, seed: number): ConvolutionPair[] {
  const kernel = randomSignal(Float32Array, 9, seed);
  return Array.from(
    { length: count },
    (_, i) => [randomSignal(Float32Array, 50 + i * 13, seed + i + 1), kernel],
  );
}

describe("BatchOperations.convolutionBatch", () => {
  it("gives the full convolution of every pair, in order, with every option combination", () => {
    const pairs = pairsOf(6, 1);
    const expected = pairs.map(([x, h]) => convolve(x, h));
    for (const reuseBuffers of [true, false]) {
      for (const preAllocateResults of [true, false]) {
        for (const useSharedWorkspace of [true, false]) {
          const engine = createEngine({ maintenanceIntervalMs: 0 });
          const results = BatchOperations.convolutionBatch(pairs, {
            reuseBuffers,
            preAllocateResults,
            useSharedWorkspace,
            engine,
          });
          assert.deepEqual(results, expected);
          const stats = engine.getStats();
          assert.equal(stats.pool.misses + stats.pool.hits, reuseBuffers ? pairs.length : 0);
          if (reuseBuffers) { for (const r of results) engine.release(r); }
          assert.equal(engine.counters.operations.reduce((a, b) => a + b, 0), pairs.length);
          engine.close();
        }
      }
    }
  });

  it("reuses pooled results on the second batch when the first was released", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const pairs = pairsOf(4, 2);
    for (const r of BatchOperations.convolutionBatch(pairs, { engine })) engine.release(r);
    const hitsBefore = engine.getStats().pool.hits;
    const results = BatchOperations.convolutionBatch(pairs, { engine });
    assert.equal(engine.getStats().pool.hits - hitsBefore, pairs.length);
    for (const r of results) engine.release(r);
    engine.close();
  });

  it("checks every pair before taking any buffer", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const pairs = [...pairsOf(3, 3), [
      new Float32Array(0),
      new Float32Array(3),
    ]] as ConvolutionPair[];
    assert.throws(() => BatchOperations.convolutionBatch(pairs, { engine }), {
      name: "RangeError",
      message: /pairs\[3\]\[0\] \(the signal\) must not be empty/,
    });
    assert.throws(() => BatchOperations.convolutionBatch([[1, 2]] as never, { engine }), {
      name: "TypeError",
      message: /pairs\[0\]\[0\] \(the signal\) must be a Float32Array, received number 1/,
    });
    assert.throws(
      () => BatchOperations.convolutionBatch("x" as never),
      /pairs must be an array, received "x"/,
    );
    assert.equal(engine.getStats().pool.misses + engine.getStats().pool.hits, 0);
    assert.equal(engine.getStats().pool.buffers, 0);
    engine.close();
  });
});

describe("BatchOperations.convolutionStream", () => {
  it("yields the results lazily in batches of batchSize, the last one shorter", () => {
    const pairs = pairsOf(7, 4);
    let pulled = 0;
    function* source(): Generator<ConvolutionPair> {
      for (const pair of pairs) {
        pulled++;
        yield pair;
      }
    }
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const stream = BatchOperations.convolutionStream(source(), 3, { engine });
    assert.equal(pulled, 0, "nothing is read before the first next()");
    const sizes: number[] = [];
    let index = 0;
    for (const batch of stream) {
      assert.ok(pulled <= index + 3);
      sizes.push(batch.length);
      for (const result of batch) {
        assert.deepEqual(result, convolve(pairs[index][0], pairs[index++][1]));
      }
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    const stats = engine.getStats();
    assert.equal(stats.pool.releases, 7, "every recycled result went back");
    engine.close();
  });

  it("keeps memory bounded by one batch over a long input", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const kernel = new Float32Array(15).fill(1 / 15);
    function* endless(): Generator<ConvolutionPair> {
      for (let i = 0; i < 20_000; i++) yield [new Float32Array(256), kernel];
    }
    let peakBuffers = 0;
    for (const _batch of BatchOperations.convolutionStream(endless(), 8, { engine })) {
      peakBuffers = Math.max(peakBuffers, engine.getStats().pool.buffers);
    }
    assert.ok(peakBuffers <= 16, `pool held ${peakBuffers} buffers`);
    assert.ok(engine.getStats().pool.hitRate > 0.99);
    engine.close();
  });

  it("gives the buffers back when the consumer stops early", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    for (const _batch of BatchOperations.convolutionStream(pairsOf(10, 5), 2, { engine })) break;
    const stats = engine.getStats();
    assert.equal(stats.pool.releases, 2);
    assert.equal(stats.pool.misses + stats.pool.hits, 2);
    engine.close();
  });

  it("rejects a bad batchSize or a non-iterable input on the first next()", () => {
    assert.throws(() => BatchOperations.convolutionStream(pairsOf(1, 6), 0).next(), {
      name: "RangeError",
      message: /batchSize must be a positive integer, received number 0/,
    });
    assert.throws(() => BatchOperations.convolutionStream(42 as never, 1).next(), {
      name: "TypeError",
      message: /pairs must be iterable, received number 42/,
    });
  });
});
