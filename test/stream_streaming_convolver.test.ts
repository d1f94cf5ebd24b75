import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createEngine, defaultBlockSize, StreamingConvolver } from "../mod.ts";
import { recordStreamOperation, startStreamOperation } from "../src/stream/streaming_convolver.ts";
import {
  METHOD_INDEX,
  OPERATION_INDEX,
  OperationMetrics,
  pairIndex,
} from "../src/metrics/operation_metrics.ts";
import type { Float } from "../src/types.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { measureHeapGrowth } from "./helpers/heap_probe.ts";
import { assertClose, randomSignal, referenceFull } from "./helpers/reference.ts";

const TOLERANCE = { f32: 2e-5, f64: 1e-11 };
const MAX_BYTES_PER_CALL = 4;

/** Feeds `signal` in chunks of the given sizes (cycled) and returns every output plus the tail. */
function streamInChunks(
  convolver: StreamingConvolver<Float>,
  signal: Float,
  chunkSizes: readonly number[],
): number[] {
  // A list of only empty chunks would never finish: add a 1-sample one.
  const sizes = chunkSizes.some((size) => size > 0) ? chunkSizes : [...chunkSizes, 1];
  const output: number[] = [];
  let offset = 0;
  let chunk = 0;
  // Empty chunks in the list are fed too; the loop ends once the signal is used up.
  while (offset < signal.length || chunk < sizes.length) {
    const size = Math.min(sizes[chunk % sizes.length], signal.length - offset);
    chunk++;
    const piece = signal.subarray(offset, offset + size);
    const result = convolver.process(piece);
    assert.equal(result.length, size, "process returns one output per input sample");
    for (const value of result) output.push(value);
    offset += size;
  }
  for (const value of convolver.flush()) output.push(value);
  return output;
}

function checkContract(
  f64: boolean,
  kernelLength: number,
  signalLength: number,
  chunkSizes: readonly number[],
  blockSize: number | undefined,
  seed: number,
): void {
  const Type = f64 ? Float64Array : Float32Array;
  const kernel = randomSignal(Type, kernelLength, seed);
  const signal = randomSignal(Type, signalLength, seed + 1);
  const convolver = new StreamingConvolver<Float>(kernel, { blockSize });
  const output = streamInChunks(convolver, signal, chunkSizes);
  const expected = signalLength === 0 ? new Float64Array(kernelLength - 1) : referenceFull(
    signal,
    kernel,
  );
  assertClose(
    output,
    expected,
    f64 ? TOLERANCE.f64 : TOLERANCE.f32,
    `m=${kernelLength} n=${signalLength} block=${convolver.blockSize} chunks=${chunkSizes}`,
  );
}

const chunkList = fc.array(
  fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 300 })),
  {
    minLength: 1,
    maxLength: 12,
  },
);

describe("StreamingConvolver", () => {
  for (const f64 of [false, true]) {
    const dtype = f64 ? "Float64" : "Float32";
    it(`gives the full convolution for any chunking of the input with short ${dtype} kernels`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 48 }),
          fc.integer({ min: 0, max: 700 }),
          chunkList,
          fc.integer({ min: 1, max: 1_000_000 }),
          (m, n, chunks, seed) => checkContract(f64, m, n, chunks, undefined, seed),
        ),
        { numRuns: 60 },
      );
    });

    it(`gives the full convolution for any chunking of the input with long partitioned ${dtype} kernels`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(8, 16, 32, 64),
          fc.integer({ min: 65, max: 1500 }),
          fc.integer({ min: 0, max: 2500 }),
          chunkList,
          fc.integer({ min: 1, max: 1_000_000 }),
          (block, m, n, chunks, seed) => checkContract(f64, m, n, chunks, block, seed),
        ),
        { numRuns: 40 },
      );
    });
  }

  it("handles a reverb-length kernel (20000 taps) fed one block at a time", () => {
    checkContract(false, 20_000, 30_000, [128], 128, 7);
  });

  it("handles 1-sample chunks and empty chunks with a partitioned kernel", () => {
    checkContract(true, 300, 400, [1, 0, 1, 1, 0, 0], 16, 3);
  });

  for (const f64 of [false, true]) {
    it(`returns ${f64 ? "Float64" : "Float32"} arrays the caller owns: kept outputs concatenate to the full convolution`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(1, 5, 40, 300),
          fc.constantFrom(undefined, 16),
          chunkList,
          fc.integer({ min: 1, max: 1_000_000 }),
          (m, blockSize, chunks, seed) => {
            const Type = f64 ? Float64Array : Float32Array;
            const kernel = randomSignal(Type, m, seed);
            const signal = randomSignal(Type, 600, seed + 1);
            const conv = new StreamingConvolver<Float>(kernel, { blockSize });
            const parts: Float[] = [];
            // Chunk sizes cycle (empty and 1-sample ones included) until the signal is
            // used up; an empty chunk on odd steps becomes a 1-sample one, so that a
            // list of only empty chunks still ends.
            for (let offset = 0, i = 0; offset < signal.length; i++) {
              const size = Math.min(chunks[i % chunks.length] || (i % 2), signal.length - offset);
              parts.push(conv.process(signal.subarray(offset, offset + size)));
              offset += size;
            }
            parts.push(conv.flush());
            const output = parts.flatMap((part) => [...part]);
            const tolerance = f64 ? TOLERANCE.f64 : TOLERANCE.f32;
            assertClose(
              output,
              referenceFull(signal, kernel),
              tolerance,
              `m=${m} chunks=${chunks}`,
            );
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it("gives every call without out a fresh array, and writes only into out when given", () => {
    const conv = new StreamingConvolver(new Float32Array([1, 1]));
    const a = conv.process(new Float32Array([1, 2]));
    const b = conv.process(new Float32Array([3, 4]));
    const out = new Float32Array(3);
    const c = conv.process(new Float32Array([5, 6]), out);
    const tail = conv.flush();
    assert.notEqual(a.buffer, b.buffer);
    assert.equal(c.buffer, out.buffer);
    assert.deepEqual([[...a], [...b], [...c], [...tail]], [[1, 3], [5, 7], [9, 11], [6]]);
    assert.deepEqual([...out], [9, 11, 0]);
  });

  it("picks a direct filter for short kernels and partitions for long ones by default", () => {
    const short = new StreamingConvolver(new Float32Array(15).fill(1));
    assert.equal(short.partitions, 0);
    assert.equal(short.tailLength, 14);
    const long = new StreamingConvolver(new Float32Array(96_000).fill(1));
    assert.equal(long.blockSize, defaultBlockSize(96_000));
    assert.equal(long.partitions, Math.ceil(96_000 / long.blockSize) - 1);
    const audio = new StreamingConvolver(new Float32Array(96_000).fill(1), { blockSize: 128 });
    assert.equal(audio.partitions, 749);
  });

  it("writes into out and returns it, or a cached view of it when out is longer", () => {
    const convolver = new StreamingConvolver(new Float64Array([1, 2, 3]));
    const exact = new Float64Array(2);
    assert.equal(convolver.process(new Float64Array([1, 1]), exact), exact);
    assert.deepEqual([...exact], [1, 3]);
    const longer = new Float64Array(10);
    const first = convolver.process(new Float32Array([1, 0]), longer);
    assert.deepEqual([...first], [6, 5]);
    assert.equal(first.buffer, longer.buffer);
    assert.equal(convolver.process(new Float64Array([0, 0]), longer), first, "same view reused");
    assert.deepEqual([...first], [3, 0]);
    assert.deepEqual([...convolver.flush()], [0, 0]);
  });

  it("filters in place when out is the input array", () => {
    const kernel = randomSignal(Float32Array, 200, 8);
    const signal = randomSignal(Float32Array, 512, 9);
    const convolver = new StreamingConvolver(kernel, { blockSize: 32 });
    const buffer = signal.slice();
    for (let i = 0; i < 512; i += 100) {
      const piece = buffer.subarray(i, Math.min(512, i + 100));
      convolver.process(piece, piece);
    }
    const full = [...buffer, ...convolver.flush()];
    assertClose(full, referenceFull(signal, kernel), TOLERANCE.f32, "in place");
  });

  it("resets on flush and on reset so that a new stream starts clean", () => {
    const kernel = randomSignal(Float64Array, 100, 5);
    const signal = randomSignal(Float64Array, 300, 6);
    const convolver = new StreamingConvolver(kernel, { blockSize: 16 });
    const first = streamInChunks(convolver, signal, [37]);
    const second = streamInChunks(convolver, signal, [5]);
    assertClose(second, first, 1e-12, "after flush");
    convolver.process(randomSignal(Float64Array, 99, 7));
    convolver.reset();
    assertClose(streamInChunks(convolver, signal, [300]), first, 1e-12, "after reset");
  });

  it("counts each non-empty process call as a stream operation of the engine", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const direct = new StreamingConvolver(new Float32Array(8).fill(1), { engine });
    const partitioned = new StreamingConvolver(new Float32Array(500).fill(1), {
      engine,
      blockSize: 64,
    });
    const chunk = new Float32Array(64);
    direct.process(chunk);
    direct.process(chunk);
    direct.process(new Float32Array(0));
    partitioned.process(chunk);
    const stream = OPERATION_INDEX.stream;
    assert.equal(engine.metrics.operations[pairIndex(stream, METHOD_INDEX.direct)], 2);
    assert.equal(engine.metrics.operations[pairIndex(stream, METHOD_INDEX.overlap_add)], 1);
    engine.close();
  });

  it("counts into a metrics sink given instead of an engine, and times only while it says so", () => {
    const metrics = new OperationMetrics();
    metrics.timing = false;
    const convolver = new StreamingConvolver(new Float32Array(8).fill(1), { metrics });
    for (let i = 0; i < 3; i++) convolver.process(new Float32Array(4096));
    const pair = pairIndex(OPERATION_INDEX.stream, METHOD_INDEX.direct);
    assert.equal(metrics.operations[pair], 3);
    assert.equal(metrics.durationCount.reduce((a, b) => a + b, 0), 0);
    metrics.timing = true;
    convolver.process(new Float32Array(1 << 21)); // at least ALWAYS_TIME_WORK: always timed
    assert.equal(metrics.durationCount[pair], 1);
  });

  it("refuses a metrics option that is not a sink, or one given together with an engine", () => {
    assert.throws(() => new StreamingConvolver(new Float32Array(4), { metrics: {} as never }), {
      name: "TypeError",
      message:
        /^StreamingConvolver: metrics must be an OperationMetrics .*, received object Object$/,
    });
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    assert.throws(
      () => new StreamingConvolver(new Float32Array(4), { engine, metrics: engine.metrics }),
      {
        name: "TypeError",
        message:
          /^StreamingConvolver: metrics must be left out when an engine is given, received object OperationMetrics$/,
      },
    );
    engine.close();
  });

  it("rejects bad kernels, options, inputs and outputs with errors that quote the value", () => {
    assert.throws(() => new StreamingConvolver([1, 2] as never), {
      name: "TypeError",
      message: /kernel must be a Float32Array or Float64Array, received Array\(length 2\)/,
    });
    assert.throws(() => new StreamingConvolver(new Float32Array(0)), {
      name: "RangeError",
      message: /kernel must be non-empty, received Float32Array\(length 0\)/,
    });
    assert.throws(() => new StreamingConvolver(new Float64Array([1, NaN])), {
      name: "RangeError",
      message: /StreamingConvolver: kernel\[1\] must be finite, received number NaN/,
    });
    assert.throws(() => new StreamingConvolver(new Float32Array(4), { blockSize: 100 }), {
      name: "RangeError",
      message: /blockSize must be a power of two from 8 to 65536, received number 100/,
    });
    assert.throws(() => new StreamingConvolver(new Float32Array(4), { engine: {} as never }), {
      name: "TypeError",
      message: /engine must be an engine made by createEngine\(\), received object Object/,
    });
    const convolver = new StreamingConvolver(new Float32Array(4));
    assert.throws(() => convolver.process("abc" as never), {
      name: "TypeError",
      message: /input must be a Float32Array or Float64Array, received "abc"/,
    });
    assert.throws(() => convolver.process(new Float32Array(3), new Float32Array(2)), {
      name: "RangeError",
      message: /out must be at least 3 elements long, received Float32Array\(length 2\)/,
    });
    assert.throws(() => convolver.process(new Float32Array(3), new Float64Array(3) as never), {
      name: "TypeError",
      message: /out must be a Float32Array like the kernel, received Float64Array\(length 3\)/,
    });
    assert.throws(() => convolver.flush(new Float32Array(2)), {
      name: "RangeError",
      message: /flush: out must be at least 3 elements long/,
    });
  });
});

describe("StreamingConvolver backends", () => {
  it("runs the WebAssembly engine where it can and agrees with the TypeScript path", () => {
    for (const f64 of [false, true]) {
      const Type = (f64 ? Float64Array : Float32Array) as Float64ArrayConstructor;
      const kernel = randomSignal(Type, 3000, 4);
      const fast = new StreamingConvolver<Float>(kernel, { blockSize: 32 });
      const oracle = new StreamingConvolver<Float>(kernel, {
        blockSize: 32,
        backend: "typescript",
      });
      assert.equal(fast.backend, simdSupported() ? "wasm" : "typescript");
      assert.equal(oracle.backend, "typescript");
      const signal = randomSignal(Type, 5000, 5);
      const a = [...streamInChunks(fast, signal, [1, 0, 77, 32])];
      const b = [...streamInChunks(oracle, signal, [300])];
      assertClose(a, b, f64 ? TOLERANCE.f64 : 1e-6, f64 ? "Float64" : "Float32");
    }
  });

  it("rejects an unknown backend", () => {
    assert.throws(() => new StreamingConvolver(new Float32Array(4), { backend: "gpu" as never }), {
      name: "RangeError",
      message: /StreamingConvolver: backend must be "auto" or "typescript", received "gpu"/,
    });
  });
});

describe("StreamingConvolver in steady state", () => {
  for (
    const [label, m, block] of [
      ["a direct filter", 31, undefined],
      ["a partitioned filter", 2048, 64],
    ] as const
  ) {
    it(`makes no JS-heap allocation per block with ${label} given out, exact or longer`, async () => {
      const engine = createEngine({ maintenanceIntervalMs: 0 });
      const convolver = new StreamingConvolver(randomSignal(Float32Array, m, 1), {
        blockSize: block,
        engine,
      });
      const input = randomSignal(Float32Array, 64, 2);
      const out = new Float32Array(64);
      const withOut = await measureHeapGrowth(() => convolver.process(input, out), {
        calls: 20_000,
        warmup: 5_000,
      });
      assert.ok(withOut.bytesPerCall < MAX_BYTES_PER_CALL, `${withOut.bytesPerCall} B/call`);
      const longer = new Float32Array(100); // written through a cached view of its first 64
      const longerOut = await measureHeapGrowth(() => convolver.process(input, longer), {
        calls: 20_000,
        warmup: 5_000,
      });
      assert.ok(longerOut.bytesPerCall < MAX_BYTES_PER_CALL, `${longerOut.bytesPerCall} B/call`);
      engine.close();
    });
  }
});

describe("startStreamOperation and recordStreamOperation", () => {
  it("count one stream operation per pair, timed only when a weight was given", () => {
    const metrics = new OperationMetrics();
    const pair = pairIndex(OPERATION_INDEX.stream, METHOD_INDEX.direct);
    metrics.timing = false;
    const untimed = startStreamOperation(metrics, 1000);
    assert.equal(untimed, 0);
    recordStreamOperation(metrics, METHOD_INDEX.direct, untimed);
    assert.equal(metrics.operations[pair], 1);
    assert.equal(metrics.durationCount[pair], 0);
    metrics.timing = true;
    let timed = 0;
    for (let i = 0; i < 10_000 && timed === 0; i++) {
      timed = startStreamOperation(metrics, 1e9);
      if (timed === 0) recordStreamOperation(metrics, METHOD_INDEX.direct, 0);
    }
    assert.ok(timed > 0, "a large operation is sampled for timing");
    recordStreamOperation(metrics, METHOD_INDEX.direct, timed);
    assert.ok(metrics.durationCount[pair] > 0);
  });
});
