/**
 * Whether SciPy's `method="auto"` would transform a 1-D real problem rather than sum
 * it directly: the cost model of `scipy.signal.choose_conv_method` (SciPy's
 * `_conv_ops` and `_fftconv_faster`, with SciPy's own fitted constants for
 * one-dimensional inputs), restated here so that convpool's `auto` can match SciPy's
 * `auto` in accuracy on float32 data.
 *
 * Where SciPy sums directly its float32 error is that of short float32 sums, which no
 * float32 transform matches; there convpool's `auto` computes in float64 (direct sums,
 * or float64 transforms, whichever its own cost model finds faster) and rounds each
 * output once. Where SciPy transforms in float32, convpool's float32 transforms have
 * a lower root-mean-square error than SciPy's (the float32 section of the README gives
 * the figures and how one draw's largest error spreads).
 *
 * @example
 * ```ts
 * import { scipyAutoTransforms } from "./scipy_auto_choice.ts";
 * console.log(scipyAutoTransforms(4096, 63, "full")); // false: SciPy sums directly
 * console.log(scipyAutoTransforms(65536, 1023, "full")); // true: SciPy transforms
 * ```
 *
 * @module
 */

import type { Mode } from "../types.ts";

/** SciPy's fitted seconds per transform operation and per direct operation, and its offset. */
interface ChoiceConstants {
  readonly perTransformOp: number;
  readonly perDirectOp: number;
  readonly offset: number;
}

/** The 1-D constants of `_fftconv_faster`, as in SciPy 1.17. */
const ONE_DIMENSIONAL: Readonly<Record<Mode, ChoiceConstants>> = Object.freeze({
  valid: { perTransformOp: 1.89095737e-9, perDirectOp: 2.1364985e-10, offset: -1e-3 },
  full: { perTransformOp: 1.764907e-9, perDirectOp: 2.1414831e-10, offset: -1e-3 },
  same: { perTransformOp: 3.2646654e-9, perDirectOp: 2.8478277e-10, offset: -1e-3 },
});

/** `same` mode when the kernel is longer than the signal. */
const SAME_LONG_KERNEL: ChoiceConstants = Object.freeze({
  perTransformOp: 3.21635404e-9,
  perDirectOp: 1.1773253e-8,
  offset: -1e-5,
});

/**
 * True when `scipy.signal.convolve(x, h, mode, method="auto")` (and `correlate`,
 * which chooses the same way) with `x.size === signalLength` and
 * `h.size === kernelLength` picks `"fft"`, false when it picks `"direct"`. Pure
 * arithmetic on the lengths: allocates nothing.
 *
 * @example
 * ```ts
 * import { scipyAutoTransforms } from "./scipy_auto_choice.ts";
 * console.log(scipyAutoTransforms(256, 15, "same")); // false
 * ```
 */
export function scipyAutoTransforms(
  signalLength: number,
  kernelLength: number,
  mode: Mode,
): boolean {
  const n = signalLength;
  const m = kernelLength;
  let directOps: number;
  if (mode === "full") directOps = n * m;
  else if (mode === "valid") directOps = m >= n ? (m - n + 1) * n : (n - m + 1) * m;
  else directOps = n < m ? n * m : n * m - Math.floor(m / 2) * Math.floor((m + 1) / 2);
  const fullLength = n + m - 1;
  const transformOps = 3 * fullLength * Math.log(fullLength);
  const c = mode === "same" && m > n ? SAME_LONG_KERNEL : ONE_DIMENSIONAL[mode];
  return c.perTransformOp * transformOps < c.perDirectOp * directOps + c.offset;
}
