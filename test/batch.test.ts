import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BatchOperations,
  BufferUtils,
  type ConvolutionPair,
  convolve,
  createEngine,
} from "../mod.ts";
import { assertConvolutionPair } from "../src/batch.ts";
import { randomSignal } from "./helpers/reference.ts";
import { overwriteStack } from "./helpers/stack_fill.ts";

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
          assert.equal(engine.metrics.operations.reduce((a, b) => a + b, 0), pairs.length);
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
      message: /pairs\[3\]\[0\] \(the signal\) must be non-empty/,
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
        engine.release(result);
      }
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    const stats = engine.getStats();
    assert.equal(stats.pool.releases, 7, "the caller gave every result back, once");
    assert.equal(stats.misuse.doubleRelease, 0);
    engine.close();
  });

  it("runs the original design's loop verbatim, with memory bounded by one batch", () => {
    // The default engine, as in the original design; its counters are compared before and after.
    const kernel = new Float32Array(15).fill(1 / 15);
    const largePairs: ConvolutionPair[] = Array.from(
      { length: 1000 },
      (_, i) => [randomSignal(Float32Array, 90, i + 1), kernel],
    );
    const growth = (pairs: ConvolutionPair[]): { buffers: number; bytes: number; heap: number } => {
      const before = BufferUtils.getStats();
      for (const batch of BatchOperations.convolutionStream(pairs, 50)) {
        batch.forEach((result) => BufferUtils.releaseBuffer(result));
      }
      const after = BufferUtils.getStats();
      assert.equal(after.misuse.doubleRelease, before.misuse.doubleRelease);
      return {
        buffers: after.pool.buffers - before.pool.buffers,
        bytes: after.pool.bytes - before.pool.bytes,
        heap: after.heap.allocations - before.heap.allocations,
      };
    };
    const first = growth(largePairs.slice(0, 100)); // 2 batches: fills the pool for one batch
    assert.ok(first.buffers <= 50, `pool grew by ${first.buffers} buffers`);
    const long = growth(largePairs); // 20 more batches: reuses what the caller gave back
    assert.equal(long.buffers, 0);
    assert.equal(long.bytes, 0);
    // Results beyond the pool's per-class bound come from the heap, the same number
    // per batch (and are garbage once released), however many batches run.
    assert.equal(long.heap / 20, first.heap / 2);
  });

  it("never changes a result it yielded: every result stays the caller's", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const pairs = pairsOf(9, 8);
    for (const reuseBuffers of [true, false]) {
      const kept: Float32Array[] = [];
      for (const batch of BatchOperations.convolutionStream(pairs, 2, { engine, reuseBuffers })) {
        kept.push(...batch);
      }
      assert.deepEqual(kept, pairs.map(([x, h]) => convolve(x, h)), `reuseBuffers ${reuseBuffers}`);
      if (reuseBuffers) {
        assert.equal(engine.getStats().pool.releases, 0, "the generator released nothing");
        for (const result of kept) engine.release(result);
      } else {
        assert.throws(() => engine.release(kept[0]), /buf must be a buffer this engine handed out/);
      }
    }
    engine.close();
  });

  it("leaves a stopped stream's yielded results to the caller and takes back only its own", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    let kept: Float32Array[] = [];
    for (const batch of BatchOperations.convolutionStream(pairsOf(10, 5), 2, { engine })) {
      kept = batch;
      break;
    }
    assert.equal(engine.getStats().pool.releases, 0);
    kept.forEach((result) => engine.release(result));
    // A malformed pair mid-batch: the result computed for the batch never yielded goes back.
    const pairs = [...pairsOf(3, 9), [
      new Float32Array(0),
      new Float32Array(3),
    ]] as ConvolutionPair[];
    const stream = BatchOperations.convolutionStream(pairs, 2, { engine });
    const yielded = stream.next().value as Float32Array[];
    assert.throws(() => stream.next(), /pairs\[3\]\[0\] \(the signal\) must be non-empty/);
    const inUse = engine.poolLevels().inUseBuffers.reduce((a, b) => a + b, 0);
    assert.equal(inUse, yielded.length, "only the caller's results are still out");
    yielded.forEach((result) => engine.release(result));
    assert.deepEqual(
      BatchOperations.convolutionBatch(pairsOf(2, 9), { engine, reuseBuffers: false }),
      pairsOf(2, 9).map(([x, h]) => convolve(x, h)),
      "a normal call right after is exact",
    );
    engine.close();
  });

  it("with recycle: true gives each batch back when the next one is computed", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const kernel = new Float32Array(15).fill(1 / 15);
    function* endless(): Generator<ConvolutionPair> {
      for (let i = 0; i < 20_000; i++) yield [new Float32Array(256), kernel];
    }
    let peakBuffers = 0;
    for (
      const _batch of BatchOperations.convolutionStream(endless(), 8, { engine, recycle: true })
    ) {
      peakBuffers = Math.max(peakBuffers, engine.getStats().pool.buffers);
    }
    assert.ok(peakBuffers <= 16, `pool held ${peakBuffers} buffers (two batches at most)`);
    assert.ok(engine.getStats().pool.hitRate > 0.99);
    assert.equal(engine.poolLevels().inUseBuffers.reduce((a, b) => a + b, 0), 0, "all given back");
    assert.equal(engine.getStats().heap.allocations, 0);
    engine.close();
  });

  it("with recycle: true and the engine's debug, a stale read shows NaN", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0, debug: true });
    const pairs = pairsOf(6, 10);
    let previous: Float32Array[] = [];
    const kept: Float32Array[] = [];
    let batches = 0;
    for (const batch of BatchOperations.convolutionStream(pairs, 2, { engine, recycle: true })) {
      for (const stale of previous) assert.ok(stale.every(Number.isNaN), "the previous batch");
      assert.ok(batch.every((result) => result.every(Number.isFinite)), "the current batch");
      previous = batch.slice();
      kept.push(...batch);
      batches++;
    }
    assert.equal(batches, 3);
    assert.ok(kept.every((result) => result.every(Number.isNaN)), "every result after the loop");
    engine.close();
  });

  it("with recycle: true reports a result the caller released too, leaving the pool whole", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const stream = BatchOperations.convolutionStream(pairsOf(6, 11), 2, { engine, recycle: true });
    const first = stream.next().value as Float32Array[];
    engine.release(first[0]); // a mistake: recycled results are the generator's to give back
    assert.throws(() => stream.next(), /buf must be a buffer that is not released yet/);
    assert.equal(engine.getStats().misuse.doubleRelease, 1);
    assert.equal(
      engine.poolLevels().inUseBuffers.reduce((a, b) => a + b, 0),
      0,
      "all the rest back",
    );
    engine.close();
  });

  it("takes results from the pool, not the stack arena, inside engine.scope()", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const pairs = pairsOf(2, 12);
    let batch!: Float32Array[];
    let streamed!: Float32Array[];
    engine.scope(() => {
      batch = BatchOperations.convolutionBatch(pairs, { engine });
      for (const results of BatchOperations.convolutionStream(pairs, 2, { engine })) {
        streamed = results;
      }
    });
    overwriteStack(engine);
    const expected = pairs.map(([x, h]) => convolve(x, h));
    assert.deepEqual(batch, expected);
    assert.deepEqual(streamed, expected);
    for (const result of [...batch, ...streamed]) engine.release(result);
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

describe("assertConvolutionPair", () => {
  it("passes a [Float32Array, Float32Array | Float64Array] pair and quotes what is wrong", () => {
    const x = new Float32Array([1, 2, 3]);
    assertConvolutionPair([x, new Float64Array(2)], 0, "caller");
    const cases: [unknown, RegExp, typeof TypeError | typeof RangeError][] = [
      [
        x,
        /^caller: pairs\[4\] must be a \[signal, kernel\] array, received Float32Array\(length 3\)/,
        TypeError,
      ],
      [
        [new Float64Array(3), x],
        /^caller: pairs\[4\]\[0\] \(the signal\) must be a Float32Array, received Float64Array\(length 3\)/,
        TypeError,
      ],
      [[x, new Int16Array(3)], /^caller: pairs\[4\]\[1\] \(the kernel\) /, TypeError],
      [[new Float32Array(0), x], /^caller: pairs\[4\]\[0\] \(the signal\) /, RangeError],
    ];
    for (const [pair, message, type] of cases) {
      assert.throws(() => assertConvolutionPair(pair, 4, "caller"), (error: Error) => {
        assert.ok(error instanceof type, `${error.name}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });
    }
  });
});
