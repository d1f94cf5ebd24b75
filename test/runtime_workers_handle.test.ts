import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeExit, describeUncaught } from "../src/runtime/workers/handle.ts";

describe("describeExit", () => {
  it("names the exit code, or says it is unknown", () => {
    assert.equal(
      describeExit(3),
      "stopped with exit code 3 (it exited, or was terminated from outside the pool)",
    );
    assert.match(describeExit(undefined), /^stopped with exit code unknown /);
  });
});

describe("describeUncaught", () => {
  it("names an Error by name and message, anything else by its string", () => {
    assert.equal(describeUncaught(new RangeError("too long")), "uncaught RangeError: too long");
    assert.equal(describeUncaught("plain"), "uncaught plain");
  });
});
