import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { indexTable } from "../src/metrics/enumeration.ts";

describe("indexTable", () => {
  it("maps every label to its position in the tuple", () => {
    const table = indexTable(["stack", "pool", "heap"] as const);
    assert.deepEqual({ ...table }, { stack: 0, pool: 1, heap: 2 });
  });

  it("is frozen, so no index can be changed after the layout is derived", () => {
    const table = indexTable(["a", "b"] as const);
    assert.ok(Object.isFrozen(table));
    assert.throws(() => {
      (table as { a: number }).a = 5;
    }, TypeError);
  });
});
