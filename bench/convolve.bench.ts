/**
 * convpool against the JavaScript peers a user could pick instead, float32 full
 * mode, at the reference grid: 256x15, 4096x63, 65536x1023 and 1048576x4095.
 * Writes `bench/results/convolve.<runtime>.json`; `node scripts/bench_all.mjs`
 * runs it on the three runtimes and rebuilds the README table.
 *
 * ```sh
 * node --expose-gc --import tsx bench/convolve.bench.ts
 * node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/convolve.bench.ts
 * node_modules/.bin/bun bench/convolve.bench.ts
 * node --import tsx bench/convolve.bench.ts --filter=4096   # a subset, to .tmp/
 * ```
 *
 * Rows (every one writes into a preallocated output where its API allows):
 *
 * - `convpool auto|direct|fft`: `convolve` with `out` on the WebAssembly SIMD kernels;
 * - `convpool TS auto`: the same call on the TypeScript fallback. Each row's
 *   generator set-up switches the kernel set it needs on (and the TS rows switch
 *   WebAssembly back on after their measurement), so no row inherits another's
 *   setting even when one fails;
 * - `plain JS direct`: the textbook double loop (skipped above 2e8 multiply-adds);
 * - `ml-convolution direct|fft`: it returns a new `number[]` of the signal's length
 *   (borders cut), so it does slightly less output work than full mode;
 * - `fft.js OA`: overlap-add on fft.js's complex FFT, two real blocks per transform
 *   (one as the real part, one as the imaginary part: the kernel spectrum is
 *   Hermitian, so the products stay separable), block size by SciPy's rule;
 * - `pffft OA`: overlap-add on `@echogarden/pffft-wasm`'s SIMD build, its real
 *   transform in the unordered ("z") domain with `pffft_zconvolve_accumulate`, the
 *   way pffft is meant to be used for convolution.
 *
 * Both FFT peers transform the kernel on every call, as convpool does (no caching
 * across calls), and allocate all their buffers once, outside the timed closure.
 *
 * @module
 */

import { bench, do_not_optimize } from "mitata";
import { mkdirSync } from "node:fs";
import FFT from "fft.js";
import { directConvolution, fftConvolution } from "ml-convolution";
import { convolve } from "../mod.ts";
import { activeKernelSet } from "../src/kernels/dispatch.ts";
import { setWasmKernelsEnabled } from "../src/internal/testing.ts";
import { opaqueSignal, runAndSave, warmUp } from "./harness.ts";

/** The reference grid of the README's benchmark tables. */
export const GRID: readonly [number, number][] = [[256, 15], [4096, 63], [65536, 1023], [
  1048576,
  4095,
]];

/** Direct-sum peers are skipped above this many multiply-adds (they take seconds). */
const DIRECT_LIMIT = 2e8;

/** What a user would write by hand: the textbook double loop. */
function plainJsConvolve(x: Float32Array, h: Float32Array, y: Float32Array): Float32Array {
  y.fill(0);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    for (let j = 0; j < h.length; j++) y[i + j] += xi * h[j];
  }
  return y;
}

/**
 * FFT size for overlap-add with an m-tap kernel, SciPy's rule: the power of two
 * minimising transform work per output sample, `N log2 N / (N - m + 1)`, but no
 * larger than one block holding `samples` signal samples needs.
 */
function overlapAddSize(samples: number, m: number): number {
  let limit = 32;
  while (limit < samples + m - 1) limit *= 2;
  let best = limit;
  let bestCost = Infinity;
  for (let size = 32; size <= limit; size *= 2) {
    if (size < 2 * m && size < limit) continue;
    const cost = size * Math.log2(size) / (size - m + 1);
    if (size - m + 1 > 0 && cost < bestCost) {
      bestCost = cost;
      best = size;
    }
  }
  return best;
}

/** Overlap-add on fft.js, two real blocks per complex transform; returns its `run`. */
function fftJsOverlapAdd(
  n: number,
  m: number,
): (x: Float32Array, h: Float32Array, y: Float32Array) => void {
  const size = overlapAddSize(Math.ceil(n / 2), m);
  const block = size - m + 1;
  const fft = new FFT(size);
  const spectrum = new Float64Array(2 * size);
  const data = new Float64Array(2 * size);
  const freq = new Float64Array(2 * size);
  const back = new Float64Array(2 * size);
  return (x, h, y) => {
    data.fill(0);
    for (let j = 0; j < m; j++) data[2 * j] = h[j];
    fft.transform(spectrum, data);
    y.fill(0);
    for (let a = 0; a < n; a += 2 * block) {
      const b = a + block;
      data.fill(0);
      for (let i = 0, end = Math.min(block, n - a); i < end; i++) data[2 * i] = x[a + i];
      for (let i = 0, end = Math.min(block, n - b); i < end; i++) data[2 * i + 1] = x[b + i];
      fft.transform(freq, data);
      for (let k = 0; k < 2 * size; k += 2) {
        const re = freq[k], im = freq[k + 1], hr = spectrum[k], hi = spectrum[k + 1];
        freq[k] = re * hr - im * hi;
        freq[k + 1] = re * hi + im * hr;
      }
      fft.inverseTransform(back, freq);
      for (let i = 0, end = Math.min(size, y.length - a); i < end; i++) y[a + i] += back[2 * i];
      for (let i = 0, end = Math.min(size, y.length - b); i < end; i++) y[b + i] += back[2 * i + 1];
    }
  };
}

/** The emscripten surface of pffft-wasm used here. */
interface Pffft {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, kind: number): number;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_transform(setup: number, input: number, output: number, work: number, dir: number): void;
  _pffft_zconvolve_accumulate(setup: number, a: number, b: number, ab: number, scale: number): void;
}

/** The SIMD build (the package's default export is the scalar one). */
const PFFFT_SPECIFIER: string = "@echogarden/pffft-wasm/simd";
// pffft-wasm ships no type declarations: a specifier in a variable keeps the type
// checker from looking for them.
const pffft = await (await import(PFFFT_SPECIFIER) as { default: () => Promise<Pffft> })
  .default();

/** Overlap-add on pffft's SIMD real FFT (unordered domain); returns its `run`. */
function pffftOverlapAdd(
  n: number,
  m: number,
): (x: Float32Array, h: Float32Array, y: Float32Array) => void {
  const PFFFT_REAL = 0, FORWARD = 0, BACKWARD = 1;
  const size = overlapAddSize(n, m);
  const block = size - m + 1;
  const setup = pffft._pffft_new_setup(size, PFFFT_REAL);
  const bytes = size * 4;
  const input = pffft._pffft_aligned_malloc(bytes);
  const kernelSpectrum = pffft._pffft_aligned_malloc(bytes);
  const product = pffft._pffft_aligned_malloc(bytes);
  const output = pffft._pffft_aligned_malloc(bytes);
  const work = pffft._pffft_aligned_malloc(bytes);
  const scale = 1 / size;
  return (x, h, y) => {
    // Read HEAPF32 per call: emscripten replaces it when its memory grows.
    const heap = pffft.HEAPF32;
    const at = input / 4, out = output / 4, prod = product / 4;
    heap.fill(0, at, at + size);
    heap.set(h, at);
    pffft._pffft_transform(setup, input, kernelSpectrum, work, FORWARD);
    y.fill(0);
    for (let a = 0; a < n; a += block) {
      const end = Math.min(block, n - a);
      heap.set(x.subarray(a, a + end), at);
      if (end < size) heap.fill(0, at + end, at + size);
      pffft._pffft_transform(setup, input, output, work, FORWARD);
      heap.fill(0, prod, prod + size);
      pffft._pffft_zconvolve_accumulate(setup, output, kernelSpectrum, product, scale);
      pffft._pffft_transform(setup, product, output, work, BACKWARD);
      for (let i = 0, stop = Math.min(size, y.length - a); i < stop; i++) y[a + i] += heap[out + i];
    }
  };
}

for (const [n, m] of GRID) {
  const group = `${n}x${m}`;
  const directFeasible = n * m <= DIRECT_LIMIT;
  for (const method of ["auto", "direct", "fft"] as const) {
    if (method === "direct" && !directFeasible) continue;
    bench(`${group} / convpool ${method}`, function* () {
      setWasmKernelsEnabled(true);
      if (activeKernelSet() !== "wasm") throw new Error("WebAssembly SIMD kernels unavailable");
      const x = opaqueSignal(Float32Array, n);
      const h = opaqueSignal(Float32Array, m);
      const options = { method, out: new Float32Array(n + m - 1) };
      yield () => do_not_optimize(convolve(x, h, options));
    });
  }
  if (directFeasible) {
    bench(`${group} / plain JS direct`, function* () {
      const x = opaqueSignal(Float32Array, n);
      const h = opaqueSignal(Float32Array, m);
      const y = new Float32Array(n + m - 1);
      yield () => do_not_optimize(plainJsConvolve(x, h, y));
    });
    bench(`${group} / ml-convolution direct`, function* () {
      const x = opaqueSignal(Float32Array, n);
      const h = opaqueSignal(Float32Array, m);
      yield () => do_not_optimize(directConvolution(x, h));
    });
  }
  bench(`${group} / ml-convolution fft`, function* () {
    const x = opaqueSignal(Float32Array, n);
    const h = opaqueSignal(Float32Array, m);
    yield () => do_not_optimize(fftConvolution(x, h));
  });
  bench(`${group} / fft.js OA`, function* () {
    const x = opaqueSignal(Float32Array, n);
    const h = opaqueSignal(Float32Array, m);
    const y = new Float32Array(n + m - 1);
    const run = fftJsOverlapAdd(n, m);
    yield () => {
      run(x, h, y);
      return do_not_optimize(y);
    };
  });
  bench(`${group} / pffft OA`, function* () {
    const x = opaqueSignal(Float32Array, n);
    const h = opaqueSignal(Float32Array, m);
    const y = new Float32Array(n + m - 1);
    const run = pffftOverlapAdd(n, m);
    yield () => {
      run(x, h, y);
      return do_not_optimize(y);
    };
  });
}

// The TypeScript fallback last, in its own rows: set-up switches WebAssembly off,
// the code after `yield` (run by mitata once sampling ends) switches it back on.
for (const [n, m] of GRID) {
  bench(`${n}x${m} / convpool TS auto`, function* () {
    setWasmKernelsEnabled(false);
    if (activeKernelSet() !== "typescript") throw new Error("could not force the TS kernels");
    const x = opaqueSignal(Float32Array, n);
    const h = opaqueSignal(Float32Array, m);
    const options = { method: "auto" as const, out: new Float32Array(n + m - 1) };
    yield () => do_not_optimize(convolve(x, h, options));
    setWasmKernelsEnabled(true);
  });
}

/**
 * Checks the hand-written peers against convpool once before timing anything: a
 * wrong peer would make every ratio meaningless. Relative to the output's peak.
 */
function checkPeers(): void {
  for (const [n, m] of GRID) {
    const x = opaqueSignal(Float32Array, n);
    const h = opaqueSignal(Float32Array, m);
    const want = convolve(x, h, { method: "fft" });
    let peak = 0;
    for (const v of want) peak = Math.max(peak, Math.abs(v));
    for (
      const [name, run] of [["fft.js OA", fftJsOverlapAdd(n, m)], [
        "pffft OA",
        pffftOverlapAdd(n, m),
      ]] as const
    ) {
      const got = new Float32Array(n + m - 1);
      run(x, h, got);
      let error = 0;
      for (let i = 0; i < got.length; i++) error = Math.max(error, Math.abs(got[i] - want[i]));
      if (!(error <= 1e-4 * peak)) {
        throw new Error(
          `${name} disagrees with convpool at ${n}x${m}: error ${error}, peak ${peak}`,
        );
      }
    }
  }
}

/** Runs every WebAssembly path of this file for a while first (see `warmUp`). */
function warmWebAssembly(): void {
  for (const [n, m] of GRID) {
    const x = opaqueSignal(Float32Array, n);
    const h = opaqueSignal(Float32Array, m);
    const y = new Float32Array(n + m - 1);
    for (const method of ["auto", "direct", "fft"] as const) {
      if (method === "direct" && n * m > DIRECT_LIMIT) continue;
      const options = { method, out: y };
      warmUp(() => convolve(x, h, options), 150);
    }
    const peer = pffftOverlapAdd(n, m);
    warmUp(() => peer(x, h, y), 150);
  }
}

checkPeers();
warmWebAssembly();
const filterArgument = (globalThis as { process?: { argv: string[] } }).process?.argv
  .find((a) => a.startsWith("--filter="));
// A filtered run writes .tmp/convolve.<runtime>.json (git-ignored), never the
// full results file that the README table is built from.
if (filterArgument !== undefined) {
  mkdirSync(new URL("../.tmp/", import.meta.url), { recursive: true });
}
await runAndSave(
  filterArgument === undefined ? "convolve" : "../../.tmp/convolve",
  filterArgument === undefined ? undefined : new RegExp(filterArgument.slice(9)),
);
setWasmKernelsEnabled(true);
