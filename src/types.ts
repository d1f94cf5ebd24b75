/**
 * Shared public types of convpool.
 *
 * @module
 */

/** A floating-point typed array that convpool accepts as signal, kernel or output. */
export type Float = Float32Array | Float64Array;

/** Output window of a convolution, with the semantics of `scipy.signal.convolve`. */
export type Mode = "full" | "same" | "valid";

/** How the convolution is computed; `"auto"` asks the cost model. */
export type Method = "auto" | "direct" | "fft";

/**
 * The kernel families, in the index order of the operation counters
 * (`convpool.method`).
 *
 * @example
 * ```ts
 * import { KERNEL_METHODS } from "./types.ts";
 * console.log(KERNEL_METHODS.indexOf("fft")); // 1
 * ```
 */
export const KERNEL_METHODS = ["direct", "fft", "overlap_add"] as const;

/** The kernel family that actually ran (reported by dispatch and telemetry). */
export type KernelMethod = typeof KERNEL_METHODS[number];
