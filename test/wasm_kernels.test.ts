/**
 * Accuracy tests of the WebAssembly SIMD kernels against a naive float64 reference.
 *
 * Tolerances are relative to max|y| of the reference: 2e-5 for float32 outputs (f32
 * has 6e-8 unit roundoff; sums of up to 4096 terms and log2 N FFT stages stay well
 * below) and 1e-11 for float64 outputs (unit roundoff 1.1e-16; even a 2^17-point
 * transform or a 4095-term dot product leaves four orders of magnitude of margin).
 *
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Float } from "../src/types.ts";
import { chooseOverlapAddSize } from "../src/kernels/wasm/wasm_cost_model.ts";
import {
  convolveDirectWasm,
  convolveFftWasm,
  convolveOverlapAddWasm,
  FLOAT64_TRANSFORMS,
  realFftWasm,
  wasmKernels,
} from "../src/kernels/wasm/wasm_kernels.ts";
import {
  DEFAULT_WASM_RELEASE_CHECK_MS,
  DEFAULT_WASM_RETAIN_BYTES,
  releaseIdleWasmMemory,
  setWasmMemoryRetention,
  wasmMemoryBytes,
  wasmMemoryReleases,
} from "../src/kernels/wasm/wasm_instance.ts";
import { kernelSpectrumReuses } from "../src/kernels/wasm/kernel_spectrum.ts";
import { setWasmKernelsEnabled } from "../src/internal/testing.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import {
  assertClose,
  convolutionScale,
  randomSignal,
  referenceFull,
  referenceRealDft,
} from "./helpers/reference.ts";

/** The signature the three window kernels share (the direct one takes no options). */
type Kernel = typeof convolveFftWasm;

const METHODS: [string, Kernel][] = [
  ["direct", convolveDirectWasm],
  ["fft", convolveFftWasm],
  ["overlap-add", convolveOverlapAddWasm],
];

/** The array type of each precision name used in test names. */
const ARRAYS = { f32: Float32Array, f64: Float64Array } as const;

/**
 * The output type's tolerance relative to {@linkcode convolutionScale}: over 20x
 * the largest error seen on random input (1.7e-7 in float32, 4.4e-16 in float64).
 */
function tolerance(out: Float): number {
  return out instanceof Float32Array ? 4e-6 : 1e-13;
}

/**
 * Checks `got[0, length)` against `want[start, start + length)` within the output
 * type's tolerance relative to the rounding scale of convolving `signal` with
 * `kernel`, so a window whose values happen to be small is held to the same
 * absolute error as the rest of the output.
 */
function assertWindow(
  got: Float,
  want: Float64Array,
  start: number,
  length: number,
  label: string,
  signal: Float,
  kernel: Float,
): void {
  assertClose(
    got.subarray(0, length),
    want.subarray(start, start + length),
    tolerance(got),
    label,
    convolutionScale(signal, kernel),
  );
}

const wasmAvailable = simdSupported();

describe("WebAssembly SIMD kernels", { skip: !wasmAvailable }, () => {
  it("are available in this runtime", () => {
    assert.notEqual(wasmKernels(), null);
  });

  // The window contract (random windows, sizes, precisions, agreement with the
  // TypeScript kernels) is tested for all kernels in kernel_contract.test.ts.

  it("honours an explicit fftSize and rejects an impossible one", () => {
    const x = randomSignal(Float64Array, 5000, 21);
    const h = randomSignal(Float64Array, 100, 22);
    const want = referenceFull(x, h, false);
    for (const fftSize of [128, 256, 1024, 8192]) {
      const out = new Float64Array(want.length);
      convolveOverlapAddWasm(x, h, out, 0, want.length, false, { fftSize });
      assertWindow(out, want, 0, want.length, `fftSize ${fftSize}`, x, h);
    }
    assert.throws(
      () => convolveOverlapAddWasm(x, h, new Float64Array(5099), 0, 5099, false, { fftSize: 64 }),
      RangeError,
    );
    assert.throws(
      () => convolveFftWasm(x, h, new Float64Array(5099), 0, 5099, false, { fftSize: 1000 }),
      RangeError,
    );
  });

  it("reuses a kernel spectrum only while the kernel's bits are the same", () => {
    const x = randomSignal(Float32Array, 4096, 31);
    const h = randomSignal(Float32Array, 63, 32);
    const out = new Float32Array(4158);
    const size = { fftSize: 512 };
    const reusesAfter = (call: () => void): number => {
      const before = kernelSpectrumReuses();
      call();
      return kernelSpectrumReuses() - before;
    };
    convolveOverlapAddWasm(x, h, out, 0, 4158, false, size);
    assertWindow(out, referenceFull(x, h, false), 0, 4158, "first", x, h);
    convolveDirectWasm(x, h, out, 0, 4158, true); // scratch must not clobber the spectrum
    const again = () => convolveOverlapAddWasm(x, h, out, 0, 4158, false, size);
    assert.equal(reusesAfter(again), 1, "same kernel: spectrum reused");
    assertWindow(out, referenceFull(x, h, false), 0, 4158, "reused", x, h);
    const copy = () => convolveOverlapAddWasm(x, h.slice(), out, 0, 4158, false, size);
    assert.equal(reusesAfter(copy), 1, "another array with the same values: reused");
    const reversed = () => convolveOverlapAddWasm(x, h, out, 0, 4158, true, size);
    assert.equal(reusesAfter(reversed), 0, "correlation needs the reversed spectrum");
    assertWindow(out, referenceFull(x, h, true), 0, 4158, "reversed", x, h);
    convolveOverlapAddWasm(x, h, out, 0, 4158, false, size);
    h[5] += 1; // mutated in place: the same array must not reuse the old spectrum
    assert.equal(reusesAfter(again), 0, "mutated kernel: transformed again");
    assertWindow(out, referenceFull(x, h, false), 0, 4158, "mutated in place", x, h);
    h[7] = -0; // a bit-level change that compares equal as a value
    const zeroBefore = h.slice();
    zeroBefore[7] = 0;
    convolveOverlapAddWasm(x, zeroBefore, out, 0, 4158, false, size);
    assert.equal(reusesAfter(again), 0, "-0 and 0 are different bits");
    const f64Kernel = Float64Array.from(h);
    const mixed = () => convolveOverlapAddWasm(x, f64Kernel, out, 0, 4158, false, size);
    assert.equal(reusesAfter(mixed), 1, "a Float64Array kernel with the same float32 values");
    const bigger = () => convolveOverlapAddWasm(x, h, out, 0, 4158, false, { fftSize: 1024 });
    assert.equal(reusesAfter(bigger), 0, "another FFT size needs another spectrum");
    assertWindow(out, referenceFull(x, h, false), 0, 4158, "other size", x, h);
  });

  it("keeps results right and user arrays intact across memory growth", () => {
    const small = randomSignal(Float32Array, 100, 41);
    const h = randomSignal(Float32Array, 9, 42);
    const out = new Float32Array(108);
    convolveDirectWasm(small, h, out, 0, 108, false);
    const copy = out.slice();
    const before = wasmMemoryBytes();
    const big = randomSignal(Float32Array, 1 << 20, 43);
    const bigOut = new Float32Array((1 << 20) + 8);
    convolveOverlapAddWasm(big, h, bigOut, 0, bigOut.length, false);
    assert.ok(wasmMemoryBytes() > before, "memory grew");
    assert.deepEqual(out, copy);
    convolveDirectWasm(small, h, out, 0, 108, false);
    assert.deepEqual(out, copy);
    const want = referenceFull(big.subarray(0, 5000), h, false);
    assertWindow(bigOut, want, 0, 5000, "big head", big.subarray(0, 5000), h);
  });

  it("computes a real FFT that matches the DFT definition", () => {
    for (const type of ["f32", "f64"] as const) {
      for (const n of [32, 64, 128, 256, 512, 2048, 4096]) {
        const x = randomSignal(ARRAYS[type], n, n);
        const re = new ARRAYS[type](n / 2 + 1);
        const im = new ARRAYS[type](n / 2 + 1);
        realFftWasm(x, re, im);
        const got = new Float64Array(n + 2);
        for (let k = 0; k <= n / 2; k++) {
          got[2 * k] = re[k];
          got[2 * k + 1] = im[k];
        }
        // float64 FFT: the reference itself sums n terms, 1e-11 relative covers both.
        assertClose(got, referenceRealDft(x), type === "f32" ? 2e-5 : 1e-11, `${type} n=${n}`);
      }
    }
    assert.throws(
      () => realFftWasm(new Float32Array(48), new Float32Array(25), new Float32Array(25)),
      RangeError,
    );
  });

  it("rejects windows outside the full output", () => {
    const x = new Float32Array(4);
    const h = new Float32Array(2);
    const rejects = (action: () => void, message: RegExp) =>
      assert.throws(action, { name: "RangeError", message });
    for (const [, kernel] of METHODS) {
      rejects(
        () => kernel(x, h, new Float32Array(6), 0, 6, false),
        /^WebAssembly kernels: length must be an integer in \[0, 5\] .*, received number 6$/,
      );
      rejects(
        () => kernel(x, h, new Float32Array(2), 0, 3, false),
        /length must be an integer in \[0, 2\] .*, received number 3$/,
      );
      rejects(
        () => kernel(x, h, new Float32Array(5), -1, 2, false),
        /start must be an integer in \[0, 5\] .*, received number -1$/,
      );
      rejects(
        () => kernel(new Float32Array(0), h, new Float32Array(5), 0, 0, false),
        /the signal's length must be at least 1, received number 0$/,
      );
    }
  });

  it("transforms a float32 window in float64 on request: the float64 result rounded once", () => {
    const x = randomSignal(Float32Array, 5000, 21);
    const h = randomSignal(Float32Array, 63, 22);
    const x64 = Float64Array.from(x);
    const h64 = Float64Array.from(h);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
      for (const reverse of [false, true]) {
        for (const [start, length] of [[0, 5062], [31, 5000], [62, 4938], [100, 7]]) {
          const wide = new Float64Array(length);
          kernel(x64, h64, wide, start, length, reverse);
          // twice: the second call reuses the float64 spectrum of the float32 kernel
          for (let round = 0; round < 2; round++) {
            const out = new Float32Array(length);
            kernel(x, h, out, start, length, reverse, FLOAT64_TRANSFORMS);
            assert.deepEqual(out, Float32Array.from(wide), `${kernel.name} ${start}+${length}`);
          }
          // and a float32-transform call in between does not take that spectrum
          const narrow = new Float32Array(length);
          kernel(x, h, narrow, start, length, reverse);
          const out = new Float32Array(length);
          kernel(x, h, out, start, length, reverse, FLOAT64_TRANSFORMS);
          assert.deepEqual(out, Float32Array.from(wide));
        }
      }
    }
  });

  it("chooses bigger blocks for longer kernels", () => {
    const a = chooseOverlapAddSize(1 << 20, 15, false);
    const b = chooseOverlapAddSize(1 << 20, 4095, false);
    assert.ok(b > a && a >= 32, `${a} ${b}`);
  });
});

describe("WebAssembly linear memory release", { skip: !wasmAvailable }, () => {
  const BOUND = 1 << 20;
  const h = randomSignal(Float32Array, 31, 52);
  /** One overlap-add call over `n` samples; returns its output. */
  const convolveLength = (n: number): Float32Array => {
    const x = randomSignal(Float32Array, n, n);
    const out = new Float32Array(n + 30);
    convolveOverlapAddWasm(x, h, out, 0, out.length, false);
    return out;
  };
  const withRetention =
    (bytes: number, ms: number, body: () => Promise<void> | void) => async () => {
      setWasmMemoryRetention(bytes, ms);
      try {
        await body();
      } finally {
        setWasmMemoryRetention(DEFAULT_WASM_RETAIN_BYTES, DEFAULT_WASM_RELEASE_CHECK_MS);
      }
    };

  it(
    "gives memory above the bound back once a whole check passes without a call needing it",
    withRetention(BOUND, 60_000, () => {
      const kept = convolveLength(1000);
      const keptCopy = kept.slice();
      convolveLength(300_000); // about 2.4 MB of linear memory
      const grown = wasmMemoryBytes();
      assert.ok(grown > BOUND, `grew to ${grown}`);
      assert.equal(releaseIdleWasmMemory(), 0, "the big call happened since the last check");
      convolveLength(300_000);
      assert.equal(releaseIdleWasmMemory(), 0, "still needed");
      const reusesBefore = kernelSpectrumReuses();
      convolveLength(1000); // small: caches a spectrum that the same call would reuse
      convolveLength(1000);
      assert.equal(kernelSpectrumReuses(), reusesBefore + 1, "reused before the release");
      const releasesBefore = wasmMemoryReleases();
      assert.equal(releaseIdleWasmMemory(), grown, "a whole check without a big call");
      assert.equal(wasmMemoryBytes(), 0);
      assert.equal(wasmMemoryReleases(), releasesBefore + 1);
      assert.deepEqual(kept, keptCopy, "results handed out before stay intact");
      // The next call instantiates afresh: right results, and the kernel spectrum is
      // computed again (the cached one went with the old memory).
      const reusesAfter = kernelSpectrumReuses();
      const x = randomSignal(Float32Array, 1000, 1000);
      const again = convolveLength(1000);
      assert.equal(kernelSpectrumReuses(), reusesAfter, "no stale spectrum");
      assertWindow(again, referenceFull(x, h, false), 0, 1030, "after release", x, h);
      assert.ok(wasmMemoryBytes() > 0 && wasmMemoryBytes() <= BOUND);
    }),
  );

  it(
    "keeps memory at or below the bound however long it is idle",
    withRetention(BOUND, 60_000, () => {
      // Start from memory within the bound, whatever earlier tests grew it to.
      releaseIdleWasmMemory();
      releaseIdleWasmMemory();
      convolveLength(1000);
      const bytes = wasmMemoryBytes();
      assert.ok(bytes <= BOUND);
      assert.equal(releaseIdleWasmMemory(), 0);
      assert.equal(releaseIdleWasmMemory(), 0);
      assert.equal(wasmMemoryBytes(), bytes);
    }),
  );

  it(
    "releases on its own timer after a call above the bound",
    withRetention(BOUND, 20, async () => {
      const releasesBefore = wasmMemoryReleases();
      convolveLength(300_000);
      for (let i = 0; i < 200 && wasmMemoryReleases() === releasesBefore; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(wasmMemoryReleases(), releasesBefore + 1);
      assert.equal(wasmMemoryBytes(), 0);
    }),
  );

  it("rejects a bad bound or interval with the value quoted", () => {
    assert.throws(
      () => setWasmMemoryRetention(-1, 5000),
      /^RangeError: setWasmMemoryRetention: bytes must be an integer >= 0 .*, received number -1$/,
    );
    assert.throws(() => setWasmMemoryRetention(1.5, 5000), RangeError);
    assert.throws(() => setWasmMemoryRetention(BOUND, 0), /checkIntervalMs .* received number 0$/);
    assert.throws(() => setWasmMemoryRetention(BOUND, NaN), /received number NaN$/);
  });
});

describe("WebAssembly kernel fallback", () => {
  it("can be forced off so that callers take the TypeScript path", () => {
    setWasmKernelsEnabled(false);
    try {
      assert.equal(wasmKernels(), null);
      assert.throws(
        () =>
          convolveDirectWasm(
            new Float32Array(2),
            new Float32Array(2),
            new Float32Array(3),
            0,
            3,
            false,
          ),
        /not available/,
      );
    } finally {
      setWasmKernelsEnabled(true);
    }
    assert.equal(wasmKernels() === null, !wasmAvailable);
  });
});
