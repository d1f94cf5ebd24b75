/**
 * The output window of each mode, as offsets into the full convolution
 * (SciPy's 1-D semantics, including a kernel longer than the signal).
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
