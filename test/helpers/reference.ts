/**
 * Test oracle: a plain float64 direct convolution (and DFT), deterministic random
 * signals, and tolerance checks relative to the largest output magnitude or to the
 * scale of a convolution's rounding error.
 *
 * Every test module checks its kernels against these functions rather than a
 * copy of its own, so that there is one oracle to trust.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Float, Mode } from "../../src/types.ts";

/** Full linear convolution in float64, the naive way (or correlation with `reverse`). */
export function referenceFull(
  signal: ArrayLike<number>,
  kernel: ArrayLike<number>,
  reverse = false,
): Float64Array {
  return referenceWindow(signal, kernel, 0, signal.length + kernel.length - 1, reverse);
}

/**
 * Elements `[start, start + length)` of {@linkcode referenceFull}, bit for bit (the
 * same float64 sums in the same order), computing only the products that land in
 * the window, so a short window deep inside a long signal stays cheap.
 */
export function referenceWindow(
  signal: ArrayLike<number>,
  kernel: ArrayLike<number>,
  start: number,
  length: number,
  reverse = false,
): Float64Array {
  const n = signal.length;
  const m = kernel.length;
  const out = new Float64Array(length);
  for (let i = 0; i < n; i++) {
    const last = Math.min(m - 1, start + length - 1 - i);
    for (let j = Math.max(0, start - i); j <= last; j++) {
      out[i + j - start] += signal[i] * kernel[reverse ? m - 1 - j : j];
    }
  }
  return out;
}

/** The mode's window of {@linkcode referenceFull}, by SciPy's rules. */
export function referenceConvolve(
  signal: ArrayLike<number>,
  kernel: ArrayLike<number>,
  mode: Mode,
  reverse = false,
): Float64Array {
  const full = referenceFull(signal, kernel, reverse);
  const n = signal.length;
  const m = kernel.length;
  if (mode === "full") return full;
  if (mode === "same") return full.slice((m - 1) >> 1, ((m - 1) >> 1) + n);
  return full.slice(Math.min(n, m) - 1, Math.max(n, m));
}

/**
 * The `[mode, start, length]` window of the full output (length `n + m - 1`) that
 * each mode keeps, by SciPy's rules, for a signal of `n` and a kernel of `m`
 * samples: the windows {@linkcode referenceConvolve} slices.
 */
export function modeWindows(n: number, m: number): [mode: Mode, start: number, length: number][] {
  return [
    ["full", 0, n + m - 1],
    ["same", (m - 1) >> 1, n],
    ["valid", Math.min(n, m) - 1, Math.max(n, m) - Math.min(n, m) + 1],
  ];
}

/**
 * The naive DFT of a real signal of length `N`, bins `0..N/2` interleaved as
 * `[re0, im0, re1, im1, ...]` in an array of `N + 2` (the layout of a real FFT
 * plan's spectrum; the element past the last bin of an odd `N` stays 0), with
 * `k * t` reduced modulo `N` before it becomes an angle, so the twiddles are as
 * exact as they get.
 */
export function referenceRealDft(signal: ArrayLike<number>): Float64Array {
  const size = signal.length;
  const out = new Float64Array(size + 2);
  for (let k = 0; k <= size >> 1; k++) {
    let re = 0, im = 0;
    for (let t = 0; t < size; t++) {
      const angle = (2 * Math.PI * ((k * t) % size)) / size;
      re += signal[t] * Math.cos(angle);
      im -= signal[t] * Math.sin(angle);
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

/** A deterministic pseudo-random signal in [-1, 1) (mulberry32). */
export function randomSignal(
  ArrayType: Float32ArrayConstructor,
  length: number,
  seed: number,
): Float32Array;
/** A deterministic pseudo-random signal in [-1, 1) (mulberry32). */
export function randomSignal(
  ArrayType: Float64ArrayConstructor,
  length: number,
  seed: number,
): Float64Array;
/** A deterministic pseudo-random signal in [-1, 1) (mulberry32). */
export function randomSignal(
  ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
  length: number,
  seed: number,
): Float;
export function randomSignal(
  ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
  length: number,
  seed: number,
): Float {
  const out = new ArrayType(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** The largest magnitude among `values` (0 when empty; NaN when any is NaN). */
export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/**
 * The scale a convolution's rounding error is measured against:
 * `‖signal‖₂ · ‖kernel‖₂`. By Cauchy–Schwarz no output element exceeds it, and the
 * rounding error of direct summation and of FFT convolution alike is a small multiple
 * of the unit roundoff times it, whichever window of the output is compared. A
 * tolerance relative to the compared values themselves fails whenever they happen to
 * be small: the one "same" sample of a 1-sample signal that meets a tiny kernel tap,
 * or a short window whose terms cancel.
 */
export function convolutionScale(signal: ArrayLike<number>, kernel: ArrayLike<number>): number {
  return Math.sqrt(sumOfSquares(signal) * sumOfSquares(kernel));
}

function sumOfSquares(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum;
}

/**
 * Asserts `actual` has the length of `expected` and matches it elementwise within
 * `tolerance * scale` (a NaN anywhere fails). `scale` defaults to `max|expected|`,
 * making the tolerance relative to the largest output; pass `1` for an absolute
 * tolerance, or the magnitude of a larger whole that `expected` is a window of.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  label = "",
  scale: number = maxAbs(expected),
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  const bound = tolerance * Math.max(scale, 1e-300);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= bound)) {
      assert.fail(
        `${label}: element ${i} is ${actual[i]}, expected ${
          expected[i]
        } (error ${error} > ${bound})`,
      );
    }
  }
}
