/**
 * Calibration of method `"auto"` on the WebAssembly SIMD kernels: sweeps signal and
 * kernel lengths (f32 and f64; full mode, kernels longer than the signal, and
 * `"same"`/`"valid"` windows), times the direct, single-transform FFT and fused
 * overlap-add kernels with mitata, fits the constants of
 * `src/kernels/wasm/wasm_cost_model.ts` by weighted least squares, and reports the
 * fitted constants, the crossovers they imply, and how often the model (shipped and
 * freshly fitted) picks the kernel that measured fastest. Writes
 * `bench/results/calibrate_wasm.<runtime>.json`.
 *
 * Each kernel is timed with mitata's `measure` directly (not `run`) so that the
 * per-point budget can be set: 12 ms of samples and at least 5 of them. The whole
 * sweep runs twice and each point keeps the lower of its two medians: on a shared
 * 2-core machine a burst of other work can cover a whole point, and two passes a
 * minute apart rarely both get hit. A run takes two and a half to five minutes
 * (a quiet machine, or one shared with test suites).
 *
 * Accuracy is counted against the faster of the two kernels the model chooses
 * between (direct and overlap-add), with a 5% tolerance reported as well; the
 * "regret" (time of the pick over the fastest of all three kernels) shows what a
 * wrong pick costs.
 *
 * ```sh
 * node --import tsx bench/calibrate_wasm.bench.ts
 * node_modules/.bin/deno run -A bench/calibrate_wasm.bench.ts
 * node_modules/.bin/bun bench/calibrate_wasm.bench.ts
 * node --import tsx bench/calibrate_wasm.bench.ts --quick   # a third of the points, one pass
 * node --import tsx bench/calibrate_wasm.bench.ts --score   # shipped constants vs saved results
 * ```
 *
 * @module
 */

import { do_not_optimize, measure } from "mitata";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import {
  convolveDirectWasm,
  convolveFftWasm,
  convolveOverlapAddWasm,
  wasmKernels,
} from "../src/kernels/wasm/wasm_kernels.ts";
import {
  chooseWasmMethod,
  directWork,
  overlapAddUnits,
  WASM_COST_CONSTANTS,
  type WasmCostConstants,
} from "../src/kernels/wasm/wasm_cost_model.ts";
import { outputLength, outputStart } from "../src/modes.ts";
import type { Mode } from "../src/types.ts";
import { formatNs, opaqueSignal, runtimeName, runtimeVersion } from "./harness.ts";
import { fitNonNegative } from "./least_squares.ts";

/** The three WebAssembly kernels as the dispatcher names them. */
type WasmMethod = "direct" | "fft" | "overlap_add";

/** One point of the sweep. */
interface Case {
  n: number;
  m: number;
  mode: Mode;
}

/** One measured kernel at one point. */
interface Measurement extends Case {
  f64: boolean;
  method: WasmMethod;
  /** Window of the full output that the mode selects. */
  start: number;
  length: number;
  medianNs: number;
}

/** Direct runs above this many kernel multiply-adds are skipped: far past any crossover. */
const DIRECT_WORK_LIMIT = 4e7;
/** Single-transform FFT runs are skipped above this signal length (never the fastest, slow). */
const FFT_SIGNAL_LIMIT = 300_000;

const quick = ((globalThis as { process?: { argv: string[] } }).process?.argv ?? [])
  .includes("--quick");

function sweep(): Case[] {
  const cases: Case[] = [];
  const signals = [64, 256, 1024, 4096, 16384, 65536, 262144];
  const kernels = [3, 8, 15, 24, 32, 48, 63, 96, 128, 256, 1023];
  for (const n of signals) {
    for (const m of kernels) if (m <= n) cases.push({ n, m, mode: "full" });
  }
  // Kernels longer than the signal (full mode) and the grid's largest point.
  for (
    const [n, m] of [[16, 63], [64, 256], [100, 1023], [256, 4095], [1024, 4095], [
      1048576,
      4095,
    ]]
  ) {
    cases.push({ n, m, mode: "full" });
  }
  // Windows: "same" keeps n outputs, "valid" n - m + 1 (or m - n + 1).
  for (
    const [n, m, mode] of [
      [256, 15, "same"],
      [4096, 63, "same"],
      [4096, 63, "valid"],
      [16384, 48, "same"],
      [16384, 32, "valid"],
      [65536, 255, "valid"],
      [65536, 1023, "same"],
      [4096, 1023, "same"],
      [1000, 900, "valid"],
      [2000, 64, "valid"],
      [64, 4095, "same"],
      [300, 4095, "valid"],
    ] as [number, number, Mode][]
  ) {
    cases.push({ n, m, mode });
  }
  return quick ? cases.filter((_, i) => i % 3 === 0) : cases;
}

function kernelFor(method: WasmMethod) {
  return method === "direct"
    ? convolveDirectWasm
    : method === "fft"
    ? convolveFftWasm
    : convolveOverlapAddWasm;
}

async function time(c: Case, f64: boolean, method: WasmMethod): Promise<Measurement | null> {
  const start = outputStart(c.n, c.m, c.mode);
  const length = outputLength(c.n, c.m, c.mode);
  const block = f64 ? 8 : 16;
  if (method === "direct" && Math.ceil(length / block) * block * c.m > DIRECT_WORK_LIMIT) {
    return null;
  }
  if (method === "fft" && c.n > FFT_SIGNAL_LIMIT) return null;
  const Type = f64 ? Float64Array : Float32Array;
  const x = opaqueSignal(Type, c.n);
  const h = opaqueSignal(Type, c.m);
  const y = new Type(length);
  const kernel = kernelFor(method);
  // Two kernels in turn: the frequency-domain wrappers reuse the previous call's
  // kernel spectrum when the kernel's bits repeat, and the model prices a call that
  // transforms its kernel (the worst case), so the timing must not reuse it.
  const other = h.map((v) => -v);
  let flip = false;
  // No forced GC before each point (mitata's default where gc is exposed, and
  // always on Bun): the kernels allocate nothing, and 500 collections would
  // double the run time.
  const stats = await measure(() => {
    flip = !flip;
    kernel(x, flip ? other : h, y, start, length, false);
    do_not_optimize(y);
  }, { min_cpu_time: 12e6, min_samples: 5, gc: false });
  return { ...c, f64, method, start, length, medianNs: stats.p50 };
}

/** Samples copied in and out per call: the signal, the kernel and the window. */
function copiedSamples(r: Measurement): number {
  return r.n + r.m + r.length;
}

function fitConstants(results: Measurement[]): WasmCostConstants {
  const fitted: number[] = [];
  for (const f64 of [false, true]) {
    const direct = results.filter((r) => r.method === "direct" && r.f64 === f64).map((r) => ({
      x: [directWork(r.m, r.length, f64), copiedSamples(r), 1],
      t: r.medianNs,
    }));
    const overlapAdd = results.filter((r) => r.method === "overlap_add" && r.f64 === f64).map((
      r,
    ) => ({
      x: [overlapAddUnits(r.n, r.m, r.start, r.length, f64), copiedSamples(r), 1],
      t: r.medianNs,
    }));
    fitted.push(...fitNonNegative(direct), ...fitNonNegative(overlapAdd));
  }
  const round = (v: number) => Number(v.toPrecision(3));
  const [d32, ds32, dc32, o32, os32, oc32, d64, ds64, dc64, o64, os64, oc64] = fitted.map(round);
  return {
    directPerMultiplyAdd32: d32,
    directPerSample32: ds32,
    directPerCall32: dc32,
    overlapAddPerUnit32: o32,
    overlapAddPerSample32: os32,
    overlapAddPerCall32: oc32,
    directPerMultiplyAdd64: d64,
    directPerSample64: ds64,
    directPerCall64: dc64,
    overlapAddPerUnit64: o64,
    overlapAddPerSample64: os64,
    overlapAddPerCall64: oc64,
  };
}

/** Key of one (point, precision). */
function keyOf(r: Case & { f64: boolean }): string {
  return `${r.n}x${r.m} ${r.mode} ${r.f64 ? "f64" : "f32"}`;
}

interface PointVerdict {
  point: string;
  /** The faster of direct and overlap-add (the model's two choices). */
  fastest: WasmMethod;
  /** The fastest of all three kernels. */
  fastestOfAll: WasmMethod;
  shipped: WasmMethod;
  fitted: WasmMethod;
  /** Time of the shipped model's pick over the fastest (1 = right pick). */
  shippedRegret: number;
  fittedRegret: number;
  /** The shipped / fitted pick is within 5% of the faster of direct and overlap-add. */
  shippedWithin5: boolean;
  fittedWithin5: boolean;
}

function verdicts(results: Measurement[], fitted: WasmCostConstants): PointVerdict[] {
  const byPoint = new Map<string, Measurement[]>();
  for (const r of results) {
    const key = keyOf(r);
    byPoint.set(key, [...(byPoint.get(key) ?? []), r]);
  }
  const out: PointVerdict[] = [];
  for (const [point, rows] of byPoint) {
    // A point where direct was skipped (too slow) still counts: overlap-add is
    // then the faster of the two.
    const fastestOf = (candidates: Measurement[]) =>
      candidates.reduce((a, b) => (b.medianNs < a.medianNs ? b : a));
    const fastest = fastestOf(rows.filter((r) => r.method !== "fft"));
    const fastestOfAll = fastestOf(rows);
    const { n, m, start, length, f64 } = rows[0];
    const timeOf = (method: WasmMethod) =>
      rows.find((r) => r.method === method)?.medianNs ?? Infinity;
    const shipped = chooseWasmMethod(n, m, start, length, f64, false);
    const chosen = chooseWasmMethod(n, m, start, length, f64, false, false, fitted);
    out.push({
      point,
      fastest: fastest.method,
      fastestOfAll: fastestOfAll.method,
      shipped,
      fitted: chosen,
      shippedRegret: timeOf(shipped) / fastestOfAll.medianNs,
      fittedRegret: timeOf(chosen) / fastestOfAll.medianNs,
      shippedWithin5: timeOf(shipped) <= 1.05 * fastest.medianNs,
      fittedWithin5: timeOf(chosen) <= 1.05 * fastest.medianNs,
    });
  }
  return out;
}

/** Smallest full-mode kernel length at which the model leaves the direct kernel. */
function modelCrossover(n: number, f64: boolean, constants: WasmCostConstants): number | null {
  for (let m = 1; m <= Math.min(n, 4096); m++) {
    if (chooseWasmMethod(n, m, 0, n + m - 1, f64, false, false, constants) !== "direct") return m;
  }
  return null;
}

/** Between which swept kernel lengths the measured winner turns from direct to overlap-add. */
function measuredCrossover(results: Measurement[], n: number, f64: boolean): string {
  const rows = results.filter((r) => r.n === n && r.f64 === f64 && r.mode === "full");
  const ms = [...new Set(rows.map((r) => r.m))].sort((a, b) => a - b);
  let lastDirect: number | null = null;
  for (const m of ms) {
    const at = rows.filter((r) => r.m === m && r.method !== "fft");
    const direct = at.find((r) => r.method === "direct")?.medianNs ?? Infinity;
    const oa = at.find((r) => r.method === "overlap_add")?.medianNs ?? Infinity;
    if (direct <= oa) lastDirect = m;
    else return lastDirect === null ? `<= ${m}` : `${lastDirect} < m <= ${m}`;
  }
  return `> ${ms[ms.length - 1]}`;
}

async function main(): Promise<void> {
  if (wasmKernels() === null) {
    console.log("WebAssembly SIMD unavailable in this runtime: nothing to calibrate");
    return;
  }
  const started = performance.now();
  const cases = sweep();
  const results: Measurement[] = [];
  const passes = quick ? 1 : 2;
  for (let pass = 0; pass < passes; pass++) {
    let index = 0;
    for (const c of cases) {
      for (const f64 of [false, true]) {
        for (const method of ["direct", "fft", "overlap_add"] as WasmMethod[]) {
          const r = await time(c, f64, method);
          if (r === null) continue;
          if (pass === 0) results.push(r);
          else {
            results[index].medianNs = Math.min(results[index].medianNs, r.medianNs);
          }
          index++;
        }
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const fitted = fitConstants(results);
  const points = verdicts(results, fitted);
  const signals = [256, 1024, 4096, 16384, 65536, 262144, 1048576];
  const crossovers = signals.flatMap((n) =>
    [false, true].map((f64) => ({
      n,
      precision: f64 ? "f64" : "f32",
      fittedFirstOverlapAddM: modelCrossover(n, f64, fitted),
      shippedFirstOverlapAddM: modelCrossover(n, f64, WASM_COST_CONSTANTS),
      measured: signals.includes(n) && n <= 262144 ? measuredCrossover(results, n, f64) : "-",
    }))
  );
  const accuracy = (pick: (p: PointVerdict) => WasmMethod) =>
    points.filter((p) => pick(p) === p.fastest).length;
  const worst = (regret: (p: PointVerdict) => number) =>
    points.reduce((a, p) => (regret(p) > regret(a) ? p : a));
  const shippedWorst = worst((p) => p.shippedRegret);
  const fittedWorst = worst((p) => p.fittedRegret);
  const fftWins = points.filter((p) => p.fastestOfAll === "fft").map((p) => p.point);
  const within = (ok: (p: PointVerdict) => boolean) => points.filter(ok).length;

  console.log(`${runtimeVersion}: ${results.length} timings, ${seconds.toFixed(1)} s`);
  console.log(
    "\nmedians (direct / fft / overlap-add), the faster of direct and overlap-add, picks:",
  );
  for (const p of points) {
    const rows = results.filter((r) => keyOf(r) === p.point);
    const cell = (method: WasmMethod) => {
      const v = rows.find((r) => r.method === method)?.medianNs;
      return (v === undefined ? "-" : formatNs(v)).padStart(10);
    };
    console.log(
      `  ${p.point.padEnd(24)} ${cell("direct")} ${cell("fft")} ${cell("overlap_add")}` +
        `  fastest ${p.fastest.padEnd(11)} shipped ${p.shipped.padEnd(11)} fitted ${p.fitted}` +
        (p.fastestOfAll === "fft" ? "  (single fft fastest)" : ""),
    );
  }
  console.log("\nfitted constants (ns):", JSON.stringify(fitted, null, 2));
  console.log("shipped constants (ns):", JSON.stringify(WASM_COST_CONSTANTS));
  console.log("\nfull mode: first kernel length at which the model leaves direct");
  for (const c of crossovers) {
    console.log(
      `  n=${String(c.n).padEnd(8)} ${c.precision}: fitted m=${c.fittedFirstOverlapAddM}, ` +
        `shipped m=${c.shippedFirstOverlapAddM}, measured ${c.measured}`,
    );
  }
  console.log(
    `\npicks the measured-fastest kernel: shipped ${accuracy((p) => p.shipped)}/${points.length}` +
      `, fitted ${accuracy((p) => p.fitted)}/${points.length}`,
  );
  console.log(
    `pick within 5% of the faster of direct/overlap-add: shipped ${
      within((p) => p.shippedWithin5)
    }/${points.length}, fitted ${within((p) => p.fittedWithin5)}/${points.length}`,
  );
  console.log(
    `worst pick: shipped ${shippedWorst.shippedRegret.toFixed(2)}x at ${shippedWorst.point}, ` +
      `fitted ${fittedWorst.fittedRegret.toFixed(2)}x at ${fittedWorst.point}`,
  );
  console.log(
    `single-transform fft fastest at: ${fftWins.length === 0 ? "no point" : fftWins.join(", ")}`,
  );

  const directory = new URL("./results/", import.meta.url);
  mkdirSync(directory, { recursive: true });
  const file = new URL(`calibrate_wasm.${runtimeName}${quick ? ".tmp" : ""}.json`, directory);
  writeFileSync(
    file,
    JSON.stringify(
      {
        runtime: runtimeVersion,
        date: new Date().toISOString(),
        seconds,
        fitted,
        shipped: WASM_COST_CONSTANTS,
        accuracy: {
          points: points.length,
          shipped: accuracy((p) => p.shipped),
          fitted: accuracy((p) => p.fitted),
          shippedWithin5Percent: within((p) => p.shippedWithin5),
          fittedWithin5Percent: within((p) => p.fittedWithin5),
          shippedWorst: { point: shippedWorst.point, regret: shippedWorst.shippedRegret },
          fittedWorst: { point: fittedWorst.point, regret: fittedWorst.fittedRegret },
        },
        crossovers,
        points,
        results,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${file.pathname}`);
}

/**
 * `--score`: no measuring. Re-scores the shipped constants against the saved
 * measurements of every runtime (`bench/results/calibrate_wasm.<runtime>.json`), and
 * fits one set of constants to all of them together: the check behind the values
 * in `wasm_cost_model.ts`, which must serve all three runtimes.
 */
function score(): void {
  const all: Measurement[] = [];
  for (const runtime of ["node", "deno", "bun"]) {
    const file = new URL(`./results/calibrate_wasm.${runtime}.json`, import.meta.url);
    if (!existsSync(file)) {
      console.log(`${runtime}: no saved results`);
      continue;
    }
    const saved = JSON.parse(readFileSync(file, "utf8")) as {
      runtime: string;
      results: Measurement[];
    };
    all.push(...saved.results);
    const points = verdicts(saved.results, WASM_COST_CONSTANTS);
    const exact = points.filter((p) => p.shipped === p.fastest).length;
    const within = points.filter((p) => p.shippedWithin5).length;
    const worst = points.reduce((a, p) => (p.shippedRegret > a.shippedRegret ? p : a));
    console.log(
      `${saved.runtime}: shipped constants pick the faster of direct/overlap-add at ` +
        `${exact}/${points.length} points (${within} within 5%); worst ` +
        `${worst.shippedRegret.toFixed(2)}x at ${worst.point}`,
    );
  }
  if (all.length > 0) {
    console.log("constants fitted to all runtimes at once:", JSON.stringify(fitConstants(all)));
  }
}

if (((globalThis as { process?: { argv: string[] } }).process?.argv ?? []).includes("--score")) {
  score();
} else {
  await main();
}
