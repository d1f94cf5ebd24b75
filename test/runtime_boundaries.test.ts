/**
 * Runtime differences live in `src/runtime/`: no other core module calls timers,
 * the clock, atob, URL, TextDecoder or queueMicrotask, probes Deno/Bun/process, or
 * imports a Node built-in, resolves its own URL (`import.meta`) or starts a worker
 * (an AudioWorkletGlobalScope has none of them). The server-side modules, which a
 * browser bundle does not reach, are the listed exceptions, and each must still
 * need to be one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { it } from "node:test";
import { RUNTIME_EXCEPTIONS } from "./helpers/runtime_exceptions.ts";
import { ROOT } from "./helpers/runtimes.ts";

const EXCEPTIONS = RUNTIME_EXCEPTIONS;

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
  // Starting a worker or serving its parent (src/runtime/workers/).
  /\bnew (?:\w+\.)?Worker\s*\(/,
  /\bparentPort\b/,
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The lines of `file` (relative to the root) that use a runtime-specific API. */
function runtimeSpecificLines(name: string): string[] {
  const lines: string[] = [];
  readFileSync(join(ROOT, name), "utf8").split("\n").forEach((line, index) => {
    const code = line.replace(/\/\/.*$/, "");
    if (/^\s*\*/.test(code)) return; // doc comment
    if (FORBIDDEN.some((pattern) => pattern.test(code))) {
      lines.push(`${name}:${index + 1}: ${line.trim()}`);
    }
  });
  return lines;
}

const MODULES = [join(ROOT, "mod.ts"), ...sourceFiles(join(ROOT, "src"))]
  .map((file) => relative(ROOT, file).replaceAll("\\", "/"));

it("keeps every runtime-specific API call in src/runtime/ (or a listed exception)", () => {
  const offences = MODULES
    .filter((name) => !name.startsWith("src/runtime/") && !(name in EXCEPTIONS))
    .flatMap(runtimeSpecificLines);
  assert.deepEqual(offences, []);
});

it("lists only exceptions that still use a runtime-specific API", () => {
  const needless = Object.keys(EXCEPTIONS).filter((name) =>
    !MODULES.includes(name) || runtimeSpecificLines(name).length === 0
  );
  assert.deepEqual(needless, []);
});

it("catches the probes it is meant to catch", () => {
  const probes = [
    `if ("Bun" in globalThis) {`,
    `const threads = await import("node:worker_threads");`,
    `const worker = new threads.Worker(url, {});`,
    `const worker = new Worker(url, { type: "module" });`,
    `const { parentPort } = threads;`,
    `(globalThis as { process?: unknown }).process`,
    `const scope = globals as { Deno?: { env: unknown } };`,
    `new URL("./worker.ts", import.meta.url)`,
  ];
  assert.deepEqual(probes.filter((line) => !FORBIDDEN.some((p) => p.test(line))), []);
});
