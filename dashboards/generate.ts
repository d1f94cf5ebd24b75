/**
 * Writes convpool's Grafana dashboards (`dashboards/*.json`) from
 * `dashboards/convpool_dashboards.ts` and its Prometheus alerting rules and their
 * tests (`dashboards/convpool.rules.yml`, `dashboards/convpool.rules.test.yml`)
 * from `dashboards/convpool_rules.ts`, or with `--check` verifies that the
 * committed files equal the generator's output (exit code 1 and the stale file
 * names when they do not). Runs on Node, Deno and Bun:
 *
 *   node --import tsx dashboards/generate.ts [--check]
 *   deno run -A dashboards/generate.ts [--check]
 *   bun dashboards/generate.ts [--check]
 *
 * @example
 * ```ts
 * import { staleDashboards } from "./generate.ts";
 * console.log(await staleDashboards()); // [] when the committed JSON is current
 * ```
 *
 * @module
 */

import { readFile, writeFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { DASHBOARDS, renderDashboard } from "./convpool_dashboards.ts";
import { RULE_FILES } from "./convpool_rules.ts";

/** The directory the dashboards are written to (this file's directory). */
export const DASHBOARDS_DIR: string = fileURLToPath(new URL(".", import.meta.url));

/** Writes every dashboard's JSON and returns the paths written. */
export async function writeDashboards(dir: string = DASHBOARDS_DIR): Promise<string[]> {
  const written: string[] = [];
  for (const { file, build } of DASHBOARDS) {
    const path = `${dir}${file}`;
    await writeFile(path, renderDashboard(build()));
    written.push(path);
  }
  return written;
}

/** The dashboard files whose committed JSON differs from the generator's output (or is missing). */
export async function staleDashboards(dir: string = DASHBOARDS_DIR): Promise<string[]> {
  const stale: string[] = [];
  for (const { file, build } of DASHBOARDS) {
    let committed: string | undefined;
    try {
      committed = await readFile(`${dir}${file}`, "utf8");
    } catch {
      committed = undefined;
    }
    if (committed !== renderDashboard(build())) stale.push(file);
  }
  return stale;
}

/**
 * Writes the rules file and its tests; returns the paths written.
 *
 * @example
 * ```ts
 * import { writeRules } from "./generate.ts";
 * console.log(await writeRules()); // [".../convpool.rules.yml", ".../convpool.rules.test.yml"]
 * ```
 */
export async function writeRules(dir: string = DASHBOARDS_DIR): Promise<string[]> {
  const written: string[] = [];
  for (const { file, render } of RULE_FILES) {
    await writeFile(`${dir}${file}`, render());
    written.push(`${dir}${file}`);
  }
  return written;
}

/**
 * The rule files whose committed text differs from the generator's output (or is missing).
 *
 * @example
 * ```ts
 * import { staleRules } from "./generate.ts";
 * console.log(await staleRules()); // [] when the committed YAML is current
 * ```
 */
export async function staleRules(dir: string = DASHBOARDS_DIR): Promise<string[]> {
  const stale: string[] = [];
  for (const { file, render } of RULE_FILES) {
    const committed = await readFile(`${dir}${file}`, "utf8").catch(() => undefined);
    if (committed !== render()) stale.push(file);
  }
  return stale;
}

async function main(args: readonly string[]): Promise<number> {
  if (args.includes("--check")) {
    const stale = [...await staleDashboards(), ...await staleRules()];
    if (stale.length > 0) {
      console.error(
        `stale dashboards: ${stale.join(", ")}; run: node --import tsx dashboards/generate.ts`,
      );
      return 1;
    }
    const files = [...DASHBOARDS, ...RULE_FILES].map((d) => d.file);
    console.log(`dashboards and rules up to date: ${files.join(", ")}`);
    return 0;
  }
  for (const path of [...await writeDashboards(), ...await writeRules()]) {
    console.log(`wrote ${path}`);
  }
  return 0;
}

// Run only as a program, not when a test imports the helpers (import.meta.main is
// missing on Node 20, so compare the entry script with this module).
const entry = process.argv[1];
if (entry !== undefined && fileURLToPath(import.meta.url) === entry) {
  process.exitCode = await main(process.argv.slice(2));
}
