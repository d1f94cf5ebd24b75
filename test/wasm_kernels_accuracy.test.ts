/**
 * How the WebAssembly kernels accumulate sums, checked on the cases that tell the
 * accumulation schemes apart: a float32 output against a float64 reference on data
 * whose sums are large against their terms.
 *
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Float } from "../src/types.ts";
import {
  convolveDirectWasm,
  convolveFftWasm,
  convolveOverlapAddWasm,
} from "../src/kernels/wasm/wasm_kernels.ts";
import { setWasmKernelsEnabled } from "../src/internal/testing.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { convolve } from "../src/convolve.ts";
import { convolutionScale, randomSignal, referenceFull } from "./helpers/reference.ts";

/** [2^24, 1 x 299], which convolved with 300 ones gives y[299] = 2^24 + 299. */
function bigThenOnes(ArrayType: Float32ArrayConstructor | Float64ArrayConstructor): Float {
  const x = new ArrayType(300).fill(1);
  x[0] = 2 ** 24;
  return x;
}

/** y[299] exactly: 2^24 + 299 = 16777515. */
const EXACT = 16777515;
/** The float32 nearest to it (a tie, rounded to even): 16777516. */
const EXACT_F32 = Math.fround(EXACT);

/** Random values in [0, 1): every term positive, so rounding errors do not cancel. */
function unitSignal(length: number, seed: number): Float32Array {
  const values = randomSignal(Float32Array, length, seed);
  for (let i = 0; i < length; i++) values[i] = (values[i] + 1) / 2;
  return values;
}

/** max |got - want| over the output, relative to ||x||2 * ||h||2. */
function relativeError(got: Float, want: Float64Array, x: Float, h: Float): number {
  let error = 0;
  for (let i = 0; i < want.length; i++) error = Math.max(error, Math.abs(got[i] - want[i]));
  return error / convolutionScale(x, h);
}

const wasmAvailable = simdSupported();

describe("WebAssembly kernels: accumulation", { skip: !wasmAvailable }, () => {
  it("sum [2^24, 1 x 299] * ones(300) exactly wherever sums are float64", () => {
    const h64 = new Float64Array(300).fill(1);
    const h32 = new Float32Array(300).fill(1);
    const out64 = new Float64Array(599);
    convolveDirectWasm(bigThenOnes(Float64Array), h64, out64, 0, 599, false);
    assert.equal(out64[299], EXACT, "float64 direct");
    // A Float64 output of Float32 inputs is computed in float64 too.
    convolveDirectWasm(bigThenOnes(Float32Array), h32, out64, 0, 599, false);
    assert.equal(out64[299], EXACT, "float64 direct, float32 inputs");
    setWasmKernelsEnabled(false);
    try {
      for (const ArrayType of [Float32Array, Float64Array]) {
        const y = convolve(bigThenOnes(ArrayType), new ArrayType(300).fill(1), {
          method: "direct",
        });
        const want = ArrayType === Float32Array ? EXACT_F32 : EXACT;
        assert.equal(y[299], want, `TypeScript direct, ${ArrayType.name}`);
      }
    } finally {
      setWasmKernelsEnabled(true);
    }
  });

  it("float32 direct: runs of 16 taps summed in float32, then in float64", () => {
    const out = new Float32Array(599);
    convolveDirectWasm(
      bigThenOnes(Float32Array),
      new Float32Array(300).fill(1),
      out,
      0,
      599,
      false,
    );
    // Only the run holding 2^24 loses its ones (15 of them, at most); f32 accumulation
    // over all 300 taps lost all 299 (16777216).
    assert.ok(Math.abs(out[299] - EXACT) <= 16, `y[299] = ${out[299]}`);
    assert.notEqual(out[299], 2 ** 24);
    // Sums that stay below 2^24 are exact.
    const ones = new Float32Array(5000).fill(1);
    const y = new Float32Array(5000 + 300 - 1);
    convolveDirectWasm(ones, new Float32Array(300).fill(1), y, 0, y.length, false);
    for (let i = 0; i < y.length; i++) {
      const want = Math.min(i + 1, 300, 5000 + 300 - 1 - i);
      if (y[i] !== want) assert.fail(`y[${i}] = ${y[i]}, expected ${want}`);
    }
  });

  it("float64 FFT methods stay within 1e-6 of the exact sum on [2^24, 1 x 299]", () => {
    const out = new Float64Array(599);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
      kernel(bigThenOnes(Float64Array), new Float64Array(300).fill(1), out, 0, 599, false);
      assert.ok(Math.abs(out[299] - EXACT) < 1e-6, `${kernel.name}: ${out[299]}`);
    }
  });

  it("float32 error on [0, 1) data at 3000 x 2048 stays at SciPy's float32 level", () => {
    // Measured on this data: direct 2.7e-8 (the former all-float32 sums: 1.2e-6),
    // FFT and overlap-add 1.6e-7. SciPy's float32 at 9916 x 9916: 1.8e-7 direct,
    // 2.0e-7 FFT.
    const x = unitSignal(3000, 11);
    const h = unitSignal(2048, 12);
    const want = referenceFull(x, h, false);
    const out = new Float32Array(want.length);
    convolveDirectWasm(x, h, out, 0, out.length, false);
    const direct = relativeError(out, want, x, h);
    assert.ok(direct <= 1e-7, `direct: ${direct}`);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
      kernel(x, h, out, 0, out.length, false);
      const error = relativeError(out, want, x, h);
      assert.ok(error <= 4e-7, `${kernel.name}: ${error}`);
    }
  });
});
