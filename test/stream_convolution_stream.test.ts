import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConvolutionStream, createEngine, OperationMetrics } from "../mod.ts";
import { assertClose, randomSignal, referenceFull } from "./helpers/reference.ts";

function sourceOf(chunks: Float32Array[]): ReadableStream<Float32Array> {
  let index = 0;
  return new ReadableStream<Float32Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(chunks[index++]);
      else controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Float32Array>): Promise<Float32Array[]> {
  const chunks: Float32Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

function concat(chunks: Float32Array[]): number[] {
  return chunks.flatMap((chunk) => [...chunk]);
}

describe("ConvolutionStream", () => {
  it("pipes chunks through to the full convolution, the tail coming last on close", async () => {
    for (const [m, block] of [[9, undefined], [700, 32]] as const) {
      const kernel = randomSignal(Float32Array, m, 1);
      const signal = randomSignal(Float32Array, 1000, 2);
      const pieces = [0, 1, 0, 63, 200, 136, 400, 200].map((size, i, all) => {
        const start = all.slice(0, i).reduce((a, b) => a + b, 0);
        return signal.slice(start, start + size);
      });
      const output = await collect(
        sourceOf(pieces).pipeThrough(new ConvolutionStream(kernel, { blockSize: block })),
      );
      assert.equal(output.length, pieces.filter((p) => p.length > 0).length + 1, "one per chunk");
      assert.equal(output.at(-1)!.length, m - 1, "the tail");
      assertClose(concat(output), referenceFull(signal, kernel), 2e-5, `m=${m}`);
    }
  });

  it("gives every output chunk its own array that later chunks do not overwrite", async () => {
    const kernel = new Float32Array([1, 1]);
    const chunks = [new Float32Array([1, 2]), new Float32Array([3, 4])];
    const output = await collect(sourceOf(chunks).pipeThrough(new ConvolutionStream(kernel)));
    assert.deepEqual(output.map((c) => [...c]), [[1, 3], [5, 7], [4]]);
    assert.notEqual(output[0].buffer, output[1].buffer);
  });

  it("errors the stream with a TypeError naming a chunk that is not a Float32Array", async () => {
    const stream = new ConvolutionStream(new Float32Array([1]));
    const source = sourceOf([new Float32Array(2), [1, 2] as never]);
    await assert.rejects(collect(source.pipeThrough(stream)), {
      name: "TypeError",
      message: /^ConvolutionStream: a chunk must be a Float32Array, received Array\(length 2\)$/,
    });
  });

  it("applies backpressure: a writer waits while nobody reads", async () => {
    const stream = new ConvolutionStream(new Float32Array([1, 1]));
    const writer = stream.writable.getWriter();
    await writer.ready;
    void writer.write(new Float32Array(4));
    void writer.write(new Float32Array(4));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok((writer.desiredSize ?? 0) <= 0, `desiredSize ${writer.desiredSize}`);
    const reader = stream.readable.getReader();
    await reader.read();
    await reader.read();
    await writer.close();
    const tail = await reader.read();
    assert.deepEqual([...tail.value!], [0]);
  });

  it("rejects a kernel that is not a Float32Array", () => {
    assert.throws(() => new ConvolutionStream(new Float64Array(3) as never), {
      name: "TypeError",
      message: /kernel must be a Float32Array, received Float64Array\(length 3\)/,
    });
  });
});

describe("ConvolutionStream metrics", () => {
  it("counts into the sink it is given, or into the engine's metrics", async () => {
    const metrics = new OperationMetrics();
    const chunks = [new Float32Array(16), new Float32Array(0), new Float32Array(8)];
    await collect(
      sourceOf(chunks).pipeThrough(new ConvolutionStream(new Float32Array(3), { metrics })),
    );
    assert.equal(metrics.operations.reduce((a, b) => a + b, 0), 2);
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    await collect(
      sourceOf(chunks).pipeThrough(new ConvolutionStream(new Float32Array(3), { engine })),
    );
    assert.equal(engine.metrics.operations.reduce((a, b) => a + b, 0), 2);
    engine.close();
  });
});
