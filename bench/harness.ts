/**
 * Shared plumbing for the mitata benchmarks: which runtime runs, JIT-opaque
 * inputs, and the JSON results file each bench writes.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { run } from "mitata";

/** The runtime executing this benchmark. */
export const runtimeName: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** The runtime's version string, e.g. `node 20.20.2`. */
export const runtimeVersion: string = runtimeName === "deno"
  ? `deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
  : runtimeName === "bun"
  ? `bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : `node ${process.versions.node}`;

/**
 * A deterministic pseudo-random array whose values the JIT cannot fold: the seed
 * mixes in the clock, so every run computes its inputs.
 */
export function opaqueSignal(ArrayType: Float32ArrayConstructor, length: number): Float32Array;
/** A JIT-opaque pseudo-random Float64Array (see the Float32 overload). */
export function opaqueSignal(ArrayType: Float64ArrayConstructor, length: number): Float64Array;
/** A JIT-opaque pseudo-random array of either type. */
export function opaqueSignal(
  ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
  length: number,
): Float32Array | Float64Array;
export function opaqueSignal(
  ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
  length: number,
): Float32Array | Float64Array {
  const out = new ArrayType(length);
  let state = (Date.now() ^ (length * 2654435761)) >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2147483648 - 1;
  }
  return out;
}

/**
 * Calls `body` repeatedly for at least `milliseconds` (and at least 3 times). V8 and
 * JavaScriptCore first run WebAssembly in a baseline tier and re-compile hot functions
 * in the background; warming every WebAssembly path before sampling keeps the first
 * registered rows from measuring partly baseline code.
 */
export function warmUp(body: () => void, milliseconds: number): void {
  const start = performance.now();
  let calls = 0;
  while (calls < 3 || performance.now() - start < milliseconds) {
    body();
    calls++;
  }
}

/** One measured benchmark, in nanoseconds. */
export interface BenchRow {
  /** Group, e.g. `4096x63`. */
  group: string;
  /** Benchmark name, e.g. `convpool auto`. */
  name: string;
  /** Median time per call. */
  p50: number;
  /** Mean time per call. */
  avg: number;
  /** Fastest sample. */
  min: number;
  /** 99th percentile. */
  p99: number;
  /** Number of samples. */
  samples: number;
  /** Mean heap bytes per iteration where mitata measured it. */
  heapAvg?: number;
  /** Mean GC time where mitata measured it. */
  gcAvg?: number;
}

/**
 * Runs every registered mitata benchmark quietly, prints a compact table, writes
 * `bench/results/<file>.<runtime>.json` and returns the rows. Benchmark names
 * must be `group / name`.
 */
export async function runAndSave(file: string, filter?: RegExp): Promise<BenchRow[]> {
  const result = await run({ format: "quiet", filter });
  const rows: BenchRow[] = [];
  for (const trial of result.benchmarks) {
    for (const benchRun of trial.runs) {
      if (!benchRun.stats) {
        console.error(`${benchRun.name}: ${String(benchRun.error)}`);
        continue;
      }
      const [group, name] = benchRun.name.split(" / ");
      const s = benchRun.stats;
      rows.push({
        group,
        name,
        p50: s.p50,
        avg: s.avg,
        min: s.min,
        p99: s.p99,
        samples: s.samples.length,
        heapAvg: s.heap?.avg,
        gcAvg: s.gc?.avg,
      });
    }
  }
  for (const row of rows) {
    console.log(
      `${row.group.padEnd(14)} ${row.name.padEnd(28)} p50 ${formatNs(row.p50).padStart(10)}`,
    );
  }
  const directory = new URL("./results/", import.meta.url);
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    new URL(`${file}.${runtimeName}.json`, directory),
    JSON.stringify(
      {
        runtime: runtimeVersion,
        date: new Date().toISOString(),
        cpu: result.context.cpu.name,
        rows,
      },
      null,
      2,
    ) + "\n",
  );
  return rows;
}

/** Formats nanoseconds as ns, us, ms or s with three significant digits. */
export function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}
