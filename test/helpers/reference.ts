/**
 * Test oracle: a plain float64 direct convolution, deterministic random signals
 * and a tolerance check relative to the largest output magnitude.
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
  const n = signal.length;
  const m = kernel.length;
  const full = new Float64Array(n + m - 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) full[i + j] += signal[i] * kernel[reverse ? m - 1 - j : j];
  }
  return full;
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

/** Asserts `actual` matches `expected` elementwise within `tolerance * max|expected|`. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  label = "",
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
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
