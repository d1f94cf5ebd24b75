import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  assertNonEmptyFloat,
  describeValue,
  overlaps,
  parseMethod,
  parseMode,
} from "../src/validate.ts";

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
