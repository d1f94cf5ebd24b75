/**
 * Argument checks shared by the public API. Every error says what was expected
 * and quotes what was received.
 *
 * @module
 */

import type { Float, Method, Mode } from "./types.ts";
import {
  dataViewByteLength,
  floatArrayName,
  typedArrayBuffer,
  typedArrayByteLength,
  typedArrayByteOffset,
  typedArrayLength,
  typedArrayName,
  typedArrayUsable,
} from "./typed_array_slots.ts";

/** Largest output length convpool accepts (elements); beyond it a RangeError is thrown. */
export const MAX_OUTPUT_LENGTH: number = 2 ** 28;

/**
 * A short, human-readable description of any value for error messages:
 * `Float32Array(length 3)`, `"foo"`, `null`, `42`, `Array(length 2)`, `object Foo`.
 * Typed arrays are described from their internal slots, so a lying `length` is not
 * repeated; an object that only claims to be a typed array (a Proxy, an imitation)
 * is named as such. Never throws, even on revoked Proxies or throwing getters.
 */
export function describeValue(value: unknown): string {
  try {
    return describeUnchecked(value);
  } catch {
    return "an object that cannot be inspected (a revoked Proxy or throwing traps)";
  }
}

/**
 * The message of every argument error of convpool, in one style (short, no
 * trailing full stop, the received value quoted by {@linkcode describeValue}):
 * `caller: what must be expected, received value`.
 *
 * @example
 * ```ts
 * import { errorMessage } from "./validate.ts";
 * console.log(errorMessage("convolve", "signal", "a Float32Array or Float64Array", [1]));
 * // convolve: signal must be a Float32Array or Float64Array, received Array(length 1)
 * ```
 */
export function errorMessage(
  caller: string,
  what: string,
  expected: string,
  received: unknown,
): string {
  return `${caller}: ${what} must be ${expected}, received ${describeValue(received)}`;
}

/**
 * A `TypeError` (a value of the wrong type) with the message of
 * {@linkcode errorMessage}; throw what it returns.
 *
 * @example
 * ```ts
 * import { typeError } from "./validate.ts";
 * const error = typeError("scope", "fn", "a function or nothing", 42);
 * console.log(error.message); // scope: fn must be a function or nothing, received number 42
 * ```
 */
export function typeError(
  caller: string,
  what: string,
  expected: string,
  received: unknown,
): TypeError {
  return new TypeError(errorMessage(caller, what, expected, received));
}

/**
 * A `RangeError` (a value of the right type that cannot be used) with the message
 * of {@linkcode errorMessage}; throw what it returns.
 *
 * @example
 * ```ts
 * import { rangeError } from "./validate.ts";
 * const error = rangeError("defaultBlockSize", "m", "a positive integer", 0);
 * console.log(error.message); // defaultBlockSize: m must be a positive integer, received number 0
 * ```
 */
export function rangeError(
  caller: string,
  what: string,
  expected: string,
  received: unknown,
): RangeError {
  return new RangeError(errorMessage(caller, what, expected, received));
}

function describeUnchecked(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === "symbol") return value.toString();
  const typedName = typedArrayName(value);
  if (typedName !== undefined) return describeTypedArray(value, typedName);
  if (ArrayBuffer.isView(value)) return `DataView(${dataViewByteLength(value)} bytes)`;
  if (typeof value === "function") return `function ${ownString(value, "name") || "(anonymous)"}`;
  if (Array.isArray(value)) {
    const length = (value as unknown[]).length;
    return typeof length === "number" ? `Array(length ${length})` : "Array";
  }
  const name = constructorName(value as object);
  if (name !== undefined && TYPED_ARRAY_NAME.test(name)) {
    return `object claiming to be ${name} (a Proxy or imitation, not a typed array)`;
  }
  return name ? `object ${name}` : "object";
}

const TYPED_ARRAY_NAME = /^(Big)?(Int|Uint|Float)\d+(Clamped)?Array$/;

function describeTypedArray(value: unknown, typedName: string): string {
  const length = typedArrayLength(value);
  const ownName = constructorName(value as object);
  const subclass = ownName !== undefined && ownName !== typedName ? `, subclass ${ownName}` : "";
  if (length === 0 && !typedArrayUsable(value)) {
    return `${typedName}(detached or outside its buffer${subclass})`;
  }
  return `${typedName}(length ${length}${subclass})`;
}

/** The name of the constructor on the prototype, read without calling any getter. */
function constructorName(value: object): string | undefined {
  const prototype = Object.getPrototypeOf(value);
  if (prototype === null) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, "constructor");
  const constructor = descriptor?.value;
  return typeof constructor === "function" ? ownString(constructor, "name") : undefined;
}

function ownString(target: object, key: string): string | undefined {
  const value = Object.getOwnPropertyDescriptor(target, key)?.value;
  return typeof value === "string" ? value : undefined;
}

/** True for a real Float32Array or Float64Array (by internal slot; a Proxy is not one). */
function isFloatName(name: string | undefined): name is "Float32Array" | "Float64Array" {
  return name === "Float32Array" || name === "Float64Array";
}

/**
 * True for a usable Float32Array or Float64Array: a real one (by internal slot, so
 * not a Proxy), not detached, inside its buffer, and whose `length`, `buffer`,
 * `byteOffset`, `byteLength`, `set`, `subarray` and `fill` are the built-in ones (a
 * subclass may add members but not override these). Code that passes this check
 * may read `.length` and trust it.
 */
export function isFloatArray(value: unknown): value is Float {
  const name = floatArrayName(value);
  if (!isFloatName(name)) return false;
  if (typedArrayLength(value) === 0 && !typedArrayUsable(value)) return false;
  if (isPlainFloat(value as Float, name, true)) return true;
  try {
    return !overridesBuiltins(value as object, name);
  } catch {
    return false; // a Proxy on the prototype chain threw
  }
}

/** Own or inherited members that downstream code reads and that must stay built-in. */
const TRUSTED_MEMBERS = ["length", "set", "subarray", "fill", "buffer", "byteOffset", "byteLength"];

/**
 * A direct instance of its intrinsic type. With `all`, none of the trusted members is
 * shadowed by an own property; without, only `length` and `set` (all that the kernels
 * read of a checked array: everything else goes through the internal slots).
 */
function isPlainFloat(value: Float, name: "Float32Array" | "Float64Array", all: boolean): boolean {
  const intrinsic = name === "Float32Array" ? Float32Array.prototype : Float64Array.prototype;
  if (Object.getPrototypeOf(value) !== intrinsic) return false;
  if (Object.hasOwn(value, "length") || Object.hasOwn(value, "set")) return false;
  if (all) {
    for (let i = 2; i < TRUSTED_MEMBERS.length; i++) {
      if (Object.hasOwn(value, TRUSTED_MEMBERS[i])) return false;
    }
  }
  return true;
}

/**
 * True unless the prototype chain reaches the intrinsic prototype of `name` with no
 * object before it defining a trusted member.
 */
function overridesBuiltins(value: object, name: "Float32Array" | "Float64Array"): boolean {
  const intrinsic = name === "Float32Array" ? Float32Array.prototype : Float64Array.prototype;
  for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o)) {
    if (o === intrinsic) return false;
    for (let i = 0; i < TRUSTED_MEMBERS.length; i++) {
      if (Object.getOwnPropertyDescriptor(o, TRUSTED_MEMBERS[i]) !== undefined) return true;
    }
  }
  return true;
}

/**
 * Checks that `value` is a usable Float32Array/Float64Array and returns an array that
 * downstream code can trust: `value` itself when it is a plain instance, else a plain
 * view of the same memory with its true length at call time (a subclass, even one that
 * overrides `length`). A length-tracking view keeps tracking: no user code runs between
 * this check and the kernels, so its length stays the one checked (only another thread
 * growing a SharedArrayBuffer could change it, which makes that call's result racy but
 * cannot reach the kernels' persistent tables, which lie below all per-call scratch). Throws a TypeError quoting the value for anything
 * else (Proxies, other element types, detached buffers, views outside a shrunk buffer).
 * Allocates only for such unusual inputs.
 *
 * @example
 * ```ts
 * import { checkFloat } from "./validate.ts";
 * class Tagged extends Float32Array {}
 * const x = checkFloat(new Tagged(3), "signal", "convolve");
 * console.log(x.length, x.constructor === Float32Array); // 3 true
 * ```
 */
export function checkFloat(value: unknown, what: string, caller: string): Float {
  const name = floatArrayName(value);
  if (!isFloatName(name)) {
    throw typeError(caller, what, "a Float32Array or Float64Array", value);
  }
  const length = typedArrayLength(value);
  if (length === 0 && !typedArrayUsable(value)) {
    throw typeError(
      caller,
      what,
      "an array on a live buffer (not detached, not outside it)",
      value,
    );
  }
  if (isPlainFloat(value as Float, name, false)) return value as Float;
  const buffer = typedArrayBuffer(value);
  const offset = typedArrayByteOffset(value);
  return name === "Float32Array"
    ? new Float32Array(buffer, offset, length)
    : new Float64Array(buffer, offset, length);
}

/** {@linkcode checkFloat}, then a RangeError when the array is empty. */
export function checkNonEmptyFloat(value: unknown, what: string, caller: string): Float {
  const checked = checkFloat(value, what, caller);
  if (checked.length === 0) {
    throw rangeError(caller, what, "non-empty", value);
  }
  return checked;
}

/**
 * Throws a TypeError unless `value` passes {@linkcode isFloatArray} (so its `length`
 * can be trusted), a RangeError if it is empty.
 */
export function assertNonEmptyFloat(
  value: unknown,
  name: string,
  caller: string,
): asserts value is Float {
  if (!isFloatArray(value)) {
    checkFloat(value, name, caller); // throws the precise TypeError when it applies
    throw typeError(
      caller,
      name,
      "a Float32Array or Float64Array without overridden length, buffer or methods",
      value,
    );
  }
  if (value.length === 0) throw rangeError(caller, name, "non-empty", value);
}

/**
 * Throws a RangeError when the full output of a signal of `n` samples and a kernel of
 * `m` taps would exceed {@linkcode MAX_OUTPUT_LENGTH} elements.
 *
 * @example
 * ```ts
 * import { checkFullOutputLength } from "./validate.ts";
 * checkFullOutputLength(1024, 63, "convolve"); // fine
 * ```
 */
export function checkFullOutputLength(n: number, m: number, caller: string): void {
  if (n + m - 1 > MAX_OUTPUT_LENGTH) {
    throw rangeError(
      caller,
      `the full output (signal ${n}, kernel ${m})`,
      `at most ${MAX_OUTPUT_LENGTH} elements long`,
      n + m - 1,
    );
  }
}

/** Checks a mode value; `undefined` means "full". */
export function parseMode(value: unknown, caller: string): Mode {
  if (value === undefined || value === "full") return "full";
  if (value === "same" || value === "valid") return value;
  throw rangeError(caller, "mode", '"full", "same" or "valid"', value);
}

/** Checks a method value; `undefined` means "auto". */
export function parseMethod(value: unknown, caller: string): Method {
  if (value === undefined || value === "auto") return "auto";
  if (value === "direct" || value === "fft") return value;
  throw rangeError(caller, "method", '"auto", "direct" or "fft"', value);
}

/** True when two typed arrays share any byte of memory (read from their internal slots). */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (typedArrayBuffer(a) !== typedArrayBuffer(b)) return false;
  const aStart = typedArrayByteOffset(a), bStart = typedArrayByteOffset(b);
  return aStart < bStart + typedArrayByteLength(b) && bStart < aStart + typedArrayByteLength(a);
}
