/**
 * Allocation benchmark: the stack arena vs the size-class pool vs
 * `new Float32Array` vs the engine's own decision, at 16 .. 2^20 elements.
 *
 * Each case gets and gives back one Float32Array of `n` elements:
 * - `stack`: a bump/pop on a StackArena large enough for every size;
 * - `pool`: acquire/release on a SizeClassPool;
 * - `new`: `new Float32Array(n)` (the GC reclaims it);
 * - `engine`: `engine.acquireFloat32(n)` + `engine.release()` (pool outside a scope);
 * - `engine-scope`: the same inside `engine.scope()` (stack for n <= 256).
 *
 * Run (GC/heap columns need an exposed gc):
 *   node --expose-gc --import tsx bench/alloc.bench.ts
 *   node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/alloc.bench.ts
 *   node_modules/.bin/bun run bench/alloc.bench.ts
 * Results go to bench/results/alloc.<runtime>.json (times in ns).
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { bench, do_not_optimize, run } from "mitata";
import { AllocationCounters } from "../src/alloc/counters.ts";
import { createEngine } from "../src/alloc/engine.ts";
import { SizeClassPool } from "../src/alloc/size_class_pool.ts";
import { StackArena } from "../src/alloc/stack_arena.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
// Sizes are computed at run time so the JIT cannot constant-fold them.
const base = 16 + (Date.now() % 1);
const SIZES = [base, base * 16, base * 256, base * 4096, base * 65536];

const arena = new StackArena(8 * (1 << 20) + 64);
const pool = new SizeClassPool(new AllocationCounters(), {
  maxBytes: 1 << 26,
  maxBuffersPerClass: 8,
});
const engine = createEngine({ maintenanceIntervalMs: 0, poolMaxBytes: 1 << 26 });

bench("stack n=$n", function* (state: { get(name: string): unknown }) {
  const n = state.get("n") as number;
  yield () => {
    const view = arena.takeFloat32(n)!;
    view[0] = 1;
    arena.popTo(0, false);
    return view;
  };
}).args("n", SIZES).gc("inner");

bench("pool n=$n", function* (state: { get(name: string): unknown }) {
  const n = state.get("n") as number;
  yield () => {
    const view = pool.acquire(4, n)!;
    view[0] = 1;
    pool.release(view);
    return view;
  };
}).args("n", SIZES).gc("inner");

bench("new n=$n", function* (state: { get(name: string): unknown }) {
  const n = state.get("n") as number;
  yield () => {
    const view = new Float32Array(n);
    view[0] = 1;
    return do_not_optimize(view);
  };
}).args("n", SIZES).gc("inner");

bench("engine n=$n", function* (state: { get(name: string): unknown }) {
  const n = state.get("n") as number;
  yield () => {
    const view = engine.acquireFloat32(n);
    view[0] = 1;
    engine.release(view);
    return view;
  };
}).args("n", SIZES).gc("inner");

bench("engine-scope n=$n", function* (state: { get(name: string): unknown }) {
  const n = state.get("n") as number;
  const body = () => {
    const view = engine.acquireFloat32(n);
    view[0] = 1;
    engine.release(view);
  };
  yield () => engine.scope(body);
}).args("n", SIZES).gc("inner");

const result = await run({ format: "quiet" });

interface Row {
  name: string;
  n: number;
  avgNs: number;
  p50Ns: number;
  p99Ns: number;
  minNs: number;
  heapAvgBytes: number | null;
  gcAvgNs: number | null;
}

const rows: Row[] = [];
for (const trial of result.benchmarks) {
  for (const r of trial.runs) {
    if (r.stats === undefined) continue;
    rows.push({
      name: trial.alias.split(" ")[0],
      n: Number(r.args.n),
      avgNs: r.stats.avg,
      p50Ns: r.stats.p50,
      p99Ns: r.stats.p99,
      minNs: r.stats.min,
      heapAvgBytes: r.stats.heap?.avg ?? null,
      gcAvgNs: r.stats.gc?.avg ?? null,
    });
  }
}
const hasGc = typeof (globalThis as { gc?: unknown }).gc === "function" || runtime === "bun";
const out = {
  runtime,
  version: runtime === "deno"
    ? (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno
    : runtime === "bun"
    ? (globalThis as unknown as { Bun: { version: string } }).Bun.version
    : process.versions.node,
  date: new Date().toISOString(),
  gcColumns: hasGc,
  units: { time: "ns per get+give-back", heap: "bytes per iteration (mitata heap avg)" },
  engineStats: engine.getStats(),
  rows,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL(`./results/alloc.${runtime}.json`, import.meta.url),
  JSON.stringify(out, null, 2) + "\n",
);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(13)} n=${String(row.n).padStart(8)}  p50 ${
      row.p50Ns.toFixed(1).padStart(10)
    } ns  heap ${row.heapAvgBytes === null ? "-" : row.heapAvgBytes.toFixed(0)} B  gc ${
      row.gcAvgNs === null ? "-" : row.gcAvgNs.toFixed(0)
    } ns`,
  );
}
