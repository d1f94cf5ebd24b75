import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  floatArrayName,
  typedArrayBuffer,
  typedArrayByteLength,
  typedArrayByteOffset,
  typedArrayLength,
  typedArrayName,
  typedArrayUsable,
} from "../src/typed_array_slots.ts";

describe("typed array slots", () => {
  const lying = new Proxy(new Float32Array(4), {
    get: (t, p) => (p === "length" ? Number.NaN : Reflect.get(t, p, t)),
  });

  it("name the element type of real typed arrays only, never of a Proxy", () => {
    assert.equal(typedArrayName(new Int16Array(1)), "Int16Array");
    assert.equal(typedArrayName(lying), undefined);
    assert.equal(typedArrayName(42), undefined);
    assert.equal(floatArrayName(new Float64Array(1)), "Float64Array");
    assert.equal(floatArrayName(new BigInt64Array(1)), undefined);
    assert.equal(floatArrayName(lying), undefined);
    const swapped = new Float64Array(2);
    Object.setPrototypeOf(swapped, Float32Array.prototype);
    assert.equal(floatArrayName(swapped), "Float64Array");
  });

  it("read length, offset, byte length and buffer past overriding properties", () => {
    const buffer = new ArrayBuffer(64);
    const view = new Float32Array(buffer, 8, 3);
    Object.defineProperty(view, "length", { value: -1 });
    Object.defineProperty(view, "byteOffset", { value: 1000 });
    assert.equal(typedArrayLength(view), 3);
    assert.equal(typedArrayByteOffset(view), 8);
    assert.equal(typedArrayByteLength(view), 12);
    assert.equal(typedArrayBuffer(view), buffer);
    assert.throws(() => typedArrayLength(lying), TypeError);
  });

  it("tell detached and out-of-bounds views from usable ones", () => {
    const detached = new Float32Array(2);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    assert.equal(typedArrayLength(detached), 0);
    assert.ok(!typedArrayUsable(detached));
    assert.ok(typedArrayUsable(new Float32Array(0)));
    type Resizable = ArrayBuffer & { resize(bytes: number): void };
    const resizable = new (ArrayBuffer as unknown as new (
      bytes: number,
      options: { maxByteLength: number },
    ) => Resizable)(16, { maxByteLength: 32 });
    const fixed = new Float32Array(resizable, 0, 4);
    resizable.resize(8);
    assert.equal(typedArrayLength(fixed), 0);
    assert.ok(!typedArrayUsable(fixed));
  });
});
