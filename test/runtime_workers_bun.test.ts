import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bunErrorReason, bunWorkerConstructor } from "../src/runtime/workers/bun.ts";

describe("bunWorkerConstructor", () => {
  it("finds Worker only in a scope that is Bun's", () => {
    class Worker {}
    assert.equal(bunWorkerConstructor({ Bun: {}, Worker }), Worker);
    assert.equal(bunWorkerConstructor({ Worker }), undefined);
    assert.equal(bunWorkerConstructor({ Bun: {} }), undefined);
    assert.equal(bunWorkerConstructor({}), undefined);
  });

  it("matches the runtime running the test", () => {
    const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined;
    assert.equal(bunWorkerConstructor() !== undefined, isBun);
  });
});

describe("bunErrorReason", () => {
  it("prefers the error object", () => {
    assert.equal(bunErrorReason({ error: new TypeError("bad"), message: "x" }), "TypeError: bad");
  });

  it("takes the last Name: message line of a source excerpt, plain errors as Error", () => {
    const excerpt = "12 | throw new Error(...)\n     ^\nerror: worker crash requested by a test\n";
    assert.equal(bunErrorReason({ message: excerpt }), "Error: worker crash requested by a test");
    assert.equal(bunErrorReason({ message: "  RangeError: too far\n" }), "RangeError: too far");
  });

  it("falls back to the first non-empty line, then to a fixed phrase", () => {
    assert.equal(bunErrorReason({ message: "\n  something broke\n" }), "something broke");
    assert.equal(bunErrorReason({}), "an error without a message");
  });
});
