import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chooseBlockSize, convolveOverlapAdd } from "../src/kernels/overlap_add.ts";
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

describe("convolveOverlapAdd", () => {
  it("matches the direct reference for every mode, both directions and both kernel lengths", () => {
    for (
      const [n, m] of [[1, 1], [1, 5], [5, 1], [7, 3], [3, 7], [64, 64], [1000, 37], [37, 1000]]
    ) {
      const x = random(n, n * 31 + m), h = random(m, m * 17 + n);
      for (const [, start, length] of windows(n, m)) {
        for (const reverse of [false, true]) {
          const out = new Float64Array(length);
          convolveOverlapAdd(x, h, out, start, length, reverse, new CachedWorkspace());
          assertClose(out, reference(x, h, start, length, reverse), 1e-11);
        }
      }
    }
  });

  it("matches the reference on random sizes, windows, block sizes and precisions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.constantFrom("f32", "f64"),
        fc.constantFrom("f32", "f64"),
        fc.integer({ min: 0, max: 3 }),
        (a0, b0, swap, a, b, reverse, signalType, kernelType, extraDoublings) => {
          const [n, m] = swap ? [b0, a0] : [a0, b0];
          const total = n + m - 1;
          const start = Math.floor(a * total);
          const length = Math.floor(b * (total - start));
          const x = random(n, n + 7 * m, signalType as "f32" | "f64");
          const h = random(m, 3 * n + m, kernelType as "f32" | "f64");
          // Block sizes from the smallest legal one (s itself) upwards.
          const s = Math.min(n, m);
          let block = 1;
          while (block < s) block *= 2;
          block *= 2 ** extraDoublings;
          const out = new Float64Array(length + 3).fill(42);
          convolveOverlapAdd(x, h, out, start, length, reverse, new CachedWorkspace(), block);
          assertClose(out, reference(x, h, start, length, reverse), 1e-11);
          assert.deepEqual([...out.subarray(length)], [42, 42, 42]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("computes a window deep inside a long signal correctly", () => {
    const x = random(100_000, 3), h = random(129, 4);
    for (
      const [start, length] of [[50_000, 17], [0, 1], [100_127, 1], [99_000, 1128], [257, 256]]
    ) {
      const out = new Float64Array(length);
      convolveOverlapAdd(x, h, out, start, length, true, new CachedWorkspace());
      assertClose(out, reference(x, h, start, length, true), 1e-11);
    }
  });

  it("handles signals of 1e5 samples in every mode", () => {
    const x = random(100_000, 5, "f32");
    for (const m of [1, 2, 1023]) {
      const h = random(m, m);
      for (const [, start, length] of windows(x.length, m)) {
        const out = new Float64Array(length);
        convolveOverlapAdd(x, h, out, start, length, false, new CachedWorkspace());
        assertClose(out, reference(x, h, start, length, false), 1e-11);
      }
    }
  });

  it("writes a Float32Array output rounded from the float64 result", () => {
    const x = random(4096, 1, "f32"), h = random(63, 2, "f32");
    const out = new Float32Array(4096);
    convolveOverlapAdd(x, h, out, 31, 4096, false, new CachedWorkspace());
    assertClose(out, reference(x, h, 31, 4096, false), 2e-7);
  });

  it("chooses power-of-two blocks of at least twice the short length that minimise the cost", () => {
    for (
      const [long, short] of [[1_000_000, 1], [1_000_000, 63], [65536, 1023], [100, 60], [5, 5]]
    ) {
      const size = chooseBlockSize(long, short);
      assert.equal(size & (size - 1), 0);
      assert.ok(size >= 2 * short, `${size} < 2 * ${short}`);
      const cost = (N: number) => N / (N - short + 1) * Math.log2(2 * N);
      assert.ok(cost(size) <= cost(size * 2) || size * 2 > 2 * (long + short));
      if (size / 2 >= 2 * short) assert.ok(cost(size) <= cost(size / 2));
    }
    assert.equal(chooseBlockSize(65536, 1023), 8192);
  });

  it("rejects block sizes that are not powers of two or shorter than the short operand", () => {
    const out = new Float64Array(10);
    for (const bad of [3, 4, 12]) {
      assert.throws(
        () =>
          convolveOverlapAdd(
            random(5, 1),
            random(6, 2),
            out,
            0,
            10,
            false,
            new CachedWorkspace(),
            bad,
          ),
        (error: unknown) => error instanceof RangeError && error.message.includes(String(bad)),
      );
    }
  });

  it("reuses the same scratch arrays when a warm workspace is called again", () => {
    const workspace = new RecordingWorkspace();
    const x = random(20_000, 9), h = random(100, 10);
    const out = new Float64Array(20_099);
    convolveOverlapAdd(x, h, out, 0, 20_099, false, workspace);
    const first = workspace.taken;
    workspace.reset();
    for (let round = 0; round < 3; round++) {
      convolveOverlapAdd(x, h, out, 0, 20_099, true, workspace);
      assert.equal(workspace.taken.length, first.length);
      workspace.taken.forEach((array, i) => assert.equal(array, first[i]));
      workspace.reset();
    }
  });
});
