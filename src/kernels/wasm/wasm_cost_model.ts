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
import { nextPowerOfTwo } from "../power_of_two.ts";
import { directOutputCount, type WindowMeasure } from "./wasm_layout.ts";

/**
 * Smallest complex FFT size the WebAssembly kernels use (their radix-4 tables need
 * at least this many points).
 *
 * @example
 * ```ts
 * import { MIN_WASM_FFT_SIZE } from "./wasm_cost_model.ts";
 * console.log(MIN_WASM_FFT_SIZE); // 16
 * ```
 */
export const MIN_WASM_FFT_SIZE = 16;

/**
 * Working-set bytes above which a transform is treated as memory-bound (an L2-sized
 * cache): block sizes whose four work arrays exceed it cost {@linkcode
 * OUT_OF_CACHE_PENALTY} times their transform work.
 */
const CACHE_BYTES = 512 * 1024;
const OUT_OF_CACHE_PENALTY = 1.25;

/**
 * Number of signal samples that the output window `[start, start + length)` reads
 * (at least 1).
 *
 * @example
 * ```ts
 * import { effectiveSignal } from "./wasm_cost_model.ts";
 * console.log(effectiveSignal(1000, 10, 0, 1009)); // 1000
 * console.log(effectiveSignal(1000, 10, 500, 1)); // 10
 * ```
 */
export function effectiveSignal(n: number, m: number, start: number, length: number): number {
  const lo = Math.max(0, start - m + 1);
  const hi = Math.min(n, start + length);
  return Math.max(1, hi - lo);
}

/**
 * Transform work units of the fused overlap-add pipeline at complex FFT size `size`
 * for `nEff` signal samples and an `m`-tap kernel: per pair of blocks a forward and
 * an inverse transform (`2 N log2 N`) plus `4 N` to multiply and accumulate, and one
 * kernel transform (`N log2 N + 2 N`).
 *
 * @example
 * ```ts
 * import { overlapAddSizeUnits } from "./wasm_cost_model.ts";
 * console.log(overlapAddSizeUnits(17, 16, 32)); // 672
 * ```
 */
export function overlapAddSizeUnits(nEff: number, m: number, size: number): number {
  const block = size - m + 1;
  const pairs = Math.ceil(Math.ceil(nEff / block) / 2);
  const transform = size * Math.log2(size);
  return pairs * (2 * transform + 4 * size) + transform + 2 * size;
}

/**
 * Complex FFT size for overlap-add of `nEff` signal samples with an m-tap kernel:
 * the one that minimises {@linkcode overlapAddSizeUnits} (the kernel spectrum
 * counted as if it could not be reused), sizes that leave the cache paying a
 * penalty because the transform then becomes memory-bound.
 *
 * @example
 * ```ts
 * import { chooseOverlapAddSize } from "./wasm_cost_model.ts";
 * console.log(chooseOverlapAddSize(1 << 20, 15, false)); // a few hundred points, not 2^20
 * ```
 */
export function chooseOverlapAddSize(nEff: number, m: number, f64: boolean): number {
  const bytes = f64 ? 8 : 4;
  let best = 0;
  let bestCost = Infinity;
  const smallest = nextPowerOfTwo(m + 1, MIN_WASM_FFT_SIZE);
  // A signal much shorter than the kernel still needs one block of at least m + 1.
  const limit = Math.max(
    smallest,
    nextPowerOfTwo(Math.ceil(nEff / 2) + m - 1, MIN_WASM_FFT_SIZE),
  );
  for (let size = smallest; size <= limit; size *= 2) {
    let cost = overlapAddSizeUnits(nEff, m, size);
    if (4 * size * bytes > CACHE_BYTES) cost *= OUT_OF_CACHE_PENALTY;
    if (cost < bestCost) {
      bestCost = cost;
      best = size;
    }
  }
  return best;
}

/**
 * The single-transform block size: the whole window's `nEff` signal samples in one
 * pair of blocks (method `"fft"` of the WebAssembly set). `f64` is unused: the size
 * does not depend on precision (the parameter keeps the signature of
 * {@linkcode chooseOverlapAddSize}).
 *
 * @example
 * ```ts
 * import { singleTransformSize } from "./wasm_cost_model.ts";
 * console.log(singleTransformSize(1000, 31, false)); // 1024 >= 500 + 30
 * ```
 */
export function singleTransformSize(nEff: number, m: number, _f64?: boolean): number {
  return nextPowerOfTwo(Math.ceil(nEff / 2) + m - 1, MIN_WASM_FFT_SIZE);
}

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
 * Constants fitted by `bench/calibrate_wasm.bench.ts`: weighted least squares on
 * mitata medians of both kernels in f32 and f64 (full, "same" and "valid" windows,
 * kernels longer than the signal; frequency-domain points alternate two kernels so
 * that every call transforms its kernel), one joint fit over Node, Deno and Bun so
 * that the choice is the same everywhere. Refit by running that bench on each
 * runtime, then `node --import tsx bench/calibrate_wasm.bench.ts --score`, which
 * prints the fitted values and how often they pick the faster kernel.
 *
 * The float32 direct kernel widens its data to float64 and sums in float64, so its
 * multiply-add costs what the float64 kernel's does: `directPerMultiplyAdd32` is
 * `directPerMultiplyAdd64` times the float32/float64 direct time ratio measured in one
 * process, until the next joint fit.
 *
 * @example
 * ```ts
 * import { WASM_COST_CONSTANTS } from "./wasm_cost_model.ts";
 * console.log(WASM_COST_CONSTANTS.directPerMultiplyAdd32 > 0); // true
 * ```
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
  return directOutputCount(length, f64) * m;
}

/** Transform work units of the overlap-add pipeline for this window (see the module docs). */
export const overlapAddUnits: WindowMeasure = (n, m, start, length, f64) => {
  const samples = effectiveSignal(n, m, start, length);
  return overlapAddSizeUnits(samples, m, chooseOverlapAddSize(samples, m, f64));
};

/**
 * Picks `"direct"` or `"overlap_add"` for the window `[start, start + length)` of
 * an `n`-sample signal and an `m`-tap kernel, computed in f64 when `f64`; with
 * `frequencyOnly` (method `"fft"`) always the overlap-add pipeline. With
 * `float64Transforms` a float32 window's transforms are priced in float64 (see
 * `WasmFftOptions.float64` in `wasm_kernels.ts`); its direct sums stay float32-priced.
 * Allocates nothing.
 */
export function chooseWasmMethod(
  n: number,
  m: number,
  start: number,
  length: number,
  f64: boolean,
  frequencyOnly: boolean,
  float64Transforms = false,
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
  const wide = f64 || float64Transforms;
  const units = overlapAddUnits(n, m, start, length, wide);
  const overlapAdd = wide
    ? c.overlapAddPerUnit64 * units + c.overlapAddPerSample64 * copied + c.overlapAddPerCall64
    : c.overlapAddPerUnit32 * units + c.overlapAddPerSample32 * copied + c.overlapAddPerCall32;
  return overlapAdd < direct ? "overlap_add" : "direct";
}
