import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  chooseMethod,
  COST_CONSTANTS,
  type CostConstants,
  directInteriorOutputs,
  directMultiplyAdds,
  estimateCosts,
} from "../src/kernels/cost_model.ts";

/**
 * Brute-force count of the direct kernel's multiply-adds over a window: one term
 * per tap overlapping the signal, output by output. Deliberately NOT shared or
 * derived from anything else: it is the independent oracle for the closed form in
 * `directMultiplyAdds`, which it must never be rewritten in terms of.
 */
function countMultiplyAdds(n: number, m: number, start: number, length: number): number {
  let total = 0;
  for (let k = start; k < start + length; k++) {
    total += Math.min(m - 1, k) - Math.max(0, k - n + 1) + 1;
  }
  return total;
}

describe("cost model", () => {
  it("counts the multiply-adds of any window exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, m, a, b) => {
          const total = n + m - 1;
          const start = Math.floor(a * total);
          const length = Math.floor(b * (total - start));
          assert.equal(
            directMultiplyAdds(n, m, start, length),
            countMultiplyAdds(n, m, start, length),
          );
        },
      ),
    );
    assert.equal(directMultiplyAdds(1000, 100, 0, 1099), 100_000);
  });

  it("keeps small kernels on the direct path", () => {
    assert.equal(chooseMethod(256, 15, 270), "direct");
    assert.equal(chooseMethod(4096, 4, 4099), "direct");
    assert.equal(chooseMethod(1, 1, 1), "direct");
    assert.equal(chooseMethod(100_000, 3, 100_000), "direct");
  });

  it("sends long signals with medium kernels to overlap-add", () => {
    assert.equal(chooseMethod(65536, 1023, 66558), "overlap_add");
    assert.equal(chooseMethod(1_048_576, 4095, 1_048_576), "overlap_add");
  });

  it("sends long operands of similar length to a single FFT", () => {
    assert.equal(chooseMethod(4096, 4096, 8191), "fft");
    assert.equal(chooseMethod(100_000, 50_000, 149_999), "fft");
  });

  it("prices the FFT methods the same whichever operand is longer", () => {
    for (const [n, m] of [[10, 1000], [300, 20_000], [4096, 63]]) {
      const a = estimateCosts(n, m, n + m - 1), b = estimateCosts(m, n, n + m - 1);
      assert.equal(a.fft, b.fft);
      assert.equal(a.overlap_add, b.overlap_add);
    }
  });

  it("charges direct edge outputs more than interior ones, as the direct kernel runs them", () => {
    // With the kernel longer than the signal every output is an edge output.
    const signalLonger = estimateCosts(4096, 63, 4158).direct;
    const kernelLonger = estimateCosts(63, 4096, 4158).direct;
    assert.ok(kernelLonger > signalLonger);
    assert.equal(directInteriorOutputs(4096, 63, 0, 4158), 4096 - 62);
    assert.equal(directInteriorOutputs(63, 4096, 0, 4158), 0);
  });

  it("never leaves direct for a longer kernel once direct lost at a shorter one", () => {
    for (const n of [256, 4096, 65536]) {
      let leftDirect = false;
      for (let m = 1; m <= n; m *= 2) {
        const method = chooseMethod(n, m, n + m - 1);
        if (leftDirect) assert.notEqual(method, "direct", `n=${n} m=${m}`);
        leftDirect ||= method !== "direct";
      }
      assert.ok(leftDirect, `n=${n} never left direct`);
    }
  });

  it("follows the constants it is given", () => {
    const freeDirect: CostConstants = {
      ...COST_CONSTANTS,
      directPerMultiplyAdd: 0,
      directPerEdgeMultiplyAdd: 0,
      directPerOutput: 0,
    };
    assert.equal(chooseMethod(65536, 1023, 66558, { constants: freeDirect }), "direct");
    const costs = estimateCosts(4096, 63, 4158);
    assert.ok(costs.direct > 0 && costs.fft > 0 && costs.overlap_add > 0);
  });

  it("charges a valid window less than the full one", () => {
    const full = estimateCosts(10_000, 500, 10_499, { start: 0 });
    const valid = estimateCosts(10_000, 500, 9_501, { start: 499 });
    assert.ok(valid.direct < full.direct);
    assert.ok(valid.fft <= full.fft);
    assert.ok(valid.overlap_add <= full.overlap_add);
  });

  it("chooses direct for an empty window", () => {
    assert.equal(chooseMethod(100, 10, 0), "direct");
  });
});
