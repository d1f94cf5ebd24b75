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

/** The kernel family that actually ran (reported by dispatch and telemetry). */
export type KernelMethod = "direct" | "fft" | "overlap_add";
