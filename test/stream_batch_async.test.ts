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
        i++;
      }
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    engine.close();
  });

  it("stays lazy: it pulls only as many pairs as the batches consumed so far need", async () => {
    const pulled = { count: 0 };
    const stream = BatchOperations.convolutionStream(slowPairs(1_000_000, pulled), 4);
    let batches = 0;
    for await (const batch of stream) {
      assert.equal(batch.length, 4);
      if (++batches === 3) break;
    }
    assert.equal(pulled.count, 12);
  });

  it("recycles results so that pooled memory stays bounded by one batch", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const pulled = { count: 0 };
    let peak = 0;
    for await (const _ of BatchOperations.convolutionStream(slowPairs(40, pulled), 5, { engine })) {
      const inUse = engine.counters.inUseBuffers.reduce((a, b) => a + b, 0);
      peak = Math.max(peak, inUse);
    }
    assert.ok(peak <= 5, `peak in-use buffers ${peak}`);
    assert.equal(engine.counters.inUseBuffers.reduce((a, b) => a + b, 0), 0, "all returned");
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
    for await (const batch of BatchOperations.convolutionStream(readable, 1, { recycle: false })) {
      fromStream.push(batch[0].length);
    }
    assert.deepEqual(fromStream, [10, 9]);
    const fromArray: number[] = [];
    for await (
      const batch of BatchOperations.convolutionStreamAsync(pairs, 2, { recycle: false })
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
      for await (const _ of BatchOperations.convolutionStream(bad(), 1)) { /* drain */ }
    }, { name: "TypeError", message: /pairs\[1\]\[0\] \(the signal\) must be a Float32Array/ });
    await assert.rejects(async () => {
      for await (const _ of BatchOperations.convolutionStreamAsync(42 as never, 1)) { /* drain */ }
    }, {
      name: "TypeError",
      message: /pairs must be iterable or async iterable, received number 42/,
    });
  });
});
