/**
 * Runtime differences live in `src/runtime/`: no other core module calls timers,
 * the clock, atob, URL, TextDecoder or queueMicrotask, probes Deno/Bun/process, or
 * imports a Node built-in (an AudioWorkletGlobalScope has none of them). The
 * server- and worker-side modules, which a browser bundle does not reach, are the
 * listed exceptions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { it } from "node:test";
import { ROOT } from "./helpers/runtimes.ts";

/** Modules that may use runtime-specific APIs directly, and why. */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  "src/prometheus.ts": "the Prometheus entry point (server side, its own export)",
  "src/prometheus_runtime.ts": "prom-client's runtime metrics for the Prometheus entry point",
  "src/parallel/worker.ts": "the worker entry (its own export)",
  "src/parallel/worker_pool.ts":
    "worker threads; browser bundles swap it for worker_pool_browser.ts",
};

const FORBIDDEN = [
  /\b(?:setInterval|setTimeout|clearInterval|clearTimeout|queueMicrotask|atob)\s*\(/,
  /\bperformance\.now\b/,
  /\bnew (?:URL|TextDecoder|TextEncoder)\b/,
  /\bimport\.meta\b/,
  /globalThis as[^;]*\b(?:Deno|Bun|process)\b/,
  /\bglobalThis\??\.(?:Deno|Bun|process)\b/,
  /["'](?:Deno|Bun|process)["']\s+in\b/,
  // A typed probe: `globals as { Deno?: ... }` or an interface member the probe casts to.
  /(?:^|[{;,\s])(?:Deno|Bun|process)\?\s*:/,
  /(?:from|import\()\s*["']node:/,
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

it("keeps every runtime-specific API call in src/runtime/ (or a listed exception)", () => {
  const offences: string[] = [];
  for (const file of [join(ROOT, "mod.ts"), ...sourceFiles(join(ROOT, "src"))]) {
    const name = relative(ROOT, file).replaceAll("\\", "/");
    if (name.startsWith("src/runtime/") || name in EXCEPTIONS) continue;
    readFileSync(file, "utf8").split("\n").forEach((line, index) => {
      const code = line.replace(/\/\/.*$/, "");
      if (/^\s*\*/.test(code)) return; // doc comment
      if (FORBIDDEN.some((pattern) => pattern.test(code))) {
        offences.push(`${name}:${index + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(offences, []);
});
