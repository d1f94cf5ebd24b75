import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { convolveDirect } from "../src/kernels/direct.ts";
import { assertClose, convolutionScale, randomSignal, referenceFull } from "./helpers/reference.ts";

describe("convolveDirect", () => {
  it("computes any window of the full convolution or correlation", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer(),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, m, seed, reverse, a, b) => {
          const x = randomSignal(Float64Array, n, seed);
          const h = randomSignal(Float64Array, m, seed + 1);
          const full = referenceFull(x, h, reverse);
          const start = Math.floor(a * full.length);
          const length = Math.floor(b * (full.length - start));
          const out = new Float64Array(length + 2).fill(42);
          convolveDirect(x, h, out, start, length, reverse);
          const expected = full.subarray(start, start + length);
          const label = `${n}x${m} [${start}, +${length}) reverse=${reverse}`;
          assertClose(out.subarray(0, length), expected, 1e-14, label, convolutionScale(x, h));
          assert.deepEqual(Array.from(out.subarray(length)), [42, 42], "writes past length");
        },
      ),
      { numRuns: 400 },
    );
  });

  it("accepts mixed precision and writes into a Float32Array", () => {
    const x = randomSignal(Float32Array, 37, 3);
    const h = randomSignal(Float64Array, 5, 4);
    const out = new Float32Array(41);
    convolveDirect(x, h, out, 0, 41, false);
    assertClose(out, referenceFull(x, h), 1e-6);
  });

  it("handles a kernel much longer than the signal", () => {
    const x = new Float64Array([2]);
    const h = new Float64Array([1, 2, 3, 4, 5]);
    const out = new Float64Array(5);
    convolveDirect(x, h, out, 0, 5, true);
    assert.deepEqual(Array.from(out), [10, 8, 6, 4, 2]);
  });
});
