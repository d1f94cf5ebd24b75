/**
 * The transposed problem: when the kernel is longer than the signal, the kernels
 * are given the kernel as their signal and the signal as their kernel, so that the
 * work follows the shorter input (the direct kernel does one multiply-add per output
 * and tap, so a 1-sample signal with a 65,536-tap kernel costs 65,536 multiply-adds,
 * not 65,536 squared). The caller's output window and SciPy's mode semantics do
 * not change:
 *
 * - convolution commutes, `x * h = h * x`: same full output, same window;
 * - correlation is `x * reverse(h)`, and `x * reverse(h) = reverse(h * reverse(x))`,
 *   so the kernels correlate `h` with `x` over the mirrored window
 *   `[n + m - 1 - start - length, n + m - 1 - start)` and the caller reverses the
 *   window in place afterwards.
 *
 * @example
 * ```ts
 * import { kernelWindowStart, transposes } from "./transpose.ts";
 * // correlate(x of 1, h of 5), full mode: window [0, 5) of the full output
 * console.log(transposes(1, 5), kernelWindowStart(1, 5, 0, 5, true)); // true 0
 * // same mode of correlate(x of 2, h of 5): start 2, length 2 -> mirrored start 2
 * console.log(kernelWindowStart(2, 5, 2, 2, true)); // 2
 * ```
 *
 * @module
 */

/** True when a signal of `n` samples and a kernel of `m` taps run transposed (`m > n`). */
export function transposes(n: number, m: number): boolean {
  return m > n;
}

/**
 * First index of the window that the kernels compute, for the caller's window
 * `[start, start + length)` of the full output: unchanged unless the problem is
 * transposed and is a correlation, where it is the mirrored window's start.
 */
export function kernelWindowStart(
  n: number,
  m: number,
  start: number,
  length: number,
  correlate: boolean,
): number {
  return transposes(n, m) && correlate ? n + m - 1 - start - length : start;
}
