/**
 * ARCHITECTURE.md is held against the tree: every folder under `src/` is named in it,
 * every file it names exists, every metric name and `getStats()` section is listed,
 * the runtime boundary's exceptions are the ones it names, and no module imports from
 * a later layer than its own.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { it } from "node:test";
import { createEngine } from "../mod.ts";
import { METRICS } from "../src/telemetry/names.ts";
import { RUNTIME_EXCEPTIONS } from "./helpers/runtime_exceptions.ts";
import { ROOT } from "./helpers/runtimes.ts";

const DOC = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");

/** The layers of ARCHITECTURE.md, in order: a module's layer is its first matching prefix. */
const LAYERS: readonly (readonly string[])[] = [
  [
    "src/types.ts",
    "src/typed_array_slots.ts",
    "src/validate.ts",
    "src/runtime/",
    "src/transpose.ts",
    "src/modes.ts",
    "src/maintenance_timer.ts",
  ],
  ["src/metrics/"],
  ["src/kernels/"],
  ["src/alloc/"],
  ["src/telemetry/"],
  [
    "src/convolve.ts",
    "src/result_buffer.ts",
    "src/default_engine.ts",
    "src/prometheus.ts",
    "src/prometheus_cache.ts",
    "src/prometheus_options.ts",
    "src/prometheus_runtime.ts",
  ],
  ["src/stream/", "src/batch.ts", "src/compat.ts"],
  ["src/parallel/", "src/internal/"],
  ["mod.ts"],
];

function layerOf(path: string): number {
  const layer = LAYERS.findIndex((prefixes) => prefixes.some((p) => path.startsWith(p)));
  assert.ok(layer >= 0, `${path} belongs to no layer of ARCHITECTURE.md`);
  return layer;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function folders(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      return [path, ...folders(path)];
    });
}

const posix = (path: string) => relative(ROOT, path).replaceAll("\\", "/");

it("names every folder under src/", () => {
  const missing = folders(join(ROOT, "src")).map(posix).filter((f) => !DOC.includes(`\`${f}/\``));
  assert.deepEqual(missing, []);
});

it("names only files that exist, also in each folder-map row", () => {
  const named = [
    ...DOC.matchAll(/`((?:src|test|bench|asm|examples|scripts|dashboards)\/[\w./-]+)`/g),
  ]
    .map((match) => match[1]);
  assert.ok(named.length > 20, `only ${named.length} paths were read`);
  const inRows = [...DOC.matchAll(/^\| `(src\/[\w/]+\/)` +\|(.*)\|$/gm)].flatMap((
    [, folder, text],
  ) => [...text.matchAll(/`(\w+\.ts)`/g)].map((match) => folder + match[1]));
  assert.ok(inRows.length > 40, `only ${inRows.length} files were read in the folder map`);
  const missing = [...named, ...inRows].filter((path) => !existsSync(join(ROOT, path)));
  assert.deepEqual(missing, []);
});

it("names exactly the runtime boundary's exceptions where it describes the boundary", () => {
  const paragraph = DOC.slice(DOC.indexOf("`test/runtime_boundaries.test.ts` fails when"));
  const named = [...paragraph.matchAll(/`(src\/[\w/]+\.ts)`/g)].map((match) => match[1]);
  assert.deepEqual([...new Set(named)].sort(), Object.keys(RUNTIME_EXCEPTIONS).sort());
});

it("lists every metric name and every getStats() section", () => {
  const missing = Object.values(METRICS).map((m) => m.name).filter((n) =>
    !DOC.includes(`\`${n}\``)
  );
  assert.deepEqual(missing, []);
  const engine = createEngine({ maintenanceIntervalMs: 0 });
  const sections = Object.keys(engine.getStats());
  engine.close();
  assert.deepEqual(sections.filter((s) => !DOC.includes(`\`${s}\``)), []);
});

it("has no import from a later layer than the importing module's", () => {
  const offences: string[] = [];
  let imports = 0;
  for (const file of [join(ROOT, "mod.ts"), ...sourceFiles(join(ROOT, "src"))]) {
    const from = posix(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^(?:import|export)[^;]*?from\s+["'](\.[^"']+)["']/gms)) {
      const to = posix(join(dirname(file), match[1]));
      imports++;
      if (layerOf(to) > layerOf(from)) offences.push(`${from} imports ${to}`);
    }
  }
  assert.ok(imports > 100, `only ${imports} imports were read`);
  assert.deepEqual(offences, []);
});
