/**
 * How the WebAssembly kernels accumulate sums, checked on the cases that tell the
 * accumulation schemes apart: a float32 output against a float64 reference on data
 * whose sums are large against their terms, and float32 errors against SciPy's on the
 * same arrays.
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
import { setWasmKernelsEnabled, setWasmMemoryLimitForTests } from "../src/internal/testing.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { convolve, correlate } from "../src/convolve.ts";
import { scipyAutoTransforms } from "../src/kernels/scipy_auto_choice.ts";
import {
  convolutionScale,
  randomSignal,
  referenceFull,
  referenceWindow,
} from "./helpers/reference.ts";

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

/** The data kinds of bench/f32_accuracy.py: [0, 1) and [-1, 1), signal seed 11, kernel 12. */
const KINDS = {
  unit: unitSignal,
  signed: (length: number, seed: number) => randomSignal(Float32Array, length, seed),
};

/**
 * SciPy 1.17.1's float32 error (max |y - exact| / (||x||2 ||h||2)) on these very arrays,
 * `scipy.signal.convolve` with method "direct" and "fft", as `bench/f32_accuracy.py`
 * prints it (rounded up in the third digit).
 */
const SCIPY_F32: Record<string, { direct: number; fft: number }> = {
  "unit 256x15": { direct: 1.12e-8, fft: 4.53e-8 },
  "unit 4096x63": { direct: 7.44e-9, fft: 2.99e-8 },
  "unit 9916x9916": { direct: 1.86e-7, fft: 2.53e-7 },
  "signed 256x15": { direct: 6.76e-9, fft: 3.0e-8 },
  "signed 4096x63": { direct: 3.58e-9, fft: 1.43e-8 },
  "signed 9916x9916": { direct: 1.18e-8, fft: 8.0e-9 },
};

/** A case's arrays and float64 reference, computed once for the tests that share them. */
interface Case {
  label: string;
  x: Float32Array;
  h: Float32Array;
  want: Float64Array;
}

const caseCache = new Map<string, Case>();

/** The cases of {@linkcode SCIPY_F32}, every kind at 256x15, 4096x63 and 9916x9916. */
function scipyCases(): Case[] {
  const cases: Case[] = [];
  for (const [kind, make] of Object.entries(KINDS)) {
    for (const [n, m] of [[256, 15], [4096, 63], [9916, 9916]]) {
      const label = `${kind} ${n}x${m}`;
      let found = caseCache.get(label);
      if (found === undefined) {
        const x = make(n, 11);
        const h = make(m, 12);
        found = { label, x, h, want: referenceFull(x, h, false) };
        caseCache.set(label, found);
      }
      cases.push(found);
    }
  }
  return cases;
}

/** max |got - want| over the output, relative to ||x||2 * ||h||2. */
function relativeError(got: Float, want: Float64Array, x: Float, h: Float): number {
  let error = 0;
  for (let i = 0; i < want.length; i++) error = Math.max(error, Math.abs(got[i] - want[i]));
  return error / convolutionScale(x, h);
}

/** Half the spacing of float32 values at |v| (normal range): the error of rounding v once. */
function halfUlpF32(v: number): number {
  const magnitude = Math.abs(v);
  if (magnitude < 2 ** -126) return 2 ** -150;
  return 2 ** (Math.floor(Math.log2(magnitude)) - 24);
}

/**
 * Asserts every element of `got` is the float32 rounding of `want` (the float64
 * reference sum): within half a float32 spacing of it, plus the float64 rounding of
 * the two sums (m taps each, at most m 2^-53 sum|x h| <= m 2^-53 ||x|| ||h||). No
 * float32 result can be closer to the exact sum, so no float32 method does better.
 * `extra` widens the bound by the float64 transforms' own rounding where they ran.
 */
function assertRoundedOnce(
  got: Float,
  want: Float64Array,
  m: number,
  scale: number,
  extra = 0,
  label = "",
): void {
  const sumsError = 2 * m * 2 ** -53 * scale + extra;
  assert.equal(got.length, want.length, label);
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i] - want[i]);
    if (!(error <= halfUlpF32(want[i]) + sumsError)) {
      assert.fail(`${label} y[${i}] = ${got[i]}, float64 sum ${want[i]} (error ${error})`);
    }
  }
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
    // A Float32 output: the same float64 sum, rounded once.
    const out32 = new Float32Array(599);
    convolveDirectWasm(bigThenOnes(Float32Array), h32, out32, 0, 599, false);
    assert.equal(out32[299], EXACT_F32, "float32 direct");
    for (const wasm of [true, false]) {
      setWasmKernelsEnabled(wasm);
      try {
        for (const ArrayType of [Float32Array, Float64Array]) {
          const y = convolve(bigThenOnes(ArrayType), new ArrayType(300).fill(1), {
            method: "direct",
          });
          const want = ArrayType === Float32Array ? EXACT_F32 : EXACT;
          const kernels = wasm ? "WebAssembly" : "TypeScript";
          assert.equal(y[299], want, `${kernels} direct, ${ArrayType.name}`);
        }
      } finally {
        setWasmKernelsEnabled(true);
      }
    }
  });

  it("float32 direct sums below 2^24 are exact, over tiles and tap chunks", () => {
    // 300 taps span several tap chunks of the kernel's scratch, 5299 outputs many tiles.
    const ones = new Float32Array(5000).fill(1);
    const y = new Float32Array(5000 + 300 - 1);
    convolveDirectWasm(ones, new Float32Array(300).fill(1), y, 0, y.length, false);
    for (let i = 0; i < y.length; i++) {
      const want = Math.min(i + 1, 300, 5000 + 300 - 1 - i);
      if (y[i] !== want) assert.fail(`y[${i}] = ${y[i]}, expected ${want}`);
    }
  });

  it("float32 direct equals the float64 direct rounded to float32, bit for bit", () => {
    // Float32 inputs with a Float64 output take the f64 kernel on the same values; the
    // Float32 output widens them itself, tile by tile: the same sums must come out.
    for (
      const [n, m, start, length] of [
        [256, 15, 0, 270],
        [1000, 300, 0, 1299],
        [5000, 129, 777, 3001],
        [300, 2000, 0, 2299],
        [64, 1, 0, 64],
      ]
    ) {
      const x = randomSignal(Float32Array, n, n);
      const h = randomSignal(Float32Array, m, m + 1);
      for (const reverse of [false, true]) {
        const wide = new Float64Array(length);
        const narrow = new Float32Array(length);
        convolveDirectWasm(x, h, wide, start, length, reverse);
        convolveDirectWasm(x, h, narrow, start, length, reverse);
        for (let i = 0; i < length; i++) {
          if (narrow[i] !== Math.fround(wide[i])) {
            assert.fail(`${n}x${m} [${start + i}]: ${narrow[i]} vs float64 ${wide[i]}`);
          }
        }
      }
    }
  });

  it("float32 direct is the float64 sum rounded once, at least as accurate as SciPy", () => {
    for (const { label, x, h, want } of scipyCases()) {
      const m = h.length;
      const out = new Float32Array(want.length);
      convolveDirectWasm(x, h, out, 0, out.length, false);
      assertRoundedOnce(out, want, m, convolutionScale(x, h));
      const error = relativeError(out, want, x, h);
      assert.ok(error <= SCIPY_F32[label].direct, `${label}: ${error}`);
      // A window deep inside, whose first output is not at a tile boundary.
      const start = Math.floor(want.length / 3) + 5;
      const length = Math.min(1000, want.length - start);
      const window = new Float32Array(length);
      convolveDirectWasm(x, h, window, start, length, false);
      assertRoundedOnce(window, want.subarray(start, start + length), m, convolutionScale(x, h));
    }
  });

  it("float32 direct with a 10^5-tap kernel: the float64 sum rounded once", () => {
    for (const make of Object.values(KINDS)) {
      const x = make(20000, 11);
      const h = make(100000, 12);
      // Outputs where all 20000 signal samples meet the kernel.
      const start = 60000;
      const length = 512;
      const want = referenceWindow(x, h, start, length, false);
      const out = new Float32Array(length);
      convolveDirectWasm(x, h, out, start, length, false);
      assertRoundedOnce(out, want, 100000, convolutionScale(x, h));
      // Correlation reads the kernel the other way round: the same contract.
      const wantReversed = referenceWindow(x, h, start, length, true);
      convolveDirectWasm(x, h, out, start, length, true);
      assertRoundedOnce(out, wantReversed, 100000, convolutionScale(x, h));
    }
  });

  it("float64 FFT methods stay within 1e-6 of the exact sum on [2^24, 1 x 299]", () => {
    const out = new Float64Array(599);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
      kernel(bigThenOnes(Float64Array), new Float64Array(300).fill(1), out, 0, 599, false);
      assert.ok(Math.abs(out[299] - EXACT) < 1e-6, `${kernel.name}: ${out[299]}`);
    }
  });

  it("float32 FFT methods: within SciPy's float32 FFT error", () => {
    // With the kernel spectrum computed in float64 and rounded once per bin, the
    // error left is that of the signal's float32 transforms; on data with a large
    // mean (the "unit" kind, all in [0, 1)) the mean is taken out of the signal
    // before them and its share added back in float64, so the inverse transform's
    // rounding follows the outputs' fluctuation, not their size.
    for (const { label, x, h, want } of scipyCases()) {
      const out = new Float32Array(want.length);
      const bound = SCIPY_F32[label].fft;
      for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
        kernel(x, h, out, 0, out.length, false);
        const error = relativeError(out, want, x, h);
        assert.ok(error <= bound, `${label} ${kernel.name}: ${error} > ${bound}`);
      }
    }
  });
});

describe("convolve and correlate, method auto: float32 as accurate as SciPy's auto", {
  skip: !wasmAvailable,
}, () => {
  it("rounds once where SciPy sums directly, within SciPy's FFT error where it transforms", () => {
    // Where SciPy's auto sums directly (scipyAutoTransforms false), float32
    // transforms would be up to several times less accurate than SciPy's float32
    // sums, so auto computes in float64 (direct sums, or float64 transforms for the
    // longer ones) and rounds each output once: the most accurate float32 result.
    for (const { label, x, h } of scipyCases()) {
      const x64 = Float64Array.from(x);
      const h64 = Float64Array.from(h);
      const scale = convolutionScale(x, h);
      const n = x.length;
      const m = h.length;
      for (const operation of [convolve, correlate]) {
        for (const mode of ["full", "same", "valid"] as const) {
          const got = operation(x, h, { mode, method: "auto" });
          const want = operation(x64, h64, { mode, method: "direct" });
          const what = `${label} ${operation.name} ${mode}`;
          if (scipyAutoTransforms(n, m, mode)) {
            if (mode !== "full" || operation !== convolve) continue; // SciPy measured in full
            const error = relativeError(got, want, x, h);
            assert.ok(error <= SCIPY_F32[label].fft, `${what}: ${error}`);
          } else {
            // the float64 transforms' rounding: far below half a float32 spacing
            const transforms = 64 * Math.log2(n + m) * 2 ** -53 * scale;
            assertRoundedOnce(got, want, m, scale, transforms, what);
          }
        }
      }
    }
  });

  it("keeps float32 transforms for method fft, at most SciPy's FFT error", () => {
    const [{ label, x, h, want }] = scipyCases().filter((c) => c.label === "signed 4096x63");
    const auto = relativeError(convolve(x, h, { method: "auto" }), want, x, h);
    const fft = relativeError(convolve(x, h, { method: "fft" }), want, x, h);
    assert.ok(fft <= SCIPY_F32[label].fft, `fft ${fft}`);
    assert.ok(auto < SCIPY_F32[label].direct && auto < fft, `auto ${auto}, fft ${fft}`);
  });
});

/** sqrt(sum (v - mean)^2), the mean taken in float64. */
function centredNorm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return Math.sqrt(squares);
}

/**
 * Asserts a float32 FFT window is within half a float32 spacing of the float64 sum
 * plus 4 2^-24 ||x - mean|| ||h||: the transforms' rounding follows the signal's
 * fluctuation, not its mean (plus 2^-20 ||x|| ||h|| for the float32 estimate of the
 * mean, which leaves a constant signal a last-bit residue).
 */
function assertMeanFree(got: Float, want: Float64Array, x: Float, h: Float, label: string): void {
  const kernelNorm = convolutionScale([1], h);
  const spread = 4 * 2 ** -24 * (centredNorm(x) + 2 ** -20 * convolutionScale(x, [1])) *
    kernelNorm;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i] - want[i]);
    if (!(error <= halfUlpF32(want[i]) + spread)) {
      assert.fail(`${label} [${i}]: ${got[i]}, float64 sum ${want[i]} (error ${error})`);
    }
  }
}

/** A deterministic generator of numbers in [0, 1) for the shapes of random cases. */
function uniform(seed: number): () => number {
  const values = randomSignal(Float64Array, 4096, seed);
  let next = 0;
  return () => (values[next++ % values.length] + 1) / 2;
}

describe("WebAssembly kernels: float32 FFT mean removal", { skip: !wasmAvailable }, () => {
  it("errors follow the signal's fluctuation, for any shape, window and direction", () => {
    const draw = uniform(21);
    // offsets: zero mean, a mean below the spread (left in), large means, a constant
    for (const offset of [0, 0.5, 3, 100, -1e4]) {
      for (let trial = 0; trial < 60; trial++) {
        const n = 1 + Math.floor(draw() * 700);
        const m = 1 + Math.floor(draw() * (trial % 4 === 0 ? 1200 : 120));
        const x = randomSignal(Float32Array, n, trial + 1);
        for (let i = 0; i < n; i++) x[i] = trial % 10 === 9 ? offset : x[i] + offset;
        const h = randomSignal(Float32Array, m, trial + 1000);
        if (trial % 3 === 0) { for (let j = 0; j < m; j++) h[j] = (h[j] + 1) / 2; }
        const full = n + m - 1;
        const start = Math.floor(draw() * full);
        const length = Math.floor(draw() * (full - start + 1));
        const reverse = draw() < 0.5;
        const want = referenceWindow(x, h, start, length, reverse);
        for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
          const out = new Float32Array(length);
          kernel(x, h, out, start, length, reverse);
          const label = `${kernel.name} ${n}x${m} [${start}, +${length}) rev=${reverse} +${offset}`;
          assertMeanFree(out, want, x, h, label);
        }
      }
    }
  });

  it("convolve and correlate, including a kernel longer than the signal", () => {
    for (const [n, m] of [[3000, 41], [41, 3000], [1000, 1000]]) {
      const x = randomSignal(Float32Array, n, n).map((v) => v + 10);
      const h = randomSignal(Float32Array, m, m + 1).map((v) => v + 10);
      for (const reverse of [false, true]) {
        const y = (reverse ? correlate : convolve)(x, h, { method: "fft" });
        const want = referenceFull(x, h, reverse);
        // the transposed problem's signal is the kernel, whose mean is taken out
        const [signal, kernel] = n >= m ? [x, h] : [h, x];
        assertMeanFree(y, want, signal, kernel, `${n}x${m} rev=${reverse}`);
      }
    }
  });

  it("a window too large for the memory: each piece's mean, in pieces", () => {
    setWasmMemoryLimitForTests(2 * 2 ** 20);
    try {
      const x = randomSignal(Float32Array, 200_000, 5).map((v) => v / 4 + 10);
      const h = randomSignal(Float32Array, 31, 6);
      for (const reverse of [false, true]) {
        const want = referenceFull(x, h, reverse);
        for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
          const out = new Float32Array(want.length);
          kernel(x, h, out, 0, out.length, reverse);
          assertMeanFree(out, want, x, h, `${kernel.name} rev=${reverse}`);
        }
      }
    } finally {
      setWasmMemoryLimitForTests(null);
    }
  });

  it("NaN and infinities propagate as without the mean removal", () => {
    const n = 3000;
    const m = 41;
    const base = randomSignal(Float32Array, n, 8).map((v) => v + 5);
    const taps = randomSignal(Float32Array, m, 9).map((v) => v + 5);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const where of ["signal", "kernel"]) {
        const x = base.slice();
        const h = taps.slice();
        if (where === "signal") x[1234] = bad;
        else h[17] = bad;
        const want = referenceFull(x, h, false);
        for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
          const out = new Float32Array(want.length);
          kernel(x, h, out, 0, out.length, false);
          for (let i = 0; i < want.length; i++) {
            // Where the float64 sum is not finite, neither is the output; a finite
            // output (the transforms spread a NaN over whole blocks, not everywhere)
            // is as close as the unshifted transforms' error allows.
            if (!Number.isFinite(want[i])) {
              if (Number.isFinite(out[i])) {
                assert.fail(`${where} ${bad} ${kernel.name} [${i}]: ${out[i]}, want ${want[i]}`);
              }
            } else if (Number.isFinite(out[i])) {
              const error = Math.abs(out[i] - want[i]);
              const bound = 64 * 2 ** -24 * convolutionScale(base, taps);
              assert.ok(error <= bound, `${where} ${bad} ${kernel.name} [${i}]: ${error}`);
            }
          }
        }
      }
    }
  });
});
