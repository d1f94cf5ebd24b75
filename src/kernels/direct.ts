/**
 * Output-stationary direct convolution in plain TypeScript.
 *
 * This is the reference path (the test oracle for faster kernels) and the
 * fallback where WebAssembly SIMD is missing. Each output is accumulated in
 * registers; interior outputs are computed four at a time with the signal
 * samples rotated through locals, so each inner step does one signal load and
 * one kernel load for four multiply-adds.
 *
 * @example
 * ```ts
 * import { convolveDirect } from "./direct.ts";
 * const out = new Float64Array(4);
 * convolveDirect(new Float64Array([1, 2, 3]), new Float64Array([1, 1]), out, 0, 4, false);
 * console.log(out); // Float64Array [1, 3, 5, 3]
 * ```
 *
 * @module
 */

import type { Float } from "../types.ts";
import type { WindowKernel } from "./window_kernel.ts";

/**
 * Writes `out[i] = full[start + i]` for `i` in `[0, length)`, where
 * `full[k] = sum_j signal[k - j] * kernel[j]` is the full linear convolution
 * (length `n + m - 1`). With `reverseKernel` the kernel is read back to front,
 * which turns the convolution into a correlation without copying the kernel.
 * Allocates nothing.
 */
export const convolveDirect: WindowKernel = (signal, kernel, out, start, length, reverseKernel) => {
  const n = signal.length;
  const m = kernel.length;
  const end = start + length;
  // Interior outputs k in [m - 1, n - 1] use every tap; the rest are edges.
  const interiorStart = Math.min(Math.max(start, m - 1), end);
  const interiorEnd = Math.max(Math.min(end, n), interiorStart);

  for (let k = start; k < interiorStart; k++) {
    out[k - start] = edgeOutput(signal, kernel, k, reverseKernel);
  }
  if (reverseKernel) {
    correlateInterior(signal, kernel, out, start, interiorStart, interiorEnd);
  } else {
    convolveInterior(signal, kernel, out, start, interiorStart, interiorEnd);
  }
  for (let k = interiorEnd; k < end; k++) {
    out[k - start] = edgeOutput(signal, kernel, k, reverseKernel);
  }
};

/** One output whose taps run off an end of the signal (or of the kernel). */
function edgeOutput(signal: Float, kernel: Float, k: number, reverseKernel: boolean): number {
  const n = signal.length;
  const m = kernel.length;
  const jLow = Math.max(0, k - n + 1);
  const jHigh = Math.min(m - 1, k);
  let sum = 0;
  if (reverseKernel) {
    for (let j = jLow; j <= jHigh; j++) sum += signal[k - j] * kernel[m - 1 - j];
  } else {
    for (let j = jLow; j <= jHigh; j++) sum += signal[k - j] * kernel[j];
  }
  return sum;
}

/** Interior outputs of `sum_j x[k - j] h[j]`, four per pass. */
function convolveInterior(
  x: Float,
  h: Float,
  out: Float,
  start: number,
  from: number,
  to: number,
): void {
  const m = h.length;
  let k = from;
  for (; k + 3 < to; k += 4) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    // Output k + i needs x[k + i - j]; stepping j shifts every sample one output up.
    let p1 = x[k + 1], p2 = x[k + 2], p3 = x[k + 3];
    for (let j = 0; j < m; j++) {
      const p0 = x[k - j];
      const tap = h[j];
      a0 += p0 * tap;
      a1 += p1 * tap;
      a2 += p2 * tap;
      a3 += p3 * tap;
      p3 = p2;
      p2 = p1;
      p1 = p0;
    }
    const o = k - start;
    out[o] = a0;
    out[o + 1] = a1;
    out[o + 2] = a2;
    out[o + 3] = a3;
  }
  for (; k < to; k++) {
    let sum = 0;
    for (let j = 0; j < m; j++) sum += x[k - j] * h[j];
    out[k - start] = sum;
  }
}

/** Interior outputs of `sum_t x[k - m + 1 + t] h[t]` (the reversed kernel), four per pass. */
function correlateInterior(
  x: Float,
  h: Float,
  out: Float,
  start: number,
  from: number,
  to: number,
): void {
  const m = h.length;
  let k = from;
  for (; k + 3 < to; k += 4) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const base = k - m + 1;
    // Output k + i needs x[base + i + t]; stepping t shifts every sample one output down.
    let p0 = x[base], p1 = x[base + 1], p2 = x[base + 2];
    for (let t = 0; t < m; t++) {
      const p3 = x[base + 3 + t];
      const tap = h[t];
      a0 += p0 * tap;
      a1 += p1 * tap;
      a2 += p2 * tap;
      a3 += p3 * tap;
      p0 = p1;
      p1 = p2;
      p2 = p3;
    }
    const o = k - start;
    out[o] = a0;
    out[o + 1] = a1;
    out[o + 2] = a2;
    out[o + 3] = a3;
  }
  for (; k < to; k++) {
    let sum = 0;
    const base = k - m + 1;
    for (let t = 0; t < m; t++) sum += x[base + t] * h[t];
    out[k - start] = sum;
  }
}
