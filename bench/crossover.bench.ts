/**
 * Where direct, single-FFT and overlap-add convolution cross over, and the
 * cost-model constants fitted to these measurements.
 *
 * Sweeps signal and kernel lengths (full mode, float64), times the three
 * TypeScript kernels with mitata, fits the constants of
 * `src/kernels/cost_model.ts`, and reports the measured and predicted
 * crossovers. Also times the real FFT against fft.js. Writes
 * `bench/results/crossover.<runtime>.json`.
 *
 * ```sh
 * node --import tsx bench/crossover.bench.ts
 * node_modules/.bin/deno run -A bench/crossover.bench.ts
 * node_modules/.bin/bun bench/crossover.bench.ts
 * ```
 *
 * @module
 */

import { bench, group, run } from "mitata";
import FFT from "fft.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { convolveDirect } from "../src/kernels/direct.ts";
import { convolveFft, fftSizeForWindow } from "../src/kernels/fft_convolve.ts";
import { chooseBlockSize, convolveOverlapAdd } from "../src/kernels/overlap_add.ts";
import { getRealFftPlan } from "../src/kernels/real_fft.ts";
import {
  chooseMethod,
  COST_CONSTANTS,
  type CostConstants,
  directInteriorOutputs,
  directMultiplyAdds,
} from "../src/kernels/cost_model.ts";
import { CachedWorkspace } from "../src/kernels/workspace.ts";
import type { KernelMethod } from "../src/types.ts";
import { fitNonNegative } from "./least_squares.ts";

type Runtime = "deno" | "bun" | "node";

interface Case {
  n: number;
  m: number;
  methods: KernelMethod[];
}

interface Measurement {
  name: string;
  n: number;
  m: number;
  method: KernelMethod;
  medianNs: number;
  meanNs: number;
}

const ALL: KernelMethod[] = ["direct", "fft", "overlap_add"];
const CASES: Case[] = [
  ...[4, 16, 32, 64, 128, 256, 1024].map((m) => ({ n: 4096, m, methods: ALL })),
  ...[8, 32, 128, 512, 2048].map((m) => ({ n: 65536, m, methods: ALL })),
  ...[64, 256, 1024, 4096].map((m) => ({ n: m, m, methods: ["direct", "fft"] as KernelMethod[] })),
  { n: 262144, m: 64, methods: ALL },
  { n: 262144, m: 1024, methods: ["fft", "overlap_add"] },
];
const FFT_SIZES = [1024, 4096, 16384];

interface RuntimeGlobals {
  Deno?: { version: { deno: string } };
  Bun?: { version: string };
  process?: { version: string };
}

function detectRuntime(): { runtime: Runtime; version: string } {
  const g = globalThis as RuntimeGlobals;
  if (g.Deno !== undefined) return { runtime: "deno", version: g.Deno.version.deno };
  if (g.Bun !== undefined) return { runtime: "bun", version: g.Bun.version };
  return { runtime: "node", version: g.process?.version ?? "unknown" };
}

function randomArray(length: number, seed: number): Float64Array {
  const a = new Float64Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

function kernelFor(method: KernelMethod) {
  const workspace = new CachedWorkspace();
  return (x: Float64Array, h: Float64Array, out: Float64Array) => {
    const length = x.length + h.length - 1;
    workspace.reset();
    if (method === "direct") convolveDirect(x, h, out, 0, length, false);
    else if (method === "fft") convolveFft(x, h, out, 0, length, false, workspace);
    else convolveOverlapAdd(x, h, out, 0, length, false, workspace);
  };
}

function registerConvolutions(): void {
  for (const { n, m, methods } of CASES) {
    group(`${n} x ${m}`, () => {
      for (const method of methods) {
        const x = randomArray(n, n + 1), h = randomArray(m, m + 2);
        const out = new Float64Array(n + m - 1);
        const compute = kernelFor(method);
        bench(`conv ${method} ${n}x${m}`, function* () {
          // Computed parameters keep the JIT from specialising on constant inputs.
          yield {
            [0]: () => x,
            [1]: () => h,
            bench: (a: Float64Array, b: Float64Array) => compute(a, b, out),
          };
        });
      }
    });
  }
}

function registerFfts(): void {
  for (const size of FFT_SIZES) {
    group(`real FFT ${size}`, () => {
      const input = randomArray(size, size);
      const plan = getRealFftPlan(size);
      const spectrum = new Float64Array(plan.spectrumLength);
      const back = new Float64Array(size);
      const peer = new FFT(size);
      const peerOut = peer.createComplexArray();
      bench(`fft convpool forward ${size}`, function* () {
        yield { [0]: () => input, bench: (a: Float64Array) => plan.forward(a, spectrum) };
      });
      // The inverse uses its input spectrum as scratch, so it is timed as a round trip.
      bench(`fft convpool forward+inverse ${size}`, function* () {
        yield {
          [0]: () => input,
          bench: (a: Float64Array) => {
            plan.forward(a, spectrum);
            plan.inverse(spectrum, back);
          },
        };
      });
      bench(`fft fft.js realTransform ${size}`, function* () {
        yield { [0]: () => input, bench: (a: Float64Array) => peer.realTransform(peerOut, a) };
      });
    });
  }
}

function units(size: number): number {
  return size * Math.max(Math.log2(size), 1);
}

function fitConstants(results: Measurement[]): CostConstants {
  const direct = results.filter((r) => r.method === "direct").map((r) => {
    const length = r.n + r.m - 1;
    const interior = directInteriorOutputs(r.n, r.m, 0, length) * r.m;
    const edge = directMultiplyAdds(r.n, r.m, 0, length) - interior;
    return { x: [interior, edge, length], t: r.medianNs };
  });
  const [directPerMultiplyAdd, directPerEdgeMultiplyAdd, directPerOutput] = fitNonNegative(direct);
  const fft = results.filter((r) => r.method === "fft").map((r) => ({
    x: [3 * units(fftSizeForWindow(r.n, r.m, 0, r.n + r.m - 1)), 1],
    t: r.medianNs,
  }));
  const [fftPerPoint, fftPerCall] = fitNonNegative(fft);
  const overlapAdd = results.filter((r) => r.method === "overlap_add").map((r) => {
    const short = Math.min(r.n, r.m), long = Math.max(r.n, r.m);
    const block = chooseBlockSize(long, short);
    const blocks = Math.ceil(long / (block - short + 1));
    return { x: [(2 * blocks + 1) * units(block), blocks], t: r.medianNs - fftPerCall };
  });
  const [overlapAddPerPoint, overlapAddPerBlock] = fitNonNegative(overlapAdd);
  return {
    directPerMultiplyAdd,
    directPerEdgeMultiplyAdd,
    directPerOutput,
    fftPerPoint,
    fftPerCall,
    overlapAddPerPoint,
    overlapAddPerBlock,
  };
}

function best(results: Measurement[], n: number, m: number): KernelMethod {
  let winner: Measurement | undefined;
  for (const r of results) {
    if (r.n === n && r.m === m && (winner === undefined || r.medianNs < winner.medianNs)) {
      winner = r;
    }
  }
  return winner?.method ?? "direct";
}

/** Smallest kernel length (powers of two) at which the model leaves the direct kernel. */
function predictedCrossover(n: number, constants: CostConstants): number | null {
  for (let m = 2; m <= n; m *= 2) {
    if (chooseMethod(n, m, n + m - 1, { constants }) !== "direct") return m;
  }
  return null;
}

async function main(): Promise<void> {
  const { runtime, version } = detectRuntime();
  registerFfts();
  registerConvolutions();
  const started = performance.now();
  const report = await run({ format: "quiet" });
  const seconds = (performance.now() - started) / 1000;

  const ffts: { name: string; medianNs: number }[] = [];
  const results: Measurement[] = [];
  for (const trial of report.benchmarks) {
    for (const r of trial.runs) {
      if (r.stats === undefined) throw r.error ?? new Error(`${r.name} produced no stats`);
      const match = /^conv (\w+) (\d+)x(\d+)$/.exec(r.name);
      if (match === null) {
        ffts.push({ name: r.name, medianNs: r.stats.p50 });
        continue;
      }
      results.push({
        name: r.name,
        method: match[1] as KernelMethod,
        n: Number(match[2]),
        m: Number(match[3]),
        medianNs: r.stats.p50,
        meanNs: r.stats.avg,
      });
    }
  }

  const fitted = fitConstants(results);
  const points = CASES.map(({ n, m }) => ({
    n,
    m,
    measuredBest: best(results, n, m),
    chosenShipped: chooseMethod(n, m, n + m - 1),
    chosenFitted: chooseMethod(n, m, n + m - 1, { constants: fitted }),
  }));
  const crossovers = [256, 1024, 4096, 16384, 65536, 262144, 1048576].map((n) => ({
    n,
    fittedFirstNonDirectM: predictedCrossover(n, fitted),
    shippedFirstNonDirectM: predictedCrossover(n, COST_CONSTANTS),
  }));

  console.log(`runtime: ${runtime} ${version}, ${seconds.toFixed(1)} s of measurement`);
  console.log("\nreal FFT (median):");
  for (const f of ffts) console.log(`  ${f.name.padEnd(36)} ${(f.medianNs / 1000).toFixed(2)} us`);
  console.log("\nconvolution, full mode, float64 (median):");
  for (const r of results) {
    console.log(`  ${r.name.padEnd(36)} ${(r.medianNs / 1000).toFixed(1)} us`);
  }
  console.log("\nbest measured vs chosen (shipped constants / fitted here):");
  for (const p of points) {
    console.log(
      `  ${`${p.n} x ${p.m}`.padEnd(16)} measured ${p.measuredBest.padEnd(12)}` +
        ` shipped ${p.chosenShipped.padEnd(12)} fitted ${p.chosenFitted}`,
    );
  }
  console.log("\nfitted constants (ns):", JSON.stringify(fitted));
  console.log("shipped constants (ns):", JSON.stringify(COST_CONSTANTS));
  console.log("\nfirst power-of-two m leaving direct (full mode):");
  for (const c of crossovers) {
    console.log(
      `  n=${c.n}: fitted m=${c.fittedFirstNonDirectM}, shipped m=${c.shippedFirstNonDirectM}`,
    );
  }

  const directory = new URL("./results/", import.meta.url);
  mkdirSync(directory, { recursive: true });
  const file = new URL(`crossover.${runtime}.json`, directory);
  writeFileSync(
    file,
    JSON.stringify(
      {
        runtime,
        version,
        cpu: report.context.cpu.name,
        date: new Date().toISOString(),
        ffts,
        results,
        points,
        fitted,
        shipped: COST_CONSTANTS,
        crossovers,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nwrote ${file.pathname}`);
}

await main();
