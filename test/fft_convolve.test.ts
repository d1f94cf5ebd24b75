import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { convolveFft, fftSizeForWindow } from "../src/kernels/fft_convolve.ts";
import { CachedWorkspace, type Workspace } from "../src/kernels/workspace.ts";
import type { Float } from "../src/types.ts";

/** Naive float64 window of the full linear convolution: the oracle. */
function reference(
  x: Float,
  h: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
): Float64Array {
  const n = x.length, m = h.length;
  const y = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const k = start + i;
    let sum = 0;
    for (let j = Math.max(0, k - n + 1); j <= Math.min(m - 1, k); j++) {
      sum += x[k - j] * (reverseKernel ? h[m - 1 - j] : h[j]);
    }
    y[i] = sum;
  }
  return y;
}

function random(length: number, seed: number, type: "f32" | "f64" = "f64"): Float {
  const a = type === "f32" ? new Float32Array(length) : new Float64Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

function assertClose(actual: Float, expected: Float64Array, tolerance: number): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  assert.ok(
    worst <= tolerance * Math.max(scale, Number.MIN_VALUE),
    `max error ${worst} exceeds ${tolerance} * max|y| (${scale})`,
  );
}

function windows(n: number, m: number): [string, number, number][] {
  return [
    ["full", 0, n + m - 1],
    ["same", Math.floor((m - 1) / 2), n],
    ["valid", Math.min(n, m) - 1, Math.max(n, m) - Math.min(n, m) + 1],
  ];
}

/** A workspace that remembers which arrays it handed out, to prove reuse. */
class RecordingWorkspace implements Workspace {
  readonly inner = new CachedWorkspace();
  taken: Float64Array[] = [];
  takeFloat64(length: number): Float64Array {
    const array = this.inner.takeFloat64(length);
    this.taken.push(array);
    return array;
  }
  reset(): void {
    this.inner.reset();
    this.taken = [];
  }
}

describe("convolveFft", () => {
  it("matches the direct reference for every mode, both directions and both kernel lengths", () => {
    for (const [n, m] of [[1, 1], [1, 5], [5, 1], [7, 3], [3, 7], [64, 64], [100, 37], [37, 100]]) {
      const x = random(n, n * 31 + m), h = random(m, m * 17 + n);
      for (const [, start, length] of windows(n, m)) {
        for (const reverse of [false, true]) {
          const out = new Float64Array(length);
          convolveFft(x, h, out, start, length, reverse, new CachedWorkspace());
          assertClose(out, reference(x, h, start, length, reverse), 1e-11);
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
        fc.constantFrom("f32", "f64"),
        fc.constantFrom("f32", "f64"),
        (n, m, a, b, reverse, signalType, kernelType) => {
          const total = n + m - 1;
          const start = Math.floor(a * total);
          const length = Math.floor(b * (total - start));
          const x = random(n, n + 7 * m, signalType as "f32" | "f64");
          const h = random(m, 3 * n + m, kernelType as "f32" | "f64");
          const out = new Float64Array(length + 3).fill(42);
          convolveFft(x, h, out, start, length, reverse, new CachedWorkspace());
          assertClose(out, reference(x, h, start, length, reverse), 1e-11);
          // Elements past the window stay untouched.
          assert.deepEqual([...out.subarray(length)], [42, 42, 42]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes a Float32Array output rounded from the float64 result", () => {
    const x = random(1000, 1, "f32"), h = random(63, 2, "f32");
    const out = new Float32Array(1062);
    convolveFft(x, h, out, 0, 1062, false, new CachedWorkspace());
    assertClose(out, reference(x, h, 0, 1062, false), 2e-7);
  });

  it("handles signals of 1e5 samples with long and short kernels", () => {
    const x = random(100_000, 5);
    for (const m of [1, 255, 3000]) {
      const h = random(m, m);
      for (const [, start, length] of windows(x.length, m)) {
        const out = new Float64Array(length);
        convolveFft(x, h, out, start, length, m === 255, new CachedWorkspace());
        assertClose(out, reference(x, h, start, length, m === 255), 1e-11);
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
    const x = random(5000, 9), h = random(300, 10);
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
    convolveFft(random(4, 1), random(2, 2), out, 0, 0, false, new CachedWorkspace());
    assert.deepEqual([...out], [7]);
  });
});
