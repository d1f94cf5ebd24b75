/**
 * Reads a typed array's internal slots (element type, length, offset, buffer) through
 * the `%TypedArray%.prototype` getters captured when this module loads. A Proxy, a
 * subclass or an own property cannot fake what these return: the getters look at the
 * object's slots, never at its properties, and a Proxy has no such slots.
 *
 * @example
 * ```ts
 * import { typedArrayName, typedArrayLength } from "./typed_array_slots.ts";
 * const lying = new Proxy(new Float32Array(4), {
 *   get: (t, p) => (p === "length" ? NaN : Reflect.get(t, p, t)),
 * });
 * console.log(typedArrayName(new Float32Array(2)), typedArrayName(lying)); // "Float32Array" undefined
 * console.log(typedArrayLength(new Float64Array(3))); // 3
 * ```
 *
 * @module
 */

type Getter = (this: unknown) => unknown;

const TYPED_ARRAY_PROTOTYPE: object = Object.getPrototypeOf(Uint8Array.prototype);

function intrinsicGetter(target: object, key: PropertyKey): Getter | undefined {
  return Object.getOwnPropertyDescriptor(target, key)?.get as Getter | undefined;
}

const nameSlot = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, Symbol.toStringTag)!;
const lengthSlot = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, "length")!;
const byteOffsetSlot = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, "byteOffset")!;
const byteLengthSlot = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, "byteLength")!;
const bufferSlot = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, "buffer")!;
const dataViewByteLengthSlot = intrinsicGetter(DataView.prototype, "byteLength")!;
/** `%TypedArray%.prototype.includes`: validates the array (throws when detached or out of bounds). */
const validatingIncludes = (TYPED_ARRAY_PROTOTYPE as { includes: (value: unknown) => boolean })
  .includes;

/**
 * The element type (`"Float32Array"`, `"Int16Array"`, ...) of a real typed array,
 * read from its internal slot; `undefined` for anything else, Proxies included.
 * Runs no user code and never throws.
 */
export function typedArrayName(value: unknown): string | undefined {
  return nameSlot.call(value) as string | undefined;
}

/** Float arrays whose element type was read once (the slot never changes). */
const floatNames = new WeakMap<object, "Float32Array" | "Float64Array">();

/**
 * `"Float32Array"` or `"Float64Array"` for a real array of that element type (by
 * internal slot, as {@linkcode typedArrayName}), else `undefined`. The answer is
 * remembered per array, because JavaScriptCore's `Symbol.toStringTag` getter
 * allocates a string per call and this check runs on every convolution.
 */
export function floatArrayName(value: unknown): "Float32Array" | "Float64Array" | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const known = floatNames.get(value);
  if (known !== undefined) return known;
  const name = nameSlot.call(value);
  if (name !== "Float32Array" && name !== "Float64Array") return undefined;
  floatNames.set(value, name);
  return name;
}

/**
 * Element count of a real typed array at this moment (0 when its buffer is detached
 * or the view lies outside a shrunk resizable buffer). Throws a TypeError for
 * anything that is not a typed array; check {@linkcode typedArrayName} first.
 */
export function typedArrayLength(value: unknown): number {
  return lengthSlot.call(value) as number;
}

/** Byte offset of a real typed array into its buffer (slot read). */
export function typedArrayByteOffset(value: unknown): number {
  return byteOffsetSlot.call(value) as number;
}

/** Byte length of a real typed array (slot read). */
export function typedArrayByteLength(value: unknown): number {
  return byteLengthSlot.call(value) as number;
}

/** The buffer of a real typed array (slot read). */
export function typedArrayBuffer(value: unknown): ArrayBufferLike {
  return bufferSlot.call(value) as ArrayBufferLike;
}

/** Byte length of a real DataView (slot read). */
export function dataViewByteLength(value: unknown): number {
  return dataViewByteLengthSlot.call(value) as number;
}

/**
 * True when a real typed array can be read: its buffer is not detached and the view
 * lies inside it. Only a zero-length view can fail this (the length slot reads 0 in
 * both cases), so callers need to ask only for those.
 */
export function typedArrayUsable(value: unknown): boolean {
  try {
    validatingIncludes.call(value, 0);
    return true;
  } catch {
    return false;
  }
}
