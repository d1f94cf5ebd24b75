/**
 * The output window of each mode, as offsets into the full convolution
 * (SciPy's 1-D semantics, including a kernel longer than the signal), and the lag
 * of each output of a correlation ({@linkcode correlationLags}).
 *
 * @example
 * ```ts
 * import { outputLength, outputStart } from "./modes.ts";
 * console.log(outputLength(10, 3, "same"), outputStart(10, 3, "same")); // 10 1
 * ```
 *
 * @module
 */

import type { Mode } from "./types.ts";
import { checkFullOutputLength, parseMode, rangeError, typeError } from "./validate.ts";

/**
 * Number of outputs for a signal of length `n` and a kernel of length `m`:
 * full `n + m - 1`, same `n`, valid `max(n, m) - min(n, m) + 1`.
 */
export function outputLength(n: number, m: number, mode: Mode): number {
  if (mode === "full") return n + m - 1;
  if (mode === "same") return n;
  return Math.abs(n - m) + 1;
}

/**
 * Index into the full convolution of the first output: full `0`, same
 * `floor((m - 1) / 2)`, valid `min(n, m) - 1`.
 */
export function outputStart(n: number, m: number, mode: Mode): number {
  if (mode === "full") return 0;
  if (mode === "same") return (m - 1) >> 1;
  return Math.min(n, m) - 1;
}

/**
 * The lag of every output of {@linkcode correlate}`(signal, kernel, { mode })` for a
 * signal of `signalLength` samples and a kernel of `kernelLength` taps: output `i`
 * is `sum_j signal[j + lags[i]] * kernel[j]`, so the index of the correlation's peak
 * read through this array is the delay of `signal` relative to `kernel`.
 *
 * Equal to `scipy.signal.correlation_lags(signalLength, kernelLength, mode)` for
 * modes `"full"` and `"valid"` and for `"same"` with an even signal length or an odd
 * kernel length, in either length order. For `"same"` with an odd signal length and
 * an even kernel length, SciPy's `correlation_lags` (1.17) is one more than the lags
 * of SciPy's own `correlate` output (which centres `"same"` at `(m - 1) // 2`, as
 * convpool does); this function returns the lags of the output, so the recipe above
 * gives the right delay there too.
 *
 * Allocates the returned `Int32Array` (one element per output, at most
 * `MAX_OUTPUT_LENGTH` (2^28)), which belongs to the caller; nothing else.
 *
 * @throws {TypeError} when a length is not a number.
 * @throws {RangeError} when a length is not a positive integer, the full output would
 *   exceed `MAX_OUTPUT_LENGTH` (2^28) elements, or the mode is unknown.
 *
 * @example
 * ```ts
 * import { correlate, correlationLags } from "../mod.ts";
 * const kernel = new Float64Array([1, 2, 3, 4]);
 * const signal = new Float64Array([0, 0, 1, 2, 3, 4, 0, 0]); // kernel delayed by 2
 * const corr = correlate(signal, kernel);
 * const lags = correlationLags(signal.length, kernel.length); // Int32Array [-3, ..., 7]
 * let peak = 0;
 * for (let i = 1; i < corr.length; i++) if (corr[i] > corr[peak]) peak = i;
 * console.log(lags[peak]); // 2
 * ```
 */
export function correlationLags(
  signalLength: number,
  kernelLength: number,
  mode?: Mode,
): Int32Array {
  const caller = "correlationLags";
  const n = checkInputLength(signalLength, "signalLength", caller);
  const m = checkInputLength(kernelLength, "kernelLength", caller);
  checkFullOutputLength(n, m, caller);
  const parsed = parseMode(mode, caller);
  const lags = new Int32Array(outputLength(n, m, parsed));
  const first = outputStart(n, m, parsed) - (m - 1);
  for (let i = 0; i < lags.length; i++) lags[i] = first + i;
  return lags;
}

function checkInputLength(value: unknown, what: string, caller: string): number {
  if (typeof value !== "number") {
    throw typeError(caller, what, "a number", value);
  }
  if (!Number.isInteger(value) || value < 1) {
    throw rangeError(caller, what, "a positive integer", value);
  }
  return value;
}
