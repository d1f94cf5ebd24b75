import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addCounts, countsLength, flattenCounts } from "../src/metrics/counts.ts";

function counts() {
  return { hits: new Float64Array(3), overflows: 0, flag: true, label: "x" };
}

describe("flattenCounts and addCounts", () => {
  it("flatten every number and Float64Array field in order, and nothing else", () => {
    const set = counts();
    set.hits.set([1, 2, 3]);
    set.overflows = 4;
    assert.equal(countsLength([set, set]), 8);
    assert.deepEqual(Array.from(flattenCounts([set, set])), [1, 2, 3, 4, 1, 2, 3, 4]);
  });

  it("add a flat difference back field by field, leaving other fields alone", () => {
    const target = counts();
    target.hits[0] = 10;
    addCounts([target], Float64Array.of(1, 2, 3, 4), "test");
    assert.deepEqual(Array.from(target.hits), [11, 2, 3]);
    assert.equal(target.overflows, 4);
    assert.equal(target.flag, true);
    assert.equal(target.label, "x");
  });

  it("refuse a delta of another length with a RangeError quoting it, adding nothing", () => {
    const target = counts();
    assert.throws(() => addCounts([target], new Float64Array(5).fill(1), "merge"), {
      name: "RangeError",
      message: "merge: delta must be a Float64Array of 4 counts, received Float64Array(length 5)",
    });
    assert.deepEqual(Array.from(flattenCounts([target])), [0, 0, 0, 0]);
  });
});
