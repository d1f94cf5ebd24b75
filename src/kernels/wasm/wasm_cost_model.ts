/**
 * The cost model behind method `"auto"` when the WebAssembly SIMD kernels run:
 * direct against the fused overlap-add pipeline (the single-transform variant is
 * overlap-add with one large block, and measured never cheaper), in nanoseconds,
 * with one set of constants per precision (the float32 transforms run in f32x4 and cost
 * about half the float64 ones; both direct kernels sum in f64x2, float32 data being
 * widened to f64 first, and differ in what they copy).
 *
 * - direct: `directPerMultiplyAdd * work + directPerSample * copied + directPerCall`.
 *   `work` is what the kernel really computes ({@linkcode directWork}): every output
 *   of the window, rounded up to the register block (16 outputs in f32, 8 in f64),
 *   times all `m` taps, because the kernel runs over a zero-padded copy of the
 *   signal; this matters when the kernel is longer than the signal, where the exact
 *   product count is much smaller than the work done;
 * - overlap-add: `overlapAddPerUnit * units + overlapAddPerSample * copied +
 *   overlapAddPerCall`, where `units` ({@linkcode overlapAddUnits}) is the transform
 *   work of the block size the kernel itself will pick: per pair of blocks a
 *   forward and an inverse complex FFT (`2 N log2 N`) plus `4 N` for the multiply
 *   and accumulate, and one kernel transform;
 * - `copied = n + m + length`: both kernels copy the signal and kernel into linear
 *   memory and the window out.
 *
 * @example
 * ```ts
 * import { chooseWasmMethod } from "./wasm_cost_model.ts";
 * console.log(chooseWasmMethod(256, 15, 0, 270, false, false)); // "direct"
 * console.log(chooseWasmMethod(65536, 1023, 0, 66558, false, false)); // "overlap_add"
 * ```
 *
 * @module
 */

import type { KernelMethod } from "../../types.ts";
import { chooseOverlapAddSize, effectiveSignal } from "./wasm_kernels.ts";

/** Fitted costs of the WebAssembly kernels, in nanoseconds, per precision. */
export interface WasmCostConstants {
  /** Direct kernel, f32 data summed in f64x2: one multiply-add of {@linkcode directWork}. */
  directPerMultiplyAdd32: number;
  /** Direct kernel, f32: one sample copied in or out. */
  directPerSample32: number;
  /** Direct kernel, f32: fixed cost of a call (set-up, kernel reversal, call overhead). */
  directPerCall32: number;
  /** Overlap-add, f32: one transform unit (see the module docs). */
  overlapAddPerUnit32: number;
  /** Overlap-add, f32: one sample copied in or out. */
  overlapAddPerSample32: number;
  /** Overlap-add, f32: fixed cost of a call (table lookup, set-up). */
  overlapAddPerCall32: number;
  /** Direct kernel, f64x2: one multiply-add. */
  directPerMultiplyAdd64: number;
  /** Direct kernel, f64: one sample copied. */
  directPerSample64: number;
  /** Direct kernel, f64: fixed cost of a call. */
  directPerCall64: number;
  /** Overlap-add, f64: one transform unit. */
  overlapAddPerUnit64: number;
  /** Overlap-add, f64: one sample copied. */
  overlapAddPerSample64: number;
  /** Overlap-add, f64: fixed cost of a call. */
  overlapAddPerCall64: number;
}

/**
 * Constants fitted by `bench/calibrate_wasm.bench.ts` (weighted least squares on
 * mitata medians, 90 points x f32/f64 x three kernels: full mode, kernels longer
 * than the signal, "same" and "valid" windows; frequency-domain points alternate two
 * kernels so that every call transforms its kernel) on Node 20.20, Deno 2.9.6 and
 * Bun 1.4.5, 2-core x86-64 development machine shared with other jobs, 2026-11-25,
 * after the direct window became one WebAssembly call (its fixed cost fell from
 * about 115 to 80 ns); these are the joint fit over all three runtimes'
 * measurements, printed by `node --import tsx bench/calibrate_wasm.bench.ts --score`
 * after running `node --import tsx bench/calibrate_wasm.bench.ts`,
 * `node_modules/.bin/deno run -A bench/calibrate_wasm.bench.ts` and
 * `node_modules/.bin/bun bench/calibrate_wasm.bench.ts`. Per-runtime fits differ by a
 * few taps (Bun's direct kernel is relatively faster); one set for all keeps the
 * choice the same everywhere and costs little near the crossover, where the two
 * kernels are close anyway. With the fitted constants the first full-mode kernel length
 * that left direct was, for n = 256, 1024, 4096, 16384, 65536 and 2^20: f32 60, 49,
 * 39, 37, 35, 35; f64 52, 38, 34, 32, 31, 30. They picked the faster of direct and
 * overlap-add at 174/180 (Node), 174/180 (Deno) and 175/180 (Bun) of the measured
 * points (within 5% of it at 177, 174 and 179); the worst pick costs 1.10x (65536x32
 * f32, Node), 1.15x (262144x32 f32, Deno) and 1.09x (256x63 f32, Bun), all at the
 * crossover. Since then the f32 direct kernel sums in float64: it widens its data to
 * f64 tile by tile and runs the f64 kernel, so its multiply-add costs what the f64
 * kernel's does. `directPerMultiplyAdd32` is therefore not refitted but set from
 * `directPerMultiplyAdd64` times the ratio of f32 to f64 direct time measured at
 * 4096 x 15, 63 and 255 in one process; the f32 per-sample and per-call
 * constants (copies of float32 data) are unchanged. The f32 crossover moved to
 * shorter kernels: 29, 21, 18, 17, 17 and 17 taps for the signal lengths above (the
 * f32 transforms are cheaper than the f64 ones while the direct sums now cost the
 * same), which timings of both kernels at 256 x 24/32 and 4096 x 16/20/28 confirm.
 */
export const WASM_COST_CONSTANTS: Readonly<WasmCostConstants> = Object.freeze({
  directPerMultiplyAdd32: 0.117,
  directPerSample32: 0.101,
  directPerCall32: 80.2,
  overlapAddPerUnit32: 0.142,
  overlapAddPerSample32: 0.335,
  overlapAddPerCall32: 265,
  directPerMultiplyAdd64: 0.121,
  directPerSample64: 0.199,
  directPerCall64: 72.4,
  overlapAddPerUnit64: 0.295,
  overlapAddPerSample64: 0.347,
  overlapAddPerCall64: 209,
});

/**
 * Multiply-adds the direct WebAssembly kernel performs for a window of `length`
 * outputs with an `m`-tap kernel: outputs rounded up to its register block (16 in
 * f32, 8 in f64), each over all `m` taps of the zero-padded signal.
 */
export function directWork(m: number, length: number, f64: boolean): number {
  const block = f64 ? 8 : 16;
  return Math.ceil(length / block) * block * m;
}

/** Transform work units of the overlap-add pipeline for this window (see the module docs). */
export function overlapAddUnits(
  n: number,
  m: number,
  start: number,
  length: number,
  f64: boolean,
): number {
  const samples = effectiveSignal(n, m, start, length);
  const size = chooseOverlapAddSize(samples, m, f64);
  const transform = size * Math.log2(size);
  const pairs = Math.ceil(Math.ceil(samples / (size - m + 1)) / 2);
  return pairs * (2 * transform + 4 * size) + transform + 2 * size;
}

/**
 * Picks `"direct"` or `"overlap_add"` for the window `[start, start + length)` of
 * an `n`-sample signal and an `m`-tap kernel, computed in f64 when `f64`; with
 * `frequencyOnly` (method `"fft"`) always the overlap-add pipeline. Allocates nothing.
 */
export function chooseWasmMethod(
  n: number,
  m: number,
  start: number,
  length: number,
  f64: boolean,
  frequencyOnly: boolean,
  constants: Readonly<WasmCostConstants> = WASM_COST_CONSTANTS,
): KernelMethod {
  if (frequencyOnly) return "overlap_add";
  const c = constants;
  const copied = n + m + length;
  const direct = f64
    ? c.directPerMultiplyAdd64 * directWork(m, length, true) + c.directPerSample64 * copied +
      c.directPerCall64
    : c.directPerMultiplyAdd32 * directWork(m, length, false) + c.directPerSample32 * copied +
      c.directPerCall32;
  const units = overlapAddUnits(n, m, start, length, f64);
  const overlapAdd = f64
    ? c.overlapAddPerUnit64 * units + c.overlapAddPerSample64 * copied + c.overlapAddPerCall64
    : c.overlapAddPerUnit32 * units + c.overlapAddPerSample32 * copied + c.overlapAddPerCall32;
  return overlapAdd < direct ? "overlap_add" : "direct";
}
