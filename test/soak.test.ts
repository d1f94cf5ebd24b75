// The bounded soak: the workload of `npm run soak` (scripts/soak_workload.ts) for 10^5
// steps, a few seconds per runtime. The books must be exact. RSS belongs to a whole
// process, and a test runner shares its process with every other test module (Bun and
// Deno run them all in one), whose garbage the collector frees when it likes; so the
// gross-leak guard on RSS runs the same workload in a process of its own, through
// `npm run soak`'s own command line (the long run judges flatness on decile medians).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { decileMedians, runSoak } from "../scripts/soak_workload.ts";
import { ROOT } from "./helpers/runtimes.ts";

const STEPS = 100_000;
/**
 * RSS growth allowed over 10^5 steps, last decile median against the second, in
 * percent of a process of about 100 MiB: a leak of about 640 bytes per step fails.
 */
const GROSS_LEAK_PERCENT = 64;

function currentRuntime(): "deno" | "bun" | "node" {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
}

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
  });

  it(`keeps RSS within ${GROSS_LEAK_PERCENT}% over ${STEPS} steps in a process of its own`, () => {
    const result = spawnSync("node", [
      "--import",
      "tsx",
      "scripts/soak.ts",
      "--runtimes",
      currentRuntime(),
      "--steps",
      String(STEPS),
      "--max-growth",
      String(GROSS_LEAK_PERCENT),
    ], { cwd: ROOT, encoding: "utf8" });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /RSS growth, last decile vs second/);
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
