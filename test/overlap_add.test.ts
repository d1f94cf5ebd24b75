import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chooseBlockSize, convolveOverlapAdd } from "../src/kernels/overlap_add.ts";
import { CachedWorkspace } from "../src/kernels/workspace.ts";
import {
  assertClose,
  convolutionScale,
  randomSignal,
  referenceWindow,
} from "./helpers/reference.ts";
import { RecordingWorkspace } from "./helpers/recording_workspace.ts";

// The window contract (every mode, random windows, precisions, long signals) is
// tested for all kernels in kernel_contract.test.ts; here what only overlap-add has.
describe("convolveOverlapAdd", () => {
  it("matches the reference on random sizes, windows, block sizes and precisions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.constantFrom(Float32Array, Float64Array),
        fc.constantFrom(Float32Array, Float64Array),
        fc.integer({ min: 0, max: 3 }),
        (a0, b0, swap, a, b, reverse, SignalType, KernelType, extraDoublings) => {
          const [n, m] = swap ? [b0, a0] : [a0, b0];
          const total = n + m - 1;
          const start = Math.floor(a * total);
          const length = Math.floor(b * (total - start));
          const x = randomSignal(SignalType, n, n + 7 * m);
          const h = randomSignal(KernelType, m, 3 * n + m);
          // Block sizes from the smallest legal one (s itself) upwards.
          const s = Math.min(n, m);
          let block = 1;
          while (block < s) block *= 2;
          block *= 2 ** extraDoublings;
          const out = new Float64Array(length + 3).fill(42);
          convolveOverlapAdd(x, h, out, start, length, reverse, new CachedWorkspace(), block);
          const expected = referenceWindow(x, h, start, length, reverse);
          const label = `${n}x${m} [${start}, +${length}) block ${block}`;
          assertClose(out.subarray(0, length), expected, 1e-13, label, convolutionScale(x, h));
          assert.deepEqual([...out.subarray(length)], [42, 42, 42]);
        },
      ),
      { numRuns: 200 },
    );
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
            randomSignal(Float64Array, 5, 1),
            randomSignal(Float64Array, 6, 2),
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
    const x = randomSignal(Float64Array, 20_000, 9), h = randomSignal(Float64Array, 100, 10);
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
