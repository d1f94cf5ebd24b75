/**
 * Argument checks shared by the public API. Every error says what was expected
 * and quotes what was received.
 *
 * @module
 */

import type { Float, Method, Mode } from "./types.ts";

/** Largest output length convpool accepts (elements); beyond it a RangeError is thrown. */
export const MAX_OUTPUT_LENGTH: number = 2 ** 28;

/**
 * A short, human-readable description of any value for error messages:
 * `Float32Array(length 3)`, `"foo"`, `null`, `42`, `Array(length 2)`, `object Foo`.
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "symbol") return value.toString();
  if (ArrayBuffer.isView(value)) {
    return "length" in value
      ? `${value.constructor.name}(length ${(value as { length: number }).length})`
      : `${value.constructor.name}(${value.byteLength} bytes)`;
  }
  if (Array.isArray(value)) return `Array(length ${value.length})`;
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name ? `object ${name}` : "object";
}

/** True for Float32Array and Float64Array (the only arrays convpool computes on). */
export function isFloatArray(value: unknown): value is Float {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** Throws a TypeError unless `value` is a Float32Array/Float64Array, a RangeError if it is empty. */
export function assertNonEmptyFloat(
  value: unknown,
  name: string,
  caller: string,
): asserts value is Float {
  if (!isFloatArray(value)) {
    throw new TypeError(
      `${caller}: ${name} must be a Float32Array or Float64Array, received ${describeValue(value)}`,
    );
  }
  if (value.length === 0) {
    throw new RangeError(`${caller}: ${name} must not be empty, received ${describeValue(value)}`);
  }
}

/** Checks a mode value; `undefined` means "full". */
export function parseMode(value: unknown, caller: string): Mode {
  if (value === undefined || value === "full") return "full";
  if (value === "same" || value === "valid") return value;
  throw new RangeError(
    `${caller}: mode must be "full", "same" or "valid", received ${describeValue(value)}`,
  );
}

/** Checks a method value; `undefined` means "auto". */
export function parseMethod(value: unknown, caller: string): Method {
  if (value === undefined || value === "auto") return "auto";
  if (value === "direct" || value === "fft") return value;
  throw new RangeError(
    `${caller}: method must be "auto", "direct" or "fft", received ${describeValue(value)}`,
  );
}

/** True when two typed arrays share any byte of memory. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
