import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createFdlEngine, type FdlPath } from "../src/stream/partitioned/fdl_engine.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { measureHeapGrowth } from "./helpers/heap_probe.ts";
import { assertClose, randomSignal, referenceFull } from "./helpers/reference.ts";

/** The accuracy targets, relative to max|y|. */
const TOLERANCE = { f32: 1e-6, f64: 1e-12 };
const MAX_BYTES_PER_CALL = 4;

/** Path layouts: [input, output] pairs of mono, stereo and true stereo. */
const LAYOUTS = {
  mono: { inputs: 1, outputs: 1, pairs: [[0, 0]] },
  stereo: { inputs: 2, outputs: 2, pairs: [[0, 0], [1, 1]] },
  trueStereo: { inputs: 2, outputs: 2, pairs: [[0, 0], [0, 1], [1, 0], [1, 1]] },
} as const;
type Layout = keyof typeof LAYOUTS;

/**
 * Streams `n` random samples per input through an engine in the given chunk sizes
 * (cycled; empty ones included), flushes with zeros, and compares every output with
 * the float64 reference sum over its paths.
 */
function checkEngine(
  f64: boolean,
  layout: Layout,
  lengths: readonly number[],
  n: number,
  block: number,
  chunkSizes: readonly number[],
  seed: number,
): void {
  const Type = f64 ? Float64Array : Float32Array;
  const { inputs, outputs, pairs } = LAYOUTS[layout];
  const paths: FdlPath[] = pairs.map(([input, output], p) => ({
    input,
    output,
    kernel: randomSignal(Type as Float64ArrayConstructor, lengths[p % lengths.length], seed + p),
  }));
  const engine = createFdlEngine(f64, inputs, outputs, paths, block);
  assert.ok(engine !== null, "WebAssembly SIMD is available here");
  const signals = Array.from(
    { length: inputs },
    (_, c) => randomSignal(Type as Float64ArrayConstructor, n, seed + 100 + c),
  );
  const m = engine.kernelLength;
  const results = Array.from({ length: outputs }, () => new Type(n + m - 1));
  const sizes = chunkSizes.some((size) => size > 0) ? chunkSizes : [...chunkSizes, 1];
  for (let offset = 0, i = 0; offset < n; i++) {
    const size = Math.min(sizes[i % sizes.length], n - offset);
    engine.process(signals, offset, results, offset, size);
    offset += size;
  }
  engine.process(null, 0, results, n, m - 1);
  for (let o = 0; o < outputs; o++) {
    const expected = new Float64Array(n + m - 1);
    for (const path of paths) {
      if (path.output !== o || n === 0) continue;
      const part = referenceFull(signals[path.input], path.kernel);
      for (let t = 0; t < part.length; t++) expected[t] += part[t];
    }
    assertClose(
      results[o],
      expected,
      f64 ? TOLERANCE.f64 : TOLERANCE.f32,
      `${layout} output ${o} lengths=${lengths} n=${n} block=${block} chunks=${chunkSizes}`,
    );
  }
}

const chunkList = fc.array(
  fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 400 })),
  { minLength: 1, maxLength: 10 },
);

describe("FdlEngine", { skip: !simdSupported() && "no WebAssembly SIMD" }, () => {
  for (const f64 of [false, true]) {
    for (const layout of ["mono", "stereo", "trueStereo"] as const) {
      it(`matches the float64 reference for any chunking, ${layout}, ${f64 ? "Float64" : "Float32"}`, () => {
        fc.assert(
          fc.property(
            fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: 0, max: 2500 }),
            fc.constantFrom(8, 16, 32, 64, 128),
            chunkList,
            fc.integer({ min: 1, max: 1_000_000 }),
            (lengths, n, block, chunks, seed) =>
              checkEngine(f64, layout, lengths, n, block, chunks, seed),
          ),
          { numRuns: 12 },
        );
      });
    }
  }

  it("spreads reverb-length levels over many blocks and still matches (20000 taps, 1-sample and empty chunks)", () => {
    checkEngine(false, "mono", [20_000], 3000, 8, [1, 0, 37, 128, 1000], 5);
    checkEngine(true, "trueStereo", [20_000, 9000], 2000, 32, [128], 6);
  });

  it("starts a fresh stream after reset", () => {
    const kernel = randomSignal(Float32Array, 1500, 1);
    const engine = createFdlEngine(false, 1, 1, [{ input: 0, output: 0, kernel }], 16)!;
    const input = [randomSignal(Float32Array, 700, 2)];
    const first = [new Float32Array(700)];
    const second = [new Float32Array(700)];
    engine.process(input, 0, first, 0, 700);
    engine.reset();
    engine.process(input, 0, second, 0, 700);
    assert.deepEqual(second[0], first[0]);
  });

  for (const layout of ["mono", "trueStereo"] as const) {
    it(`allocates nothing per 128-sample block, ${layout}, 96000 taps`, async () => {
      const { inputs, outputs, pairs } = LAYOUTS[layout];
      const kernel = randomSignal(Float32Array, 96_000, 3);
      const paths = pairs.map(([input, output]) => ({ input, output, kernel }));
      const engine = createFdlEngine(false, inputs, outputs, paths, 128)!;
      const ins = Array.from({ length: inputs }, (_, c) => randomSignal(Float32Array, 128, c));
      const outs = Array.from({ length: outputs }, () => new Float32Array(128));
      const result = await measureHeapGrowth(() => engine.process(ins, 0, outs, 0, 128), {
        calls: 20_000,
        warmup: 5_000,
      });
      assert.ok(result.bytesPerCall < MAX_BYTES_PER_CALL, `${result.bytesPerCall} B/call`);
    });
  }
});
