import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createEngine, MultichannelConvolver } from "../mod.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import type { Float } from "../src/types.ts";
import { measureHeapGrowth } from "./helpers/heap_probe.ts";
import { assertClose, randomSignal, referenceFull } from "./helpers/reference.ts";

const TOLERANCE = { f32: 1e-6, f64: 1e-12 };
const MAX_BYTES_PER_CALL = 4;
const BACKENDS = ["auto", "typescript"] as const;

/** Kernel matrices [input][output] by layout, from a list of kernel lengths. */
function kernelMatrix(
  layout: "mono" | "stereo" | "trueStereo",
  Type: Float64ArrayConstructor,
  lengths: readonly number[],
  seed: number,
): (Float | null)[][] {
  const k = (p: number) => randomSignal(Type, lengths[p % lengths.length], seed + p);
  if (layout === "mono") return [[k(0)]];
  if (layout === "stereo") return [[k(0), null], [null, k(1)]];
  return [[k(0), k(1)], [k(2), k(3)]];
}

/** Streams random planar input in chunks (cycled, empty ones included) and checks every output. */
function checkContract(
  backend: "auto" | "typescript",
  f64: boolean,
  layout: "mono" | "stereo" | "trueStereo",
  lengths: readonly number[],
  n: number,
  blockSize: number | undefined,
  chunkSizes: readonly number[],
  seed: number,
): void {
  const Type = (f64 ? Float64Array : Float32Array) as Float64ArrayConstructor;
  const kernels = kernelMatrix(layout, Type, lengths, seed);
  const convolver = new MultichannelConvolver<Float>(kernels, { blockSize, backend });
  const signals = kernels.map((_, c) => randomSignal(Type, n, seed + 50 + c));
  const collected: number[][] = kernels[0].map(() => []);
  const sizes = chunkSizes.some((size) => size > 0) ? chunkSizes : [...chunkSizes, 1];
  for (let offset = 0, i = 0; offset < n || i < sizes.length; i++) {
    const size = Math.min(sizes[i % sizes.length], n - offset);
    const outputs = convolver.process(signals.map((s) => s.subarray(offset, offset + size)));
    outputs.forEach((out, o) => {
      assert.equal(out.length, size);
      collected[o].push(...out);
    });
    offset += size;
  }
  convolver.flush().forEach((out, o) => collected[o].push(...out));
  const m = convolver.kernelLength;
  for (let o = 0; o < collected.length; o++) {
    const expected = new Float64Array(n + m - 1);
    kernels.forEach((row, i) => {
      const kernel = row[o];
      if (kernel === null || n === 0) return;
      referenceFull(signals[i], kernel).forEach((value, t) => (expected[t] += value));
    });
    assertClose(
      collected[o],
      expected,
      f64 ? TOLERANCE.f64 : TOLERANCE.f32,
      `${backend} ${layout} output ${o} lengths=${lengths} n=${n} block=${blockSize} chunks=${chunkSizes}`,
    );
  }
}

describe("MultichannelConvolver", () => {
  for (const backend of BACKENDS) {
    for (const f64 of [false, true]) {
      it(`gives the summed full convolutions for any chunking (${backend}, ${f64 ? "Float64" : "Float32"})`, () => {
        fc.assert(
          fc.property(
            fc.constantFrom("mono", "stereo", "trueStereo"),
            fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: 0, max: 1500 }),
            fc.constantFrom(undefined, 8, 32, 128),
            fc.array(
              fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 300 })),
              { minLength: 1, maxLength: 8 },
            ),
            fc.integer({ min: 1, max: 1_000_000 }),
            (layout, lengths, n, block, chunks, seed) =>
              checkContract(backend, f64, layout, lengths, n, block, chunks, seed),
          ),
          { numRuns: 10 },
        );
      });
    }
  }

  it("reports the backend that runs; the WebAssembly engine agrees with the TypeScript oracle", () => {
    const kernels = kernelMatrix("trueStereo", Float64Array, [5000, 3000], 9);
    const fast = new MultichannelConvolver(kernels, { blockSize: 128 });
    const oracle = new MultichannelConvolver(kernels, { blockSize: 128, backend: "typescript" });
    assert.equal(fast.backend, simdSupported() ? "wasm" : "typescript");
    assert.equal(oracle.backend, "typescript");
    const inputs = [randomSignal(Float64Array, 128, 1), randomSignal(Float64Array, 128, 2)];
    for (let block = 0; block < 60; block++) {
      const a = fast.process(inputs);
      const b = oracle.process(inputs);
      for (let o = 0; o < 2; o++) assertClose(a[o], b[o], 1e-12, `block ${block} output ${o}`);
    }
  });

  it("writes into the caller's outputs and returns them", () => {
    const convolver = new MultichannelConvolver([[new Float32Array([1, 2])]]);
    const outputs = [new Float32Array(5)];
    const result = convolver.process([new Float32Array([1, 1, 1])], outputs);
    assert.equal(result, outputs);
    assert.deepEqual([...outputs[0]], [1, 3, 3, 0, 0]);
    assert.deepEqual([...convolver.flush()[0]], [2]);
  });

  for (const backend of BACKENDS) {
    it(`allocates nothing per 128-sample block with outputs, true stereo (${backend})`, async () => {
      const engine = createEngine({ maintenanceIntervalMs: 0 });
      const kernels = kernelMatrix("trueStereo", Float32Array as never, [4000], 3);
      const convolver = new MultichannelConvolver(kernels, { blockSize: 128, backend, engine });
      const inputs = [randomSignal(Float32Array, 128, 1), randomSignal(Float32Array, 128, 2)];
      const outputs = [new Float32Array(128), new Float32Array(128)];
      const result = await measureHeapGrowth(() => convolver.process(inputs, outputs as never), {
        calls: 20_000,
        warmup: 5_000,
      });
      assert.ok(result.bytesPerCall < MAX_BYTES_PER_CALL, `${result.bytesPerCall} B/call`);
      engine.close();
    });
  }

  it("rejects hostile input with errors that quote what it received", () => {
    const h = new Float32Array([1, 2]);
    const cases: [() => unknown, string, RegExp][] = [
      [
        () => new MultichannelConvolver(null as never),
        "TypeError",
        /kernels must be an array of 1 to 32 rows.*received null/,
      ],
      [() => new MultichannelConvolver([]), "TypeError", /kernels must be an array/],
      [
        () => new MultichannelConvolver([[h], [h, h]]),
        "TypeError",
        /kernels\[1\] must be an array .* as long as kernels\[0\]/,
      ],
      [
        () => new MultichannelConvolver([[new Int16Array(2) as never]]),
        "TypeError",
        /kernels\[0\]\[0\] must be a Float32Array, Float64Array or null, received Int16Array/,
      ],
      [
        () => new MultichannelConvolver([[h, new Float64Array(2) as never]]),
        "TypeError",
        /kernels\[0\]\[1\] must be a Float32Array: kernels are all of one type, received Float64Array/,
      ],
      [
        () => new MultichannelConvolver([[null]]),
        "TypeError",
        /kernels must be a matrix of at least one kernel, not only nulls, received Array/,
      ],
      [
        () => new MultichannelConvolver([[new Float32Array(0)]]),
        "RangeError",
        /kernels\[0\]\[0\] must be non-empty, received Float32Array\(length 0\)/,
      ],
      [
        () => new MultichannelConvolver([[new Float32Array([1, NaN])]]),
        "RangeError",
        /kernels\[0\]\[0\]\[1\] must be finite, received number NaN/,
      ],
      [
        () => new MultichannelConvolver([[h]], { blockSize: 100 }),
        "RangeError",
        /MultichannelConvolver: blockSize must be a power of two .* received number 100/,
      ],
      [
        () => new MultichannelConvolver([[h]], { backend: "gpu" as never }),
        "RangeError",
        /backend must be "auto" or "typescript", received "gpu"/,
      ],
      [
        () => new MultichannelConvolver([[h]], 5 as never),
        "TypeError",
        /options must be an object, received number 5/,
      ],
    ];
    const stereo = new MultichannelConvolver([[h, null], [null, h]]);
    const a = new Float32Array(4);
    cases.push(
      [
        () => stereo.process([a] as never),
        "TypeError",
        /inputs must be an array of 2 channel arrays/,
      ],
      [
        () => stereo.process([a, [1, 2] as never]),
        "TypeError",
        /inputs\[1\] must be a Float32Array or Float64Array, received Array/,
      ],
      [
        () => stereo.process([a, new Float32Array(3)]),
        "RangeError",
        /inputs\[1\] must be of length 4 like the input channels before it, received Float32Array\(length 3\)/,
      ],
      [
        () => stereo.process([a, a], [a]),
        "TypeError",
        /outputs must be an array of 2 channel arrays/,
      ],
      [
        () => stereo.process([a, a], [a, new Float64Array(4) as never]),
        "TypeError",
        /outputs\[1\] must be a Float32Array like the kernels, received Float64Array/,
      ],
      [
        () => stereo.process([a, a], [a, new Float32Array(3)]),
        "RangeError",
        /outputs\[1\] must be at least 4 elements long, received Float32Array\(length 3\)/,
      ],
      [
        () => stereo.flush([new Float32Array(0), a]),
        "RangeError",
        /flush: outputs\[0\] must be at least 1 elements long/,
      ],
    );
    for (const [action, name, message] of cases) assert.throws(action, { name, message });
    // A rejected call leaves the stream intact.
    assert.deepEqual([...stereo.process([new Float32Array([1]), new Float32Array([0])])[0]], [1]);
  });
});
