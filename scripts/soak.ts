/**
 * `npm run soak`: the long soak of convpool (see scripts/soak_workload.ts for
 * what one step does and what is checked). It runs the workload, samples RSS,
 * checks the books and judges flatness on decile medians of RSS: the median of
 * the last tenth of the samples against the median of the second tenth (the
 * first tenth is warm-up).
 *
 *   node --max-semi-space-size=8 --import tsx scripts/soak.ts [--steps N] [--max-growth PERCENT]
 *   deno run -A --v8-flags=--max-semi-space-size=8 scripts/soak.ts ...     bun scripts/soak.ts ...
 *   node --import tsx scripts/soak.ts --runtimes all|deno,bun,node [...]
 *
 * Without `--runtimes` it runs in the runtime that started it; with it, it runs
 * itself on each listed runtime in turn (`npm run soak` runs all three), with
 * V8's young generation capped at 2 x 8 MiB on Deno and Node
 * (`--max-semi-space-size=8`): uncapped, V8 grows it in steps up to 64 MiB
 * (Deno) as the allocation rate asks, as late as halfway through a run, which
 * shows as a one-time step of RSS that is the collector's sizing, not the
 * library's memory. Capped, it reaches its size within the first tenth. It
 * exits with 1 when a result, a count or the books are wrong, or when RSS grew
 * by more than `--max-growth` percent (default 10).
 *
 * @example
 * ```ts
 * // npm run soak -- --steps 1000000
 * ```
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runSoak, type SoakSummary } from "./soak_workload.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** V8's young generation, capped so that it reaches its size during warm-up (see above). */
const YOUNG_GENERATION_CAP = "--max-semi-space-size=8";
const COMMANDS: Record<string, string[]> = {
  deno: [`${ROOT}node_modules/.bin/deno`, "run", "-A", `--v8-flags=${YOUNG_GENERATION_CAP}`],
  bun: [`${ROOT}node_modules/.bin/bun`],
  node: ["node", YOUNG_GENERATION_CAP, "--import", "tsx"],
};
const MIB = 2 ** 20;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : process.argv[index + 1];
}

function positive(name: string, fallback: number): number {
  const text = option(name);
  const value = text === undefined ? fallback : Number(text);
  if (!(value > 0) || !Number.isFinite(value)) {
    console.error(`soak: --${name} must be a positive number, received ${text}`);
    process.exit(2);
  }
  return value;
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno !== undefined) return `deno ${g.Deno.version.deno}`;
  if (g.Bun !== undefined) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}

const group = (value: number): string => Math.round(value).toLocaleString("en-US");

function report(summary: SoakSummary, maxGrowth: number): boolean {
  const seconds = summary.durationMs / 1000;
  const growth = summary.rssGrowth * 100;
  const flat = Math.abs(growth) <= maxGrowth;
  const { books } = summary;
  const counts = (which: "soak" | "defaultEngine"): string =>
    Object.entries(summary.counted[which]).map(([name, count]) => `${name} ${group(count)}`)
      .join(", ");
  console.log(
    `convpool soak on ${runtimeName()}: ${group(summary.steps)} steps in ${seconds.toFixed(1)} s (${
      group(summary.steps / seconds)
    } steps/s)`,
  );
  console.log(
    `  steps: ${
      Object.entries(summary.stepKinds).map(([name, count]) => `${name} ${group(count)}`).join(", ")
    }`,
  );
  console.log(`  operations counted (= made): soak engine ${counts("soak")}`);
  console.log(`  operations counted (= made): default engine ${counts("defaultEngine")}`);
  console.log(`  spot checks against float64 sums: ${group(summary.spotChecks)}`);
  console.log(
    `  RSS decile medians (MiB): ${
      summary.rssDecileMedians.map((bytes) => (bytes / MIB).toFixed(1)).join(" ")
    } (${summary.rssSamples.length} samples)`,
  );
  console.log(
    `  RSS growth, last decile vs second: ${growth >= 0 ? "+" : ""}${
      growth.toFixed(1)
    }% (bound ±${maxGrowth}%)`,
  );
  console.log(
    `  books: pool ${(books.poolBytes / MIB).toFixed(1)} MiB of ${
      (books.poolLimitBytes / MIB).toFixed(0)
    } MiB, ${books.inUseBuffers} buffers in use, misuse ${JSON.stringify(books.misuse)}`,
  );
  for (const problem of summary.problems) console.log(`  PROBLEM: ${problem}`);
  if (!flat) console.log(`  PROBLEM: RSS grew by ${growth.toFixed(1)}%`);
  const passed = flat && summary.problems.length === 0;
  console.log(`  ${passed ? "PASS" : "FAIL"}`);
  return passed;
}

const steps = Math.floor(positive("steps", 10_000_000));
const maxGrowth = positive("max-growth", 10);
const runtimes = option("runtimes");
if (runtimes === undefined) {
  const progressEvery = Math.max(1, Math.floor(steps / 10));
  let nextProgress = progressEvery;
  const summary = runSoak({
    steps,
    onSample: (step, rss) => {
      if (step < nextProgress) return;
      nextProgress += progressEvery;
      console.log(`  ${group(step)} steps, RSS ${(rss / MIB).toFixed(1)} MiB`);
    },
  });
  process.exit(report(summary, maxGrowth) ? 0 : 1);
} else {
  const names = runtimes === "all" ? Object.keys(COMMANDS) : runtimes.split(",");
  const failed: string[] = [];
  for (const name of names) {
    const command = COMMANDS[name];
    if (command === undefined) {
      console.error(`soak: unknown runtime ${JSON.stringify(name)} (deno, bun, node or all)`);
      process.exit(2);
    }
    const [program, ...prefix] = command;
    const result = spawnSync(program, [
      ...prefix,
      "scripts/soak.ts",
      "--steps",
      String(steps),
      "--max-growth",
      String(maxGrowth),
    ], { cwd: ROOT, stdio: "inherit" });
    if (result.status !== 0) failed.push(name);
  }
  console.log(`soak: ${failed.length === 0 ? "all passed" : `FAILED on ${failed.join(", ")}`}`);
  process.exit(failed.length === 0 ? 0 : 1);
}
