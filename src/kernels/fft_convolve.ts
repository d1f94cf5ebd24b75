/**
 * Single-FFT convolution in plain TypeScript: both operands are transformed
 * once at a power-of-two size, multiplied, and transformed back.
 *
 * The transform is only as large as the requested window needs: a circular
 * convolution of size `N` equals the linear one on `[start, start + length)` as
 * long as no wrapped-around term lands there, which holds when
 * `N >= start + length` and `N >= n + m - 1 - start` (see
 * {@linkcode fftSizeForWindow}). So "valid" and "same" windows use transforms up
 * to half the size a full-length FFT would take.
 *
 * @example
 * ```ts
 * import { convolveFft } from "./fft_convolve.ts";
 * import { CachedWorkspace } from "./workspace.ts";
 * const out = new Float64Array(4);
 * const ws = new CachedWorkspace();
 * convolveFft(new Float64Array([1, 2, 3]), new Float64Array([1, 1]), out, 0, 4, false, ws);
 * console.log(out); // ≈ Float64Array [1, 3, 5, 3]
 * ```
 *
 * @module
 */

import { getRealFftPlan, multiplySpectra } from "./real_fft.ts";
import { nextPowerOfTwo } from "./power_of_two.ts";
import type { ScratchWindowKernel } from "./window_kernel.ts";

/**
 * Smallest power-of-two transform size whose circular convolution of a length-`n`
 * signal and a length-`m` kernel equals the full linear convolution on the window
 * `[start, start + length)`, and which holds both operands.
 */
export function fftSizeForWindow(n: number, m: number, start: number, length: number): number {
  const needed = Math.max(n, m, start + length, n + m - 1 - start);
  return nextPowerOfTwo(needed);
}

/**
 * Writes `out[i] = full[start + i]` for `i` in `[0, length)`, where
 * `full[k] = sum_j signal[k - j] * kernel[j]`, by one forward FFT per operand and
 * one inverse FFT. With `reverseKernel` the kernel is read back to front (a
 * correlation) without copying it. All scratch (two spectra of `N + 2` float64
 * values) comes from `workspace`; nothing is allocated once the transform size
 * has been seen.
 */
export const convolveFft: ScratchWindowKernel = (
  signal,
  kernel,
  out,
  start,
  length,
  reverseKernel,
  workspace,
) => {
  if (length <= 0) return;
  const n = signal.length;
  const m = kernel.length;
  const size = fftSizeForWindow(n, m, start, length);
  const plan = getRealFftPlan(size);
  const signalSpectrum = workspace.takeFloat64(plan.spectrumLength);
  const kernelSpectrum = workspace.takeFloat64(plan.spectrumLength);
  plan.forwardSegment(signal, 0, n, 1, signalSpectrum);
  if (reverseKernel) {
    plan.forwardSegment(kernel, m - 1, m, -1, kernelSpectrum);
  } else {
    plan.forwardSegment(kernel, 0, m, 1, kernelSpectrum);
  }
  multiplySpectra(signalSpectrum, kernelSpectrum, signalSpectrum, (size >> 1) + 1);
  // The kernel's spectrum is no longer needed: its array receives the result.
  plan.inverse(signalSpectrum, kernelSpectrum);
  for (let i = 0; i < length; i++) out[i] = kernelSpectrum[start + i];
};
