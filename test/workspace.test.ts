import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CachedWorkspace } from "../src/kernels/workspace.ts";

describe("CachedWorkspace", () => {
  it("hands out distinct arrays within an operation and the same ones after reset", () => {
    const workspace = new CachedWorkspace();
    const a = workspace.takeFloat64(10);
    const b = workspace.takeFloat64(10);
    assert.notEqual(a, b);
    assert.ok(a.length >= 10 && b.length >= 10);
    workspace.reset();
    assert.equal(workspace.takeFloat64(10), a);
    assert.equal(workspace.takeFloat64(3), b);
  });

  it("grows a slot that is too short", () => {
    const workspace = new CachedWorkspace();
    const small = workspace.takeFloat64(4);
    workspace.reset();
    const large = workspace.takeFloat64(100);
    assert.notEqual(small, large);
    assert.equal(large.length, 128);
  });
});
