/**
 * Float32 accuracy of every convpool method next to SciPy's float32 on the same data.
 *
 * Reads the cases written by `bench/f32_accuracy.py` (float32 signal and kernel, the
 * float64 reference and SciPy's errors) from `.tmp/f32_accuracy/` and prints, per
 * case, max|y - ref| / (||x||2 ||h||2) for: the WebAssembly direct, single-FFT and
 * overlap-add kernels called directly, `convolve` with methods "direct", "fft" and
 * "auto", and the TypeScript kernels (WebAssembly disabled), each with its ratio to
 * SciPy's error for the same kind of method: direct sums against SciPy's "direct",
 * frequency-domain ones against its "fft", "auto" against its "auto". A ratio above 1
 * (worse than SciPy, beyond the last bits of the two norm computations) is marked `!`.
 *
 * With `--draws` (after `python3 bench/f32_accuracy.py --draws`) it prints, per shape
 * and kind of data, the median and the largest over the random draws of convpool's
 * error divided by SciPy's, for the largest error and for the root-mean-square error,
 * methods "fft" and "auto" (one draw's largest error is a noisy figure; the rms error
 * shows where the two methods' rounding really stands).
 *
 * @example
 * ```sh
 * python3 bench/f32_accuracy.py                # data, reference, SciPy's errors
 * node --import tsx bench/f32_accuracy.ts
 * python3 bench/f32_accuracy.py --draws && node --import tsx bench/f32_accuracy.ts --draws
 * node_modules/.bin/deno run -A bench/f32_accuracy.ts
 * node_modules/.bin/bun bench/f32_accuracy.ts
 * ```
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { convolve } from "../src/convolve.ts";
import type { Method } from "../src/types.ts";
import {
  convolveDirectWasm,
  convolveFftWasm,
  convolveOverlapAddWasm,
} from "../src/kernels/wasm/wasm_kernels.ts";
import { setWasmKernelsEnabled } from "../src/internal/testing.ts";

/** Where bench/f32_accuracy.py writes its cases (`--draws`: its draws). */
const DATA: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  ".tmp",
  "f32_accuracy",
  ...(process.argv.includes("--draws") ? ["draws"] : []),
);

/** SciPy's errors per case and method, as bench/f32_accuracy.py writes them. */
interface ScipyErrors {
  scipy: string;
  cases: Record<string, { direct?: number; fft?: number; auto?: number; auto_picks?: string }>;
}

function readFloats<T extends Float32Array | Float64Array>(
  name: string,
  ArrayType: { new (buffer: ArrayBuffer): T },
): T {
  const bytes = readFileSync(join(DATA, name));
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new ArrayType(copy);
}

function norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

function relativeError(got: Float32Array, want: Float64Array, scale: number): number {
  let error = 0;
  for (let i = 0; i < want.length; i++) error = Math.max(error, Math.abs(got[i] - want[i]));
  return error / scale;
}

/** One way of computing the full float32 convolution. */
type Way = (x: Float32Array, h: Float32Array, out: Float32Array) => void;

/** The SciPy method each way is compared with. */
type Peer = "direct" | "fft" | "auto";

function viaConvolve(method: Method): Way {
  const options = { method };
  return (x, h, out) => out.set(convolve(x, h, options));
}

const KERNELS: [string, Peer, Way][] = [
  ["wasm direct", "direct", (x, h, out) => convolveDirectWasm(x, h, out, 0, out.length, false)],
  ["wasm fft", "fft", (x, h, out) => convolveFftWasm(x, h, out, 0, out.length, false)],
  [
    "wasm overlap-add",
    "fft",
    (x, h, out) => convolveOverlapAddWasm(x, h, out, 0, out.length, false),
  ],
  ["convolve direct", "direct", viaConvolve("direct")],
  ["convolve fft", "fft", viaConvolve("fft")],
  ["convolve auto", "auto", viaConvolve("auto")],
];

/** TypeScript kernels: above this many multiply-adds the direct one is skipped (slow). */
const TYPESCRIPT_DIRECT_LIMIT = 5e8;

/** SciPy's errors per draw, as `bench/f32_accuracy.py --draws` writes them. */
interface ScipyDraws {
  scipy: string;
  cases: Record<
    string,
    { shape: string } & Record<"fft" | "auto" | "fft_rms" | "auto_rms", number>
  >;
}

/** max |got - want| and rms(got - want), both over `scale`. */
function errors(got: Float32Array, want: Float64Array, scale: number): [number, number] {
  let largest = 0;
  let squares = 0;
  for (let i = 0; i < want.length; i++) {
    const e = got[i] - want[i];
    largest = Math.max(largest, Math.abs(e));
    squares += e * e;
  }
  return [largest / scale, Math.sqrt(squares / want.length) / scale];
}

/** Median and largest of convpool/SciPy over the draws, per shape and method. */
function printDraws(): void {
  const draws = JSON.parse(readFileSync(join(DATA, "scipy.json"), "utf8")) as ScipyDraws;
  const ratios = new Map<string, number[]>();
  const add = (key: string, value: number) => ratios.set(key, [...(ratios.get(key) ?? []), value]);
  for (const [name, reference] of Object.entries(draws.cases)) {
    const x = readFloats(`${name}.x.f32`, Float32Array);
    const h = readFloats(`${name}.h.f32`, Float32Array);
    const want = readFloats(`${name}.ref.f64`, Float64Array);
    const scale = norm(x) * norm(h);
    for (const method of ["fft", "auto"] as const) {
      const [largest, rms] = errors(convolve(x, h, { method }), want, scale);
      add(`${reference.shape} ${method} max`, largest / reference[method]);
      add(`${reference.shape} ${method} rms`, rms / reference[`${method}_rms`]);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log(`convpool / SciPy ${draws.scipy} float32 error over random draws: median (largest)`);
  for (const [key, values] of ratios) {
    console.log(
      `  ${key.padEnd(30)} ${median(values).toFixed(2)} (${
        Math.max(...values).toFixed(2)
      }) over ${values.length}`,
    );
  }
}

const format = (error: number | undefined) => error === undefined ? "-" : error.toExponential(2);
/** Every case of `bench/f32_accuracy.py`: each way's error next to SciPy's. */
function printCases(): void {
  const scipy = JSON.parse(readFileSync(join(DATA, "scipy.json"), "utf8")) as ScipyErrors;
  for (const [name, reference] of Object.entries(scipy.cases)) {
    const x = readFloats(`${name}.x.f32`, Float32Array);
    const h = readFloats(`${name}.h.f32`, Float32Array);
    const want = readFloats(`${name}.ref.f64`, Float64Array);
    const scale = norm(x) * norm(h);
    const out = new Float32Array(want.length);
    const cells: string[] = [];
    const measure = (label: string, peer: Peer, way: Way) => {
      way(x, h, out);
      const error = relativeError(out, want, scale);
      const scipyError = reference[peer];
      const ratio = scipyError === undefined
        ? ""
        : ` (${(error / scipyError).toFixed(2)} x scipy ${peer})`;
      cells.push(
        `${label.padEnd(17)}${format(error)}${ratio}${
          error > (scipyError ?? Infinity) * (1 + 1e-9) ? " !" : ""
        }`,
      );
    };
    for (const [label, peer, way] of KERNELS) measure(label, peer, way);
    setWasmKernelsEnabled(false);
    try {
      if (x.length * h.length <= TYPESCRIPT_DIRECT_LIMIT) {
        measure("ts direct", "direct", viaConvolve("direct"));
      }
      measure("ts fft", "fft", viaConvolve("fft"));
    } finally {
      setWasmKernelsEnabled(true);
    }
    console.log(
      `${name}: scipy ${scipy.scipy} direct ${format(reference.direct)} fft ${
        format(reference.fft)
      } auto ${format(reference.auto)} (${reference.auto_picks})\n  ${cells.join("\n  ")}`,
    );
  }
}

if (process.argv.includes("--draws")) printDraws();
else printCases();
