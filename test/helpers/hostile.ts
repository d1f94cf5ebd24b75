/**
 * Hostile values for the fuzz and property tests: Proxies of typed arrays with
 * lying or throwing traps, subclasses and instances that override `length`,
 * detached and out-of-bounds views, resizable and SharedArrayBuffer-backed views,
 * other element types, and option objects whose getters throw or change between
 * reads. Each comes with what a correct library must do with it.
 *
 * @module
 */

import fc from "fast-check";

/** The error a hostile getter throws: the library must let it through unchanged. */
export class HostileGetterError extends Error {
  override name = "HostileGetterError";
}

/** Throws unless `error` is a TypeError, a RangeError or the hostile getter's own error. */
export function assertAllowedError(error: unknown, label: string): void {
  if (
    error instanceof TypeError || error instanceof RangeError ||
    error instanceof HostileGetterError
  ) {
    return;
  }
  throw new Error(`${label}: threw ${String(error)}, only TypeError/RangeError are allowed`, {
    cause: error,
  });
}

/**
 * A hostile stand-in for a float array. `accepted` ones are real Float32/Float64
 * arrays that the library must compute on with their true contents (`values`);
 * the others must be refused with a TypeError or RangeError.
 */
export interface HostileArray {
  kind: string;
  make(): unknown;
  accepted: boolean;
  /** True contents of accepted arrays. */
  values?: Float64Array;
  /** Element type of accepted arrays. */
  f64?: boolean;
}

type FloatType = Float32ArrayConstructor | Float64ArrayConstructor;

function filled(Type: FloatType, length: number): Float32Array | Float64Array {
  const a = new Type(length);
  for (let i = 0; i < length; i++) a[i] = ((i * 7919) % 13) / 13 - 0.4;
  return a;
}

function lyingProxy(Type: FloatType, length: number, lie: number): unknown {
  return new Proxy(filled(Type, length), {
    get: (target, key) => key === "length" ? lie : Reflect.get(target, key, target),
  });
}

function throwingProxy(Type: FloatType, length: number): unknown {
  const boom = () => {
    throw new HostileGetterError("trap");
  };
  return new Proxy(filled(Type, length), {
    get: boom,
    has: boom,
    getPrototypeOf: boom,
    getOwnPropertyDescriptor: boom,
    ownKeys: boom,
  });
}

function revokedProxy(Type: FloatType, length: number): unknown {
  const { proxy, revoke } = Proxy.revocable(filled(Type, length), {});
  revoke();
  return proxy;
}

function lyingSubclass(Type: FloatType, length: number, lie: number): unknown {
  const Base = Type as Float32ArrayConstructor;
  class Lying extends Base {
    override get length(): number {
      return lie;
    }
  }
  const a = new Lying(length);
  a.set(filled(Type, length));
  return a;
}

function ownLength(Type: FloatType, length: number, lie: number): unknown {
  const a = filled(Type, length);
  Object.defineProperty(a, "length", { value: lie });
  Object.defineProperty(a, "set", {
    value: () => {
      throw new HostileGetterError("own set");
    },
  });
  return a;
}

function detached(Type: FloatType, length: number): unknown {
  const a = filled(Type, length);
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}

type ResizableBuffer = ArrayBuffer & { resize(bytes: number): void };
type ResizableConstructor = new (
  bytes: number,
  options: { maxByteLength: number },
) => ResizableBuffer;
type GrowableShared = SharedArrayBuffer & { grow(bytes: number): void };
type GrowableConstructor = new (
  bytes: number,
  options: { maxByteLength: number },
) => GrowableShared;

function outOfBounds(Type: FloatType, length: number): unknown {
  const buffer = new (ArrayBuffer as unknown as ResizableConstructor)(
    length * Type.BYTES_PER_ELEMENT,
    { maxByteLength: 4 * length * Type.BYTES_PER_ELEMENT },
  );
  const a = new Type(buffer, 0, length);
  buffer.resize(0);
  return a;
}

function resizableTracking(Type: FloatType, length: number): Float32Array | Float64Array {
  const buffer = new (ArrayBuffer as unknown as ResizableConstructor)(
    Type.BYTES_PER_ELEMENT,
    { maxByteLength: 4 * length * Type.BYTES_PER_ELEMENT },
  );
  const a = new Type(buffer);
  buffer.resize(length * Type.BYTES_PER_ELEMENT);
  a.set(filled(Type, length));
  return a;
}

function shared(Type: FloatType, length: number, growable: boolean): Float32Array | Float64Array {
  const bytes = length * Type.BYTES_PER_ELEMENT;
  const buffer = growable
    ? new (SharedArrayBuffer as unknown as GrowableConstructor)(bytes, { maxByteLength: 2 * bytes })
    : new SharedArrayBuffer(bytes);
  const a = new Type(buffer as unknown as ArrayBuffer);
  a.set(filled(Type, length));
  return a;
}

function swappedPrototype(length: number): unknown {
  const a = filled(Float64Array, length);
  Object.setPrototypeOf(a, Float32Array.prototype);
  return a;
}

const LIES = [Number.NaN, -1, -(2 ** 31), 2 ** 31, 1e12, 3.5, 0, Infinity];

/** An arbitrary hostile array of about `length` true elements. */
export function hostileArray(length: number): fc.Arbitrary<HostileArray> {
  const type = fc.constantFrom<FloatType>(Float32Array, Float64Array);
  const lie = fc.constantFrom(...LIES);
  const truth = (Type: FloatType) => Float64Array.from(filled(Type, length));
  return fc.oneof(
    fc.tuple(type, lie).map(([T, l]) => ({
      kind: `Proxy ${T.name} length ${l}`,
      make: () => lyingProxy(T, length, l),
      accepted: false,
    })),
    type.map((T) => ({
      kind: `throwing Proxy ${T.name}`,
      make: () => throwingProxy(T, length),
      accepted: false,
    })),
    type.map((T) => ({
      kind: `revoked Proxy ${T.name}`,
      make: () => revokedProxy(T, length),
      accepted: false,
    })),
    fc.tuple(type, lie).map(([T, l]) => ({
      kind: `subclass of ${T.name} whose length reads ${l}`,
      make: () => lyingSubclass(T, length, l),
      accepted: true,
      values: truth(T),
      f64: T === Float64Array,
    })),
    fc.tuple(type, lie).map(([T, l]) => ({
      kind: `${T.name} with own length ${l} and a throwing own set`,
      make: () => ownLength(T, length, l),
      accepted: true,
      values: truth(T),
      f64: T === Float64Array,
    })),
    type.map((T) => ({
      kind: `detached ${T.name}`,
      make: () => detached(T, length),
      accepted: false,
    })),
    type.map((T) => ({
      kind: `${T.name} outside its shrunk buffer`,
      make: () => outOfBounds(T, length),
      accepted: false,
    })),
    type.map((T) => ({
      kind: `length-tracking ${T.name} on a resizable buffer`,
      make: () => resizableTracking(T, length),
      accepted: true,
      values: truth(T),
      f64: T === Float64Array,
    })),
    fc.tuple(type, fc.boolean()).map(([T, growable]) => ({
      kind: `${T.name} on a ${growable ? "growable " : ""}SharedArrayBuffer`,
      make: () => shared(T, length, growable),
      accepted: true,
      values: truth(T),
      f64: T === Float64Array,
    })),
    fc.constant({
      kind: "Float64Array with Float32Array's prototype",
      make: () => swappedPrototype(length),
      accepted: true,
      values: truth(Float64Array),
      f64: true,
    }),
    fc.constantFrom(
      { kind: "BigInt64Array", make: () => new BigInt64Array(length), accepted: false },
      { kind: "Int16Array", make: () => new Int16Array(length), accepted: false },
      { kind: "Uint8Array", make: () => new Uint8Array(length), accepted: false },
      { kind: "DataView", make: () => new DataView(new ArrayBuffer(8)), accepted: false },
      { kind: "Array", make: () => Array.from({ length }, () => 1), accepted: false },
      { kind: "empty Float32Array", make: () => new Float32Array(0), accepted: false },
      {
        kind: "imitation with Float32Array.prototype",
        make: () => Object.create(Float32Array.prototype, { length: { value: length } }),
        accepted: false,
      },
      { kind: "null", make: () => null, accepted: false },
      { kind: "number", make: () => length, accepted: false },
    ),
  );
}

/** Options whose getters throw, or whose mode changes between reads, or that are not objects. */
export function hostileOptions(): fc.Arbitrary<{ kind: string; make(): unknown }> {
  return fc.constantFrom(
    {
      kind: "throwing mode getter",
      make: () => ({
        get mode(): string {
          throw new HostileGetterError("mode");
        },
      }),
    },
    {
      kind: "throwing out getter",
      make: () => ({
        get out(): unknown {
          throw new HostileGetterError("out");
        },
      }),
    },
    {
      kind: "mode that changes between reads",
      make: () => {
        let reads = 0;
        return {
          get mode(): string {
            return ["same", "bogus", "valid", "full"][reads++ % 4];
          },
        };
      },
    },
    {
      kind: "Proxy options with throwing traps",
      make: () =>
        new Proxy({}, {
          get() {
            throw new HostileGetterError("options");
          },
        }),
    },
    { kind: "method 7", make: () => ({ method: 7 }) },
    { kind: "mode NaN", make: () => ({ mode: Number.NaN }) },
    { kind: "engine {}", make: () => ({ engine: {} }) },
    { kind: "options string", make: () => "same" },
    { kind: "options null", make: () => null },
  );
}
