import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { getRealFftPlan, multiplySpectra, RealFftPlan } from "../src/kernels/real_fft.ts";
import { assertClose, randomSignal, referenceRealDft } from "./helpers/reference.ts";

describe("real FFT", () => {
  it("matches a naive DFT for every power of two up to 2048", () => {
    for (let size = 1; size <= 2048; size *= 2) {
      const x = randomSignal(Float64Array, size, size);
      const plan = getRealFftPlan(size);
      const spectrum = new Float64Array(plan.spectrumLength);
      plan.forward(x, spectrum);
      const expected = referenceRealDft(x);
      assertClose(spectrum, expected, 1e-12, `size ${size}`);
    }
  });

  it("inverts its forward transform for sizes up to 2^17", () => {
    for (let size = 1; size <= 1 << 17; size *= 2) {
      const x = randomSignal(Float64Array, size, 3 * size + 1);
      const plan = getRealFftPlan(size);
      const spectrum = new Float64Array(plan.spectrumLength);
      const back = new Float64Array(size);
      plan.forward(x, spectrum);
      plan.inverse(spectrum, back);
      // An absolute bound (scale 1): the signal's magnitude is at most 1.
      assertClose(back, x, 1e-14 * Math.log2(2 * size), `size ${size}`, 1);
    }
  });

  it("reads segments with an offset, a backward stride and zero padding like an explicit copy", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.boolean(),
        fc.boolean(),
        (bits, a, b, backward, single) => {
          const size = 2 ** bits;
          const sourceLength = size + 7;
          const source = randomSignal(single ? Float32Array : Float64Array, sourceLength, a + b);
          const count = a % (size + 1);
          const offset = backward
            ? count - 1 + (b % (sourceLength - count + 1))
            : b % (sourceLength - count + 1);
          const padded = new Float64Array(size);
          for (let i = 0; i < count; i++) padded[i] = source[backward ? offset - i : offset + i];
          const plan = getRealFftPlan(size);
          const expected = new Float64Array(plan.spectrumLength);
          const actual = new Float64Array(plan.spectrumLength);
          plan.forward(padded, expected);
          plan.forwardSegment(source, offset, count, backward ? -1 : 1, actual);
          assert.deepEqual(actual, expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("caches one plan per size", () => {
    assert.equal(getRealFftPlan(512), getRealFftPlan(512));
    assert.notEqual(getRealFftPlan(512), getRealFftPlan(1024));
    assert.equal(getRealFftPlan(64).spectrumLength, 66);
  });

  it("rejects sizes that are not positive powers of two, quoting the size", () => {
    for (const bad of [0, 3, 12, -4, 2.5, NaN]) {
      assert.throws(
        () => getRealFftPlan(bad),
        (error: unknown) => error instanceof RangeError && error.message.includes(String(bad)),
      );
      assert.throws(() => new RealFftPlan(bad), RangeError);
    }
  });

  it("multiplies interleaved spectra pointwise, also in place", () => {
    const a = Float64Array.from([1, 2, 3, -1]);
    const b = Float64Array.from([0.5, -1, 2, 2]);
    const out = new Float64Array(4);
    multiplySpectra(a, b, out, 2);
    assert.deepEqual([...out], [2.5, 0, 8, 4]);
    multiplySpectra(a, b, a, 2);
    assert.deepEqual([...a], [2.5, 0, 8, 4]);
  });

  it("turns a spectral product into a circular convolution", () => {
    const size = 16;
    const x = randomSignal(Float64Array, size, 1), h = randomSignal(Float64Array, size, 2);
    const plan = getRealFftPlan(size);
    const sx = new Float64Array(plan.spectrumLength), sh = new Float64Array(plan.spectrumLength);
    plan.forward(x, sx);
    plan.forward(h, sh);
    multiplySpectra(sx, sh, sx, size / 2 + 1);
    const y = new Float64Array(size);
    plan.inverse(sx, y);
    for (let k = 0; k < size; k++) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += x[(k - j + size) % size] * h[j];
      assert.ok(Math.abs(y[k] - sum) < 1e-14, `bin ${k}`);
    }
  });
});
