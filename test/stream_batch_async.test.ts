import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchOperations, type ConvolutionPair, convolve, createEngine } from "../mod.ts";
import { randomSignal } from "./helpers/reference.ts";

const kernel = randomSignal(Float32Array, 9, 1);

async function* slowPairs(
  count: number,
  pulled: { count: number },
): AsyncGenerator<ConvolutionPair> {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    pulled.count++;
    yield [randomSignal(Float32Array, 40 + i, i + 2), kernel];
  }
}

describe("BatchOperations.convolutionStream over async iterables", () => {
  it("yields batches of results in order from an async generator", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const pulled = { count: 0 };
    const sizes: number[] = [];
    let i = 0;
    for await (
      const batch of BatchOperations.convolutionStream(slowPairs(7, pulled), 3, { engine })
    ) {
      sizes.push(batch.length);
      for (const result of batch) {
        const expected = convolve(randomSignal(Float32Array, 40 + i, i + 2), kernel);
        assert.deepEqual(result, expected);
        engine.release(result); // the caller's: given back when done
        i++;
      }
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    engine.close();
  });

  it("stays lazy: it pulls only as many pairs as the batches consumed so far need", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const pulled = { count: 0 };
    const stream = BatchOperations.convolutionStream(slowPairs(1_000_000, pulled), 4, { engine });
    let batches = 0;
    for await (const batch of stream) {
      assert.equal(batch.length, 4);
      batch.forEach((result) => engine.release(result));
      if (++batches === 3) break;
    }
    assert.equal(pulled.count, 12);
    engine.close();
  });

  it("runs the original design's loop, for await, with pooled memory bounded by one batch", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const asyncPairs = slowPairs(40, { count: 0 });
    let peak = 0;
    for await (const batch of BatchOperations.convolutionStream(asyncPairs, 5, { engine })) {
      peak = Math.max(peak, engine.poolLevels().inUseBuffers.reduce((a, b) => a + b, 0));
      batch.forEach((result) => engine.release(result));
    }
    assert.equal(peak, 5, "one batch, the caller's, at a time");
    assert.equal(engine.getStats().misuse.doubleRelease, 0);
    assert.equal(engine.poolLevels().inUseBuffers.reduce((a, b) => a + b, 0), 0, "all returned");
    engine.close();
  });

  it("with recycle: true gives each batch back itself, holding at most two batches", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0, debug: true });
    let peak = 0;
    let previous: Float32Array[] = [];
    for await (
      const batch of BatchOperations.convolutionStreamAsync(slowPairs(40, { count: 0 }), 5, {
        engine,
        recycle: true,
      })
    ) {
      peak = Math.max(peak, engine.poolLevels().inUseBuffers.reduce((a, b) => a + b, 0));
      for (const stale of previous) assert.ok(stale.every(Number.isNaN), "debug poisons it");
      previous = batch.slice();
    }
    assert.ok(peak <= 10, `peak in-use buffers ${peak}`);
    assert.equal(engine.poolLevels().inUseBuffers.reduce((a, b) => a + b, 0), 0, "all returned");
    assert.ok(previous.every((result) => result.every(Number.isNaN)), "the last batch too");
    engine.close();
  });

  it("accepts a ReadableStream of pairs and, through convolutionStreamAsync, a sync iterable", async () => {
    const pairs: ConvolutionPair[] = [[new Float32Array([1, 2]), kernel], [
      new Float32Array([3]),
      kernel,
    ]];
    const fromStream: number[] = [];
    const readable = new ReadableStream<ConvolutionPair>({
      start(controller) {
        for (const pair of pairs) controller.enqueue(pair);
        controller.close();
      },
    });
    for await (
      const batch of BatchOperations.convolutionStream(readable, 1, { reuseBuffers: false })
    ) {
      fromStream.push(batch[0].length);
    }
    assert.deepEqual(fromStream, [10, 9]);
    const fromArray: number[] = [];
    for await (
      const batch of BatchOperations.convolutionStreamAsync(pairs, 2, { reuseBuffers: false })
    ) {
      fromArray.push(batch.length);
    }
    assert.deepEqual(fromArray, [2]);
  });

  it("rejects a malformed pair, naming its index, and a source that is not iterable", async () => {
    async function* bad(): AsyncGenerator<ConvolutionPair> {
      yield [new Float32Array(3), kernel];
      yield [new Float64Array(3), kernel] as never;
    }
    await assert.rejects(async () => {
      const options = { reuseBuffers: false };
      for await (const _ of BatchOperations.convolutionStream(bad(), 1, options)) { /* drain */ }
    }, { name: "TypeError", message: /pairs\[1\]\[0\] \(the signal\) must be a Float32Array/ });
    await assert.rejects(async () => {
      for await (const _ of BatchOperations.convolutionStreamAsync(42 as never, 1)) { /* drain */ }
    }, {
      name: "TypeError",
      message:
        /^convolutionStreamAsync: pairs must be iterable or async iterable, received number 42$/,
    });
  });

  it("names the function called in every error, batchSize included", async () => {
    async function* none(): AsyncGenerator<ConvolutionPair> {}
    await assert.rejects(BatchOperations.convolutionStreamAsync(none(), 0).next(), {
      name: "RangeError",
      message: "convolutionStreamAsync: batchSize must be a positive integer, received number 0",
    });
    await assert.rejects(BatchOperations.convolutionStream(none(), 1.5).next(), {
      name: "RangeError",
      message: "convolutionStream: batchSize must be a positive integer, received number 1.5",
    });
    await assert.rejects(
      BatchOperations.convolutionStream(
        (async function* () {
          yield [new Float32Array(0), kernel] as ConvolutionPair;
        })(),
        1,
      ).next(),
      { name: "RangeError", message: /^convolutionStream: pairs\[0\]\[0\] \(the signal\)/ },
    );
  });
});
