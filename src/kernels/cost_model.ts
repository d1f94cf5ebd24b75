/**
 * The cost model behind method `"auto"`: predicts the running time of the
 * direct, single-FFT and overlap-add kernels for one convolution window and
 * picks the cheapest, like SciPy's `choose_conv_method`, but with constants
 * calibrated on convpool's own TypeScript kernels.
 *
 * - direct: `directPerMultiplyAdd * interiorMacs + directPerEdgeMultiplyAdd *
 *   edgeMacs + directPerOutput * length`, counting exactly the products that the
 *   window needs; outputs whose taps run off an end of the signal go through a
 *   slower bounds-checked loop in the direct kernel, hence their own constant;
 * - fft: `fftPerPoint * 3 * N log2 N + fftPerCall` for two forward transforms
 *   and one inverse at the size of {@linkcode fftSizeForWindow};
 * - overlap-add: `overlapAddPerPoint * (2 * blocks + 1) * B log2 B +
 *   overlapAddPerBlock * blocks + fftPerCall` at the block size `B` of
 *   {@linkcode chooseBlockSize}, counting only the blocks that touch the window.
 *   It has its own per-point constant because its many small transforms run
 *   from cache with loop overheads that one large transform does not have.
 *
 * @example
 * ```ts
 * import { chooseMethod } from "./cost_model.ts";
 * console.log(chooseMethod(256, 15, 270)); // "direct"
 * console.log(chooseMethod(65536, 1023, 66558)); // "overlap_add"
 * ```
 *
 * @module
 */

import type { KernelMethod } from "../types.ts";
import { fftSizeForWindow } from "./fft_convolve.ts";
import { chooseBlockSize } from "./overlap_add.ts";

/** Fitted per-unit costs, in nanoseconds. */
export interface CostConstants {
  /** Direct kernel: one multiply-add of an interior output (every tap inside the signal). */
  directPerMultiplyAdd: number;
  /** Direct kernel: one multiply-add of an edge output. */
  directPerEdgeMultiplyAdd: number;
  /** Direct kernel: per output (loop set-up, store). */
  directPerOutput: number;
  /** Single FFT: one `N log2 N` unit of one real transform (multiply and copy included). */
  fftPerPoint: number;
  /** Both FFT kernels: fixed cost of a call (plan lookup, workspace, set-up). */
  fftPerCall: number;
  /** Overlap-add: one `B log2 B` unit of one block transform. */
  overlapAddPerPoint: number;
  /** Overlap-add: fixed cost per block beyond its transforms. */
  overlapAddPerBlock: number;
}

/**
 * Constants fitted by `node --import tsx bench/crossover.bench.ts` (medians of
 * mitata over a sweep of signal and kernel lengths), rounded. Deno and Bun run every
 * kernel faster but in nearly the same ratios, so one set serves all three
 * runtimes. The command prints the fitted values for the runtime it runs on.
 *
 * @example
 * ```ts
 * import { COST_CONSTANTS } from "./cost_model.ts";
 * console.log(COST_CONSTANTS.fftPerCall > 0); // true
 * ```
 */
export const COST_CONSTANTS: Readonly<CostConstants> = Object.freeze({
  directPerMultiplyAdd: 0.53,
  directPerEdgeMultiplyAdd: 1.84,
  directPerOutput: 0.94,
  fftPerPoint: 0.855,
  fftPerCall: 450,
  overlapAddPerPoint: 1.0,
  overlapAddPerBlock: 110,
});

/** Predicted running times (nanoseconds) of each kernel for one window. */
export interface MethodCosts {
  /** Direct (output-stationary) kernel. */
  direct: number;
  /** One FFT over the whole window. */
  fft: number;
  /** Overlap-add with the SciPy-style block size. */
  overlap_add: number;
}

/** Options of {@linkcode chooseMethod} and {@linkcode estimateCosts}. */
export interface CostOptions {
  /**
   * First full-convolution index of the window. Defaults to the centred window
   * `floor((n + m - 1 - outputLength) / 2)`, which is exact for the modes
   * full, same and valid.
   */
  start?: number;
  /** Constants to use instead of {@linkcode COST_CONSTANTS} (calibration, tests). */
  constants?: CostConstants;
  /** Choose between the FFT kernels only (what method `"fft"` asks for). */
  frequencyOnly?: boolean;
}

/**
 * Number of multiply-adds that a direct computation of the full-convolution
 * window `[start, start + length)` of a length-`n` signal and a length-`m`
 * kernel performs (the output at `k` needs `min(k + 1, n, m, n + m - 1 - k)`).
 */
export function directMultiplyAdds(n: number, m: number, start: number, length: number): number {
  const s = Math.min(n, m);
  const total = n + m - 1;
  const end = start + length;
  return risingEdge(end, s) - risingEdge(start, s) + risingEdge(total - start, s) -
    risingEdge(total - end, s) - s * length;
}

/** Prefix sum of `min(k + 1, s)` over `k < count`: the rising edge (the falling one is its mirror). */
function risingEdge(count: number, s: number): number {
  return count <= s ? count * (count + 1) / 2 : s * (s + 1) / 2 + (count - s) * s;
}

/**
 * Number of outputs of the window `[start, start + length)` that use every tap
 * of the kernel with all taps inside the signal (`k` in `[m - 1, n - 1]`); zero
 * when the kernel is longer than the signal.
 */
export function directInteriorOutputs(n: number, m: number, start: number, length: number): number {
  return Math.max(0, Math.min(start + length, n) - Math.max(start, m - 1));
}

/**
 * A kernel's predicted time (ns) for the window `[start, start + length)` of an
 * `n`-sample signal and an `m`-tap kernel, with the fitted constants `c`.
 */
export type WindowCost = (
  n: number,
  m: number,
  start: number,
  length: number,
  c: Readonly<CostConstants>,
) => number;

/** Predicted time (ns) of the direct kernel for the window `[start, start + length)`. */
export const directCost: WindowCost = (n, m, start, length, c) => {
  const interior = directInteriorOutputs(n, m, start, length) * m;
  const edge = directMultiplyAdds(n, m, start, length) - interior;
  return c.directPerMultiplyAdd * interior + c.directPerEdgeMultiplyAdd * edge +
    c.directPerOutput * length;
};

/** Predicted time (ns) of the single-FFT kernel for the window `[start, start + length)`. */
export const fftCost: WindowCost = (n, m, start, length, c) => {
  return c.fftPerPoint * 3 * transformUnits(fftSizeForWindow(n, m, start, length)) + c.fftPerCall;
};

/** Predicted time (ns) of the overlap-add kernel for the window `[start, start + length)`. */
export const overlapAddCost: WindowCost = (n, m, start, length, c) => {
  const long = Math.max(n, m), short = Math.min(n, m);
  const block = chooseBlockSize(long, short);
  const step = block - short + 1;
  const first = Math.max(0, Math.floor((start - block) / step) + 1);
  const last = Math.min(Math.ceil(long / step), Math.ceil((start + length) / step));
  const blocks = Math.max(last - first, 1);
  return c.overlapAddPerPoint * (2 * blocks + 1) * transformUnits(block) +
    c.overlapAddPerBlock * blocks + c.fftPerCall;
};

/** Predicts the running time of every kernel for the given window. */
export function estimateCosts(
  n: number,
  m: number,
  outputLength: number,
  options?: CostOptions,
): MethodCosts {
  const c = options?.constants ?? COST_CONSTANTS;
  const start = options?.start ?? centredStart(n, m, outputLength);
  return {
    direct: directCost(n, m, start, outputLength, c),
    fft: fftCost(n, m, start, outputLength, c),
    overlap_add: overlapAddCost(n, m, start, outputLength, c),
  };
}

/**
 * Picks the kernel predicted to be fastest for an `n`-sample signal, an
 * `m`-tap kernel and an output window of `outputLength` samples (see
 * {@linkcode CostOptions.start}). Ties go to the simpler kernel. Allocates
 * nothing (it runs on every call of method `"auto"`); pass a hoisted options object.
 */
export function chooseMethod(
  n: number,
  m: number,
  outputLength: number,
  options?: CostOptions,
): KernelMethod {
  if (outputLength <= 0) return "direct";
  const c = options?.constants ?? COST_CONSTANTS;
  const start = options?.start ?? centredStart(n, m, outputLength);
  let best: KernelMethod = "direct";
  let bestCost = options?.frequencyOnly ? Infinity : directCost(n, m, start, outputLength, c);
  const fft = fftCost(n, m, start, outputLength, c);
  if (fft < bestCost) {
    best = "fft";
    bestCost = fft;
  }
  if (overlapAddCost(n, m, start, outputLength, c) < bestCost) best = "overlap_add";
  return best;
}

/** Options that restrict {@linkcode chooseMethod} to the FFT kernels (method `"fft"`). */
export const FREQUENCY_ONLY: Readonly<CostOptions> = Object.freeze({ frequencyOnly: true });

function centredStart(n: number, m: number, outputLength: number): number {
  return Math.floor((n + m - 1 - outputLength) / 2);
}

function transformUnits(size: number): number {
  return size * Math.max(Math.log2(size), 1);
}
