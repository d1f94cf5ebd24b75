import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitNonNegative } from "../bench/least_squares.ts";

describe("fitNonNegative", () => {
  it("recovers the coefficients of exact data", () => {
    const rows = [1, 2, 5, 10, 40].map((v) => ({
      x: [1, v, v * v],
      t: 3 + 0.5 * v + 0.01 * v * v,
    }));
    const [c0, c1, c2] = fitNonNegative(rows);
    assert.ok(Math.abs(c0 - 3) < 1e-9 && Math.abs(c1 - 0.5) < 1e-9 && Math.abs(c2 - 0.01) < 1e-9);
  });

  it("drops a coefficient that would come out negative and refits the rest", () => {
    const rows = [1, 2, 3, 4].map((v) => ({ x: [v, 1], t: 2 * v - 0.5 }));
    const [slope, intercept] = fitNonNegative(rows);
    assert.equal(intercept, 0);
    assert.ok(slope > 1.7 && slope < 2, `slope ${slope}`);
  });
});
