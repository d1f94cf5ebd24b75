/**
 * Shared public types of convpool.
 *
 * @module
 */

/** A floating-point typed array that convpool accepts as signal, kernel or output. */
export type Float = Float32Array | Float64Array;

/**
 * The output windows, as in `scipy.signal.convolve` (the one list of them).
 *
 * @example
 * ```ts
 * import { MODES } from "./types.ts";
 * console.log(MODES.includes("same")); // true
 * ```
 */
export const MODES = ["full", "same", "valid"] as const;

/** Output window of a convolution, with the semantics of `scipy.signal.convolve`. */
export type Mode = typeof MODES[number];

/**
 * The methods a caller can ask for (the one list of them).
 *
 * @example
 * ```ts
 * import { METHOD_CHOICES } from "./types.ts";
 * console.log(METHOD_CHOICES[0]); // "auto"
 * ```
 */
export const METHOD_CHOICES = ["auto", "direct", "fft"] as const;

/** How the convolution is computed; `"auto"` asks the cost model. */
export type Method = typeof METHOD_CHOICES[number];

/**
 * The kernel families, in the order telemetry counts them (the one list of them).
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
