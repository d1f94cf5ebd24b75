/**
 * The window contract every convolution kernel keeps, checked over one table of all
 * of them: the TypeScript direct, FFT and overlap-add kernels and the WebAssembly
 * direct, FFT and overlap-add kernels. A kernel computes
 * `out[i] = full[start + i]` for `i < length` of the full linear convolution (or,
 * with `reverseKernel`, correlation), touches nothing else of `out`, accepts either
 * precision for each array, and follows the output's precision.
 *
 * Kernel-specific behaviour (block and FFT sizes, workspaces, the spectrum cache,
 * linear memory) is tested in each kernel's own module.
 *
 * Tolerances are relative to the rounding scale of the convolution
 * ({@linkcode convolutionScale}): float32 outputs 4e-6 (over 20x the largest error
 * seen), float64 outputs 1e-13 (1e-14 for the TypeScript direct kernel, which sums
 * exactly as the reference does).
 *
 * @module
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { convolveDirect } from "../src/kernels/direct.ts";
import { convolveFft } from "../src/kernels/fft_convolve.ts";
import { convolveOverlapAdd } from "../src/kernels/overlap_add.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import {
  convolveDirectWasm,
  convolveFftWasm,
  convolveOverlapAddWasm,
} from "../src/kernels/wasm/wasm_kernels.ts";
import type { WindowKernel } from "../src/kernels/window_kernel.ts";
import { CachedWorkspace } from "../src/kernels/workspace.ts";
import type { Float } from "../src/types.ts";
import {
  assertClose,
  convolutionScale,
  modeWindows,
  randomSignal,
  referenceFull,
  referenceWindow,
} from "./helpers/reference.ts";

interface KernelRow {
  /** Test-name label. */
  name: string;
  /** Runs the kernel on a window. */
  run: WindowKernel;
  /** Whether it computes in the frequency domain (the large-shape test runs those only). */
  frequency: boolean;
  /** Relative tolerance of a float64 output. */
  f64Tolerance: number;
}

const withWorkspace = (kernel: typeof convolveFft): WindowKernel =>
(
  signal,
  h,
  out,
  start,
  length,
  reverse,
) => kernel(signal, h, out, start, length, reverse, new CachedWorkspace());

const KERNELS: KernelRow[] = [
  { name: "TypeScript direct", run: convolveDirect, frequency: false, f64Tolerance: 1e-14 },
  {
    name: "TypeScript fft",
    run: withWorkspace(convolveFft),
    frequency: true,
    f64Tolerance: 1e-13,
  },
  {
    name: "TypeScript overlap-add",
    run: withWorkspace(convolveOverlapAdd),
    frequency: true,
    f64Tolerance: 1e-13,
  },
  ...(simdSupported()
    ? [
      { name: "wasm direct", run: convolveDirectWasm, frequency: false, f64Tolerance: 1e-13 },
      { name: "wasm fft", run: convolveFftWasm, frequency: true, f64Tolerance: 1e-13 },
      {
        name: "wasm overlap-add",
        run: convolveOverlapAddWasm,
        frequency: true,
        f64Tolerance: 1e-13,
      },
    ]
    : []),
];

const ARRAYS = { f32: Float32Array, f64: Float64Array } as const;

/**
 * Checks `got[0, length)` against `want` (the window's reference values) within the
 * row's tolerance for the output type, relative to the scale of convolving `signal`
 * with `kernel`.
 */
function assertWindow(
  row: KernelRow,
  got: Float,
  want: Float64Array,
  label: string,
  signal: Float,
  kernel: Float,
): void {
  const tolerance = got instanceof Float32Array ? 4e-6 : row.f64Tolerance;
  assertClose(
    got.subarray(0, want.length),
    want,
    tolerance,
    `${row.name}: ${label}`,
    convolutionScale(signal, kernel),
  );
}

describe("every kernel keeps the window contract", () => {
  it("on every mode, both directions and both kernel lengths", () => {
    const shapes = [[1, 1], [1, 5], [5, 1], [7, 3], [3, 7], [64, 64], [100, 37], [37, 100], [
      1000,
      37,
    ], [37, 1000]];
    for (const [n, m] of shapes) {
      const x = randomSignal(Float64Array, n, n * 31 + m);
      const h = randomSignal(Float64Array, m, m * 17 + n);
      for (const [mode, start, length] of modeWindows(n, m)) {
        for (const reverse of [false, true]) {
          const want = referenceWindow(x, h, start, length, reverse);
          for (const row of KERNELS) {
            const out = new Float64Array(length);
            row.run(x, h, out, start, length, reverse);
            assertWindow(row, out, want, `${n}x${m} ${mode} reverse=${reverse}`, x, h);
          }
        }
      }
    }
  });

  it("on full outputs of many sizes, in float32 and float64", () => {
    const shapes: [number, number][] = [
      [2, 1],
      [3, 2],
      [15, 15],
      [16, 16],
      [17, 3],
      [63, 64],
      [100, 7],
      [256, 15],
      [257, 16],
      [1000, 3000],
      [10, 300],
      [4096, 63],
      [5000, 1023],
      [65536, 31],
      [100000, 9],
      [3, 5000],
    ];
    for (const type of ["f32", "f64"] as const) {
      for (const [n, m] of shapes) {
        const x = randomSignal(ARRAYS[type], n, n + 3 * m);
        const h = randomSignal(ARRAYS[type], m, 7 * n + m);
        for (const reverse of [false, true]) {
          const want = referenceFull(x, h, reverse);
          for (const row of KERNELS) {
            const out = new ARRAYS[type](n + m - 1);
            row.run(x, h, out, 0, n + m - 1, reverse);
            assertWindow(row, out, want, `${type} ${n}x${m} reverse=${reverse}`, x, h);
          }
        }
      }
    }
  });

  for (const row of KERNELS) {
    it(`${row.name}: any window of random shapes and types, writing only [0, length)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 700 }),
          fc.integer({ min: 1, max: 300 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.boolean(),
          fc.constantFrom("f32", "f64"),
          fc.constantFrom("f32", "f64"),
          fc.constantFrom("f32", "f64"),
          fc.integer({ min: 1, max: 1 << 20 }),
          (n, m, a, b, reverse, tx, th, to, seed) => {
            const full = n + m - 1;
            const start = Math.min(full, Math.floor(a * full));
            const length = Math.floor(b * (full - start));
            const x = randomSignal(ARRAYS[tx], n, seed);
            const h = randomSignal(ARRAYS[th], m, seed + 1);
            const out = new ARRAYS[to](length + 3).fill(42);
            row.run(x, h, out, start, length, reverse);
            const want = referenceWindow(x, h, start, length, reverse);
            assertWindow(row, out, want, `${n}x${m} [${start}, +${length})`, x, h);
            assert.deepEqual([...out.subarray(length)], [42, 42, 42], "writes past length");
          },
        ),
        { numRuns: 100 },
      );
    });
  }

  it("agree with the TypeScript direct kernel (the fallback) on the same windows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        fc.constantFrom("f32", "f64"),
        fc.integer({ min: 1, max: 1 << 20 }),
        (n, m, reverse, type, seed) => {
          const x = randomSignal(ARRAYS[type], n, seed);
          const h = randomSignal(ARRAYS[type], m, seed + 7);
          const full = n + m - 1;
          const start = seed % full;
          const length = full - start;
          const fallback = new ARRAYS[type](length);
          convolveDirect(x, h, fallback, start, length, reverse);
          const want = Float64Array.from(fallback);
          for (const row of KERNELS) {
            const out = new ARRAYS[type](length);
            row.run(x, h, out, start, length, reverse);
            assertWindow(row, out, want, `vs TypeScript direct ${n}x${m}`, x, h);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("accept mixed precision: the output's type sets the arithmetic", () => {
    const x32 = randomSignal(Float32Array, 3000, 1);
    const h64 = randomSignal(Float64Array, 200, 2);
    const x64 = randomSignal(Float64Array, 3000, 3);
    const h32 = randomSignal(Float32Array, 200, 4);
    for (const row of KERNELS) {
      const o32 = new Float32Array(3199);
      row.run(x32, h64, o32, 0, 3199, false);
      assertWindow(row, o32, referenceFull(x32, h64, false), "f32 x f64 -> f32", x32, h64);
      const o64 = new Float64Array(3199);
      row.run(x64, h32, o64, 0, 3199, true);
      assertWindow(row, o64, referenceFull(x64, h32, true), "f64 x f32 -> f64", x64, h32);
      const o64b = new Float64Array(3199);
      row.run(x32, h32, o64b, 0, 3199, false);
      assertWindow(row, o64b, referenceFull(x32, h32, false), "f32 x f32 -> f64", x32, h32);
    }
  });

  it("write a Float32Array output rounded from the result", () => {
    for (const [n, m, start, length] of [[1000, 63, 0, 1062], [4096, 63, 31, 4096]]) {
      const x = randomSignal(Float32Array, n, 1), h = randomSignal(Float32Array, m, 2);
      const want = referenceWindow(x, h, start, length, false);
      for (const row of KERNELS) {
        const out = new Float32Array(length);
        row.run(x, h, out, start, length, false);
        assertWindow(row, out, want, `float32 output ${n}x${m}`, x, h);
      }
    }
  });

  it("handle a one-sample signal with a long kernel on every window (a found counterexample)", () => {
    const x = randomSignal(Float32Array, 1, 1);
    const h = randomSignal(Float32Array, 64, 8);
    for (const start of [0, 1, 63]) {
      const want = referenceWindow(x, h, start, 64 - start, false);
      for (const row of KERNELS) {
        const out = new Float32Array(64 - start);
        row.run(x, h, out, start, 64 - start, false);
        assertWindow(row, out, want, `1x64 from ${start}`, x, h);
      }
    }
  });

  it("compute a kernel much longer than the signal exactly on small integers", () => {
    const x = new Float64Array([2]);
    const h = new Float64Array([1, 2, 3, 4, 5]);
    for (const row of KERNELS) {
      const out = new Float64Array(5);
      row.run(x, h, out, 0, 5, true);
      assertWindow(row, out, new Float64Array([10, 8, 6, 4, 2]), "1x5 correlation", x, h);
    }
  });

  it("compute windows deep inside a long signal", () => {
    const x = randomSignal(Float64Array, 100_000, 3), h = randomSignal(Float64Array, 129, 4);
    const windows = [[50_000, 17], [0, 1], [100_127, 1], [99_000, 1128], [257, 256]];
    for (const [start, length] of windows) {
      const want = referenceWindow(x, h, start, length, true);
      for (const row of KERNELS) {
        const out = new Float64Array(length);
        row.run(x, h, out, start, length, true);
        assertWindow(row, out, want, `[${start}, +${length})`, x, h);
      }
    }
  });

  it("handle signals of 1e5 samples with short and long kernels in every mode", () => {
    const x = randomSignal(Float32Array, 100_000, 5);
    for (const m of [1, 2, 255, 1023]) {
      const h = randomSignal(Float64Array, m, m);
      const reverse = m === 255;
      for (const [mode, start, length] of modeWindows(x.length, m)) {
        const want = referenceWindow(x, h, start, length, reverse);
        for (const row of KERNELS) {
          const out = new Float64Array(length);
          row.run(x, h, out, start, length, reverse);
          assertWindow(row, out, want, `1e5x${m} ${mode}`, x, h);
        }
      }
    }
  });

  it("handle 65536 x 1023 and 1e5 x 3000 in the frequency domain", () => {
    for (const [n, m, type] of [[65536, 1023, "f32"], [100_000, 3000, "f64"]] as const) {
      const x = randomSignal(ARRAYS[type], n, 11);
      const h = randomSignal(ARRAYS[type], m, 12);
      const want = referenceFull(x, h, false);
      for (const row of KERNELS.filter((r) => r.frequency)) {
        const out = new ARRAYS[type](want.length);
        row.run(x, h, out, 0, want.length, false);
        assertWindow(row, out, want, `${n}x${m} ${type}`, x, h);
      }
    }
  });

  it("leave the output untouched for an empty window", () => {
    const x = randomSignal(Float64Array, 4, 1), h = randomSignal(Float64Array, 2, 2);
    for (const row of KERNELS) {
      const out = new Float64Array([7]);
      row.run(x, h, out, 0, 0, false);
      assert.deepEqual([...out], [7], row.name);
    }
  });
});
