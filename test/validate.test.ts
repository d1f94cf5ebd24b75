import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  assertNonEmptyFloat,
  checkFloat,
  checkNonEmptyFloat,
  describeValue,
  errorMessage,
  isFloatArray,
  overlaps,
  parseMethod,
  parseMode,
  rangeError,
  typeError,
} from "../src/validate.ts";

describe("the error helpers", () => {
  it("write caller, what, expected and the quoted value, with no trailing full stop", () => {
    assert.equal(
      errorMessage("convolve", "signal", "a Float32Array or Float64Array", new Int16Array(3)),
      "convolve: signal must be a Float32Array or Float64Array, received Int16Array(length 3)",
    );
    assert.equal(
      errorMessage("f", "x", "a string", { a: 1 }),
      "f: x must be a string, received object Object",
    );
  });

  it("build a TypeError or a RangeError with that message", () => {
    const type = typeError("scope", "fn", "a function or nothing", 42);
    assert.ok(type instanceof TypeError);
    assert.equal(type.message, "scope: fn must be a function or nothing, received number 42");
    const range = rangeError("parseMode", "mode", '"full", "same" or "valid"', "sam");
    assert.ok(range instanceof RangeError);
    assert.equal(
      range.message,
      'parseMode: mode must be "full", "same" or "valid", received "sam"',
    );
  });
});

describe("describeValue", () => {
  it("names typed arrays with their length and quotes strings", () => {
    assert.equal(describeValue(new Uint8Array(3)), "Uint8Array(length 3)");
    assert.equal(describeValue("same"), '"same"');
    assert.equal(describeValue(null), "null");
    assert.equal(describeValue(undefined), "undefined");
    assert.equal(describeValue(Number.NaN), "number NaN");
    assert.equal(describeValue([1, 2]), "Array(length 2)");
    assert.equal(describeValue(new Map()), "object Map");
    assert.equal(describeValue(Object.create(null)), "object");
  });

  it("shortens long strings", () => {
    assert.equal(describeValue("x".repeat(100)).length, 43);
  });
});

describe("argument checks", () => {
  it("accept Float32Array and Float64Array and reject the rest", () => {
    assertNonEmptyFloat(new Float32Array(1), "signal", "test");
    assertNonEmptyFloat(new Float64Array(1), "signal", "test");
    assert.throws(() => assertNonEmptyFloat(new Int32Array(1), "signal", "test"), TypeError);
    assert.throws(() => assertNonEmptyFloat(new Float32Array(0), "signal", "test"), RangeError);
  });

  it("default mode and method and reject unknown ones", () => {
    assert.equal(parseMode(undefined, "t"), "full");
    assert.equal(parseMethod(undefined, "t"), "auto");
    assert.throws(() => parseMode("FULL", "t"), /received "FULL"/);
    assert.throws(() => parseMethod(3, "t"), /received number 3/);
  });

  it("detect views that share memory", () => {
    const buffer = new ArrayBuffer(64);
    assert.ok(overlaps(new Float32Array(buffer, 0, 4), new Float32Array(buffer, 12, 4)));
    assert.ok(!overlaps(new Float32Array(buffer, 0, 4), new Float32Array(buffer, 16, 4)));
    assert.ok(!overlaps(new Float32Array(4), new Float32Array(4)));
  });
});

describe("checks that cannot be lied to", () => {
  const lyingProxy = new Proxy(new Float32Array(4), {
    get: (t, p) => (p === "length" ? Number.NaN : Reflect.get(t, p, t)),
  });
  class Lying extends Float32Array {
    override get length(): number {
      return -1;
    }
  }

  it("describeValue reads typed arrays from their slots and survives hostile objects", () => {
    assert.equal(describeValue(new Lying(3)), "Float32Array(length 3, subclass Lying)");
    assert.match(describeValue(lyingProxy), /claiming to be Float32Array \(a Proxy or imitation/);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.match(describeValue(proxy), /cannot be inspected/);
    const throwing = new Proxy({}, {
      getPrototypeOf() {
        throw new Error("trap");
      },
    });
    assert.match(describeValue(throwing), /cannot be inspected/);
    const getter = {
      get constructor(): never {
        throw new Error("getter");
      },
    };
    assert.equal(describeValue(getter), "object Object");
    const detached = new Float64Array(2);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    assert.equal(describeValue(detached), "Float64Array(detached or outside its buffer)");
    assert.equal(describeValue(new DataView(new ArrayBuffer(3))), "DataView(3 bytes)");
  });

  it("checkFloat refuses Proxies and detached buffers and gives subclasses their true length", () => {
    assert.throws(() => checkFloat(lyingProxy, "kernel", "t"), TypeError);
    const detached = new Float32Array(2);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    assert.throws(() => checkFloat(detached, "signal", "t"), {
      name: "TypeError",
      message: /t: signal must be an array on a live buffer \(not detached, not outside it\)/,
    });
    const lying = new Lying(3);
    const checked = checkFloat(lying, "signal", "t");
    assert.equal(checked.length, 3);
    assert.equal(Object.getPrototypeOf(checked), Float32Array.prototype);
    assert.equal(checked.buffer, lying.buffer);
    const plain = new Float64Array(2);
    assert.equal(checkFloat(plain, "signal", "t"), plain); // no copy, no view for plain arrays
    assert.throws(() => checkNonEmptyFloat(new Float32Array(0), "signal", "t"), RangeError);
  });

  it("isFloatArray and assertNonEmptyFloat refuse what overrides length, accept honest subclasses", () => {
    class Honest extends Float64Array {}
    assert.ok(isFloatArray(new Honest(2)));
    assert.ok(!isFloatArray(new Lying(2)));
    assert.ok(!isFloatArray(lyingProxy));
    assert.throws(() => assertNonEmptyFloat(new Lying(2), "kernel", "t"), /without overridden/);
  });
});
