/**
 * The cost model behind method `"auto"` when the WebAssembly SIMD kernels run:
 * direct against the fused overlap-add pipeline (the single-transform variant is
 * overlap-add with one large block, never cheaper), in nanoseconds.
 *
 * - direct: `directPerMultiplyAdd * macs + directPerCall`, `macs` counted exactly
 *   for the window;
 * - overlap-add: `overlapAddPerUnit * units + overlapAddPerCall`, where `units` is
 *   the transform work of the block size the kernel itself will pick
 *   ({@linkcode chooseOverlapAddSize}): per pair of blocks a forward and an inverse
 *   complex FFT (`2 N log2 N`) plus `4 N` for the multiply and accumulate, and
 *   one kernel transform.
 *
 * @example
 * ```ts
 * import { chooseWasmMethod } from "./wasm_cost_model.ts";
 * console.log(chooseWasmMethod(256, 15, 0, 270, false, false)); // "direct"
 * ```
 *
 * @module
 */

import type { KernelMethod } from "../../types.ts";
import { directMultiplyAdds } from "../cost_model.ts";
import { chooseOverlapAddSize, effectiveSignal } from "./wasm_kernels.ts";

/** Fitted per-unit costs of the WebAssembly kernels, in nanoseconds. */
export interface WasmCostConstants {
  /** Direct kernel, f32x4: one multiply-add. */
  directPerMultiplyAdd32: number;
  /** Direct kernel, f64x2: one multiply-add. */
  directPerMultiplyAdd64: number;
  /** Direct kernel: fixed cost of a call (copies in and out, set-up). */
  directPerCall: number;
  /** Overlap-add, f32: one transform unit (see the module docs). */
  overlapAddPerUnit32: number;
  /** Overlap-add, f64: one transform unit. */
  overlapAddPerUnit64: number;
  /** Overlap-add: fixed cost of a call. */
  overlapAddPerCall: number;
}

/**
 * Constants fitted on the medians of `bench/wasm_kernels.bench.ts` (Node 20.20,
 * Deno 2.9.6 and Bun 1.4.5 on the 2-core development machine agree within 20%).
 */
export const WASM_COST_CONSTANTS: Readonly<WasmCostConstants> = Object.freeze({
  directPerMultiplyAdd32: 0.065,
  directPerMultiplyAdd64: 0.14,
  directPerCall: 150,
  overlapAddPerUnit32: 0.075,
  overlapAddPerUnit64: 0.15,
  overlapAddPerCall: 300,
});

/** Transform work units of the overlap-add pipeline for this window (see the module docs). */
export function overlapAddUnits(
  n: number,
  m: number,
  start: number,
  length: number,
  f64: boolean,
): number {
  const samples = effectiveSignal(n, m, start, length);
  const size = chooseOverlapAddSize(samples, m, f64, false);
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
  const direct = (f64 ? c.directPerMultiplyAdd64 : c.directPerMultiplyAdd32) *
      directMultiplyAdds(n, m, start, length) + c.directPerCall;
  const overlapAdd = (f64 ? c.overlapAddPerUnit64 : c.overlapAddPerUnit32) *
      overlapAddUnits(n, m, start, length, f64) + c.overlapAddPerCall;
  return overlapAdd < direct ? "overlap_add" : "direct";
}
