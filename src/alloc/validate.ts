/**
 * Argument checks shared by the allocation engine's modules: element types,
 * element counts and human-readable descriptions of received values.
 *
 * Every check throws a `TypeError` (wrong type) or a `RangeError` (right type,
 * unusable value) whose message quotes what was received.
 *
 * @example
 * ```ts
 * import { checkLength, describeValue } from "./validate.ts";
 * checkLength(16, "acquireFloat32(length)"); // ok
 * console.log(describeValue(new Float32Array(4))); // "Float32Array(4)"
 * ```
 *
 * @module
 */

/** Element type of a buffer the engine hands out. */
export type Dtype = "float32" | "float64";

/** Largest request, in bytes, that the engine serves (size class 31, 2 GiB). */
export const MAX_REQUEST_BYTES = 2 ** 31;

/** Describes a received value for error messages (shared with the public API). */
import { describeValue } from "../validate.ts";
export { describeValue };

/**
 * Checks an element count: a non-negative safe integer whose bytes at
 * `bytesPerElement` fit in {@linkcode MAX_REQUEST_BYTES}. `what` names the
 * argument in the message.
 *
 * @example
 * ```ts
 * import { checkLength } from "./validate.ts";
 * try { checkLength(-1, "length"); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function checkLength(value: unknown, what: string, bytesPerElement = 4): number {
  // Fast path: a small non-negative integer (the hot path takes this branch only).
  if (
    typeof value === "number" && (value >>> 0) === value &&
    value * bytesPerElement <= MAX_REQUEST_BYTES
  ) {
    return value;
  }
  if (typeof value !== "number") {
    throw new TypeError(`${what} must be a number of elements, received ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `${what} must be a non-negative integer, received ${describeValue(value)}`,
    );
  }
  throw new RangeError(
    `${what} must be at most ${
      MAX_REQUEST_BYTES / bytesPerElement
    } elements (${MAX_REQUEST_BYTES} bytes), received ${describeValue(value)}`,
  );
}

/**
 * Checks a dtype option; `undefined` means `"float32"`.
 *
 * @example
 * ```ts
 * import { checkDtype } from "./validate.ts";
 * console.log(checkDtype(undefined, "preWarm")); // "float32"
 * ```
 */
export function checkDtype(value: unknown, what: string): Dtype {
  if (value === undefined || value === "float32") return "float32";
  if (value === "float64") return "float64";
  throw new TypeError(
    `${what} dtype must be "float32" or "float64", received ${describeValue(value)}`,
  );
}

/** Bytes per element of a dtype. */
export function bytesPerElementOf(dtype: Dtype): 4 | 8 {
  return dtype === "float64" ? 8 : 4;
}
