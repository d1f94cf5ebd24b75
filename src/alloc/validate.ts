/**
 * Argument checks shared by the allocation engine's modules: element types and
 * element counts.
 *
 * Every check throws a `TypeError` (wrong type) or a `RangeError` (right type,
 * unusable value) in the one message style of `../validate.ts`, quoting what was
 * received.
 *
 * @example
 * ```ts
 * import { checkDtype, checkLength } from "./validate.ts";
 * checkLength(16, "acquireFloat32", "length"); // ok
 * console.log(checkDtype("float64", "preWarm")); // "float64"
 * ```
 *
 * @module
 */

/** Element type of a buffer the engine hands out. */
export type Dtype = "float32" | "float64";

/** Largest request, in bytes, that the engine serves (size class 31, 2 GiB). */
export const MAX_REQUEST_BYTES = 2 ** 31;

import { rangeError, typeError } from "../validate.ts";

/**
 * Checks an element count: a non-negative safe integer whose bytes at
 * `bytesPerElement` fit in {@linkcode MAX_REQUEST_BYTES}. `caller` and `what`
 * name the method and the argument in the message.
 *
 * @example
 * ```ts
 * import { checkLength } from "./validate.ts";
 * try { checkLength(-1, "acquireFloat32", "length"); } catch (e) { console.log((e as Error).message); }
 * // acquireFloat32: length must be a non-negative integer, received number -1
 * ```
 */
export function checkLength(
  value: unknown,
  caller: string,
  what: string,
  bytesPerElement = 4,
): number {
  // Fast path: a small non-negative integer (the hot path takes this branch only).
  if (
    typeof value === "number" && (value >>> 0) === value &&
    value * bytesPerElement <= MAX_REQUEST_BYTES
  ) {
    return value;
  }
  if (typeof value !== "number") throw typeError(caller, what, "a number of elements", value);
  if (!Number.isInteger(value) || value < 0) {
    throw rangeError(caller, what, "a non-negative integer", value);
  }
  throw rangeError(
    caller,
    what,
    `at most ${MAX_REQUEST_BYTES / bytesPerElement} elements (${MAX_REQUEST_BYTES} bytes)`,
    value,
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
export function checkDtype(value: unknown, caller: string): Dtype {
  if (value === undefined || value === "float32") return "float32";
  if (value === "float64") return "float64";
  throw typeError(caller, "dtype", '"float32" or "float64"', value);
}
