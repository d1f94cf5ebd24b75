import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDtype, checkLength, MAX_REQUEST_BYTES } from "../src/alloc/validate.ts";
import { describeValue } from "../src/validate.ts";

test("describeValue is the public API's: typed arrays by type and length", () => {
  assert.equal(describeValue(new Float32Array(16)), "Float32Array(length 16)");
  assert.equal(describeValue(new DataView(new ArrayBuffer(4))), "DataView(4 bytes)");
  assert.equal(describeValue("abc"), '"abc"');
  assert.equal(describeValue(NaN), "number NaN");
  assert.equal(describeValue(null), "null");
  assert.equal(describeValue(10n), "bigint 10");
  assert.equal(describeValue({}), "object Object");
});

test("checkLength accepts element counts up to the largest size class", () => {
  assert.equal(checkLength(0, "f", "n"), 0);
  assert.equal(checkLength(MAX_REQUEST_BYTES / 8, "f", "n", 8), MAX_REQUEST_BYTES / 8);
});

test("checkLength rejects wrong types and unusable numbers, quoting them", () => {
  assert.throws(
    () => checkLength("3", "f", "n"),
    { name: "TypeError", message: 'f: n must be a number of elements, received "3"' },
  );
  assert.throws(
    () => checkLength(-2, "f", "n"),
    { name: "RangeError", message: "f: n must be a non-negative integer, received number -2" },
  );
  assert.throws(() => checkLength(2.5, "f", "n"), /2\.5/);
  assert.throws(
    () => checkLength(MAX_REQUEST_BYTES / 4 + 1, "f", "n", 4),
    /at most 536870912 elements/,
  );
});

test("checkDtype defaults to float32 and rejects other names", () => {
  assert.equal(checkDtype(undefined, "x"), "float32");
  assert.equal(checkDtype("float64", "x"), "float64");
  assert.throws(() => checkDtype("int16", "x"), {
    name: "TypeError",
    message: 'x: dtype must be "float32" or "float64", received "int16"',
  });
});
