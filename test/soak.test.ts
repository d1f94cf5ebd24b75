// The bounded soak: the workload of `npm run soak` (scripts/soak_workload.ts) for 10^5
// steps, a few seconds per runtime. The books must be exact; RSS is only guarded against
// a gross leak here (the long run judges flatness on decile medians).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decileMedians, runSoak } from "../scripts/soak_workload.ts";

const STEPS = 100_000;
/** 64 MiB over 10^5 steps: a leak of 640 bytes per step or more fails. */
const GROSS_LEAK_BYTES = 64 * 2 ** 20;

describe("soak (bounded)", () => {
  it(`runs ${STEPS} mixed steps with exact results, exact counts and clean books`, () => {
    const summary = runSoak({ steps: STEPS, seed: 7 });
    assert.deepEqual(summary.problems, []);
    assert.deepEqual(summary.counted, summary.expected);
    assert.ok(summary.expected.soak.convolve > STEPS / 4, "every kind of step ran");
    for (const [kind, count] of Object.entries(summary.stepKinds)) {
      assert.ok(count > 0, `${kind} steps ran`);
    }
    assert.ok(summary.spotChecks >= 2 * STEPS, `${summary.spotChecks} spot checks`);
    assert.equal(summary.books.inUseBuffers, 0);
    assert.ok(summary.books.poolBytes <= summary.books.poolLimitBytes);
    assert.deepEqual(summary.books.misuse, { doubleRelease: 0, foreignRelease: 0, leaked: 0 });
    assert.ok(summary.rssSamples.length >= 100, `${summary.rssSamples.length} RSS samples`);
    const [, second, , , , , , , , last] = summary.rssDecileMedians;
    assert.ok(
      last - second < GROSS_LEAK_BYTES,
      `RSS decile medians ${summary.rssDecileMedians.map((b) => (b / 2 ** 20).toFixed(1))} MiB`,
    );
  });

  it("judges RSS on the median of each tenth of the samples", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 1000 + Math.floor(i / 10) * 10);
    samples[55] = 10 ** 9; // one outlier does not move a decile median
    assert.deepEqual(decileMedians(samples), [
      1000,
      1010,
      1020,
      1030,
      1040,
      1050,
      1060,
      1070,
      1080,
      1090,
    ]);
    assert.deepEqual(decileMedians([5, 7]), [5, 5, 5, 5, 5, 7, 7, 7, 7, 7]);
  });
});
