import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { outputLength, outputStart } from "../src/modes.ts";

describe("output windows", () => {
  it("follow SciPy for a signal longer than the kernel", () => {
    assert.deepEqual([outputLength(10, 4, "full"), outputStart(10, 4, "full")], [13, 0]);
    assert.deepEqual([outputLength(10, 4, "same"), outputStart(10, 4, "same")], [10, 1]);
    assert.deepEqual([outputLength(10, 4, "valid"), outputStart(10, 4, "valid")], [7, 3]);
  });

  it("follow SciPy for a kernel longer than the signal", () => {
    assert.deepEqual([outputLength(3, 8, "full"), outputStart(3, 8, "full")], [10, 0]);
    assert.deepEqual([outputLength(3, 8, "same"), outputStart(3, 8, "same")], [3, 3]);
    assert.deepEqual([outputLength(3, 8, "valid"), outputStart(3, 8, "valid")], [6, 2]);
  });

  it("always fit inside the full output", () => {
    for (let n = 1; n < 30; n++) {
      for (let m = 1; m < 30; m++) {
        for (const mode of ["full", "same", "valid"] as const) {
          assert.ok(outputStart(n, m, mode) + outputLength(n, m, mode) <= n + m - 1);
        }
      }
    }
  });
});
