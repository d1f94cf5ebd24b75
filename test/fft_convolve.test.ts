import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { convolveFft, fftSizeForWindow } from "../src/kernels/fft_convolve.ts";
import { CachedWorkspace } from "../src/kernels/workspace.ts";
import {
  assertClose,
  convolutionScale,
  modeWindows,
  randomSignal,
  referenceWindow,
} from "./helpers/reference.ts";
import { RecordingWorkspace } from "./helpers/recording_workspace.ts";

describe("convolveFft", () => {
  it("matches the direct reference for every mode, both directions and both kernel lengths", () => {
    for (const [n, m] of [[1, 1], [1, 5], [5, 1], [7, 3], [3, 7], [64, 64], [100, 37], [37, 100]]) {
      const x = randomSignal(Float64Array, n, n * 31 + m);
      const h = randomSignal(Float64Array, m, m * 17 + n);
      for (const [mode, start, length] of modeWindows(n, m)) {
        for (const reverse of [false, true]) {
          const out = new Float64Array(length);
          convolveFft(x, h, out, start, length, reverse, new CachedWorkspace());
          const expected = referenceWindow(x, h, start, length, reverse);
          assertClose(out, expected, 1e-11, `${n}x${m} ${mode} reverse=${reverse}`);
        }
      }
    }
  });

  it("matches the reference on random sizes, windows, directions and precisions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.constantFrom(Float32Array, Float64Array),
        fc.constantFrom(Float32Array, Float64Array),
        (n, m, a, b, reverse, SignalType, KernelType) => {
          const total = n + m - 1;
          const start = Math.floor(a * total);
          const length = Math.floor(b * (total - start));
          const x = randomSignal(SignalType, n, n + 7 * m);
          const h = randomSignal(KernelType, m, 3 * n + m);
          const out = new Float64Array(length + 3).fill(42);
          convolveFft(x, h, out, start, length, reverse, new CachedWorkspace());
          const expected = referenceWindow(x, h, start, length, reverse);
          const label = `${n}x${m} [${start}, +${length})`;
          assertClose(out.subarray(0, length), expected, 1e-13, label, convolutionScale(x, h));
          // Elements past the window stay untouched.
          assert.deepEqual([...out.subarray(length)], [42, 42, 42]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes a Float32Array output rounded from the float64 result", () => {
    const x = randomSignal(Float32Array, 1000, 1), h = randomSignal(Float32Array, 63, 2);
    const out = new Float32Array(1062);
    convolveFft(x, h, out, 0, 1062, false, new CachedWorkspace());
    assertClose(out, referenceWindow(x, h, 0, 1062, false), 2e-7, "float32 output");
  });

  it("handles signals of 1e5 samples with long and short kernels", () => {
    const x = randomSignal(Float64Array, 100_000, 5);
    for (const m of [1, 255, 3000]) {
      const h = randomSignal(Float64Array, m, m);
      for (const [mode, start, length] of modeWindows(x.length, m)) {
        const out = new Float64Array(length);
        convolveFft(x, h, out, start, length, m === 255, new CachedWorkspace());
        const expected = referenceWindow(x, h, start, length, m === 255);
        assertClose(out, expected, 1e-11, `1e5x${m} ${mode}`);
      }
    }
  });

  it("uses transforms no larger than the window needs", () => {
    assert.equal(fftSizeForWindow(1000, 24, 0, 1023), 1024);
    assert.equal(fftSizeForWindow(1000, 100, 99, 901), 1024); // valid
    assert.equal(fftSizeForWindow(1000, 100, 49, 1000), 2048); // same
    assert.equal(fftSizeForWindow(1, 1, 0, 1), 1);
    assert.equal(fftSizeForWindow(10, 1000, 9, 991), 1024);
  });

  it("reuses the same scratch arrays when a warm workspace is called again", () => {
    const workspace = new RecordingWorkspace();
    const x = randomSignal(Float64Array, 5000, 9), h = randomSignal(Float64Array, 300, 10);
    const out = new Float64Array(5299);
    convolveFft(x, h, out, 0, 5299, false, workspace);
    const first = workspace.taken;
    workspace.reset();
    for (let round = 0; round < 3; round++) {
      convolveFft(x, h, out, 0, 5299, true, workspace);
      assert.equal(workspace.taken.length, first.length);
      workspace.taken.forEach((array, i) => assert.equal(array, first[i]));
      workspace.reset();
    }
  });

  it("leaves the output untouched for an empty window", () => {
    const out = new Float64Array([7]);
    const x = randomSignal(Float64Array, 4, 1), h = randomSignal(Float64Array, 2, 2);
    convolveFft(x, h, out, 0, 0, false, new CachedWorkspace());
    assert.deepEqual([...out], [7]);
  });
});
