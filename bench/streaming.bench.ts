/**
 * The real-time budget of streaming convolution: 48 kHz audio in 128-frame
 * blocks (a 2.67 ms period) through a 2-second impulse response (96,000 taps),
 * processed block by block with `StreamingConvolver.process(block, out)`.
 *
 * Two measurements per runtime:
 *
 * - a real-time loop of 30 seconds of audio (11,250 blocks, after 2 seconds of
 *   warm-up), each block timed with `performance.now()`: p50, p99 and max per
 *   block against the period (p99 as a share of the period, max/p50 and p99/p50:
 *   how evenly the work is spread over the blocks); then 10 seconds timed with `process.cpuUsage()`
 *   (CPU time, which leaves out preemption by other processes); written to
 *   `bench/results/streaming_realtime.<runtime>.json`;
 * - mitata rows (`streaming / ...`, written by `runAndSave` to
 *   `bench/results/streaming.<runtime>.json`) for the same block, Float32 and
 *   Float64, plus a short FIR (63 taps) for scale.
 *
 * ```sh
 * node --expose-gc --import tsx bench/streaming.bench.ts
 * node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/streaming.bench.ts
 * node_modules/.bin/bun bench/streaming.bench.ts
 * ```
 *
 * @module
 */

import { bench, do_not_optimize } from "mitata";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import process from "node:process";
import { StreamingConvolver } from "../mod.ts";
import { formatNs, opaqueSignal, runAndSave, runtimeName, runtimeVersion } from "./harness.ts";

const RATE = 48_000;
const BLOCK = 128;
const TAPS = 2 * RATE;
const PERIOD_MS = (BLOCK / RATE) * 1000;

/** An exponentially decaying noise tail, like a measured room response. */
function impulseResponse<T extends Float32Array | Float64Array>(noise: T): T {
  for (let i = 0; i < noise.length; i++) noise[i] *= Math.exp(-i / (0.4 * RATE));
  return noise;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function realTimeLoop(seconds: number, cpuClock: boolean): Record<string, number> {
  const convolver = new StreamingConvolver(impulseResponse(opaqueSignal(Float32Array, TAPS)), {
    blockSize: BLOCK,
  });
  // One second of audio, looped; its block views are made up front so that the loop
  // itself allocates nothing (a GC pause there would be the benchmark's own).
  const audio = opaqueSignal(Float32Array, RATE);
  const inputs: Float32Array[] = [];
  for (let offset = 0; offset + BLOCK <= audio.length; offset += BLOCK) {
    inputs.push(audio.subarray(offset, offset + BLOCK));
  }
  const out = new Float32Array(BLOCK);
  const warmup = Math.round((2 * RATE) / BLOCK);
  const blocks = Math.round((seconds * RATE) / BLOCK);
  const times = new Float64Array(blocks);
  for (let b = -warmup; b < blocks; b++) {
    const input = inputs[(b + warmup) % inputs.length];
    // process.cpuUsage() allocates its result: only in the CPU-time pass.
    const cpuStart = cpuClock ? process.cpuUsage() : undefined;
    const start = performance.now();
    convolver.process(input, out);
    const elapsed = performance.now() - start;
    if (b >= 0) {
      if (cpuStart === undefined) {
        times[b] = elapsed;
      } else {
        const cpu = process.cpuUsage(cpuStart);
        times[b] = (cpu.user + cpu.system) / 1000;
      }
    }
  }
  do_not_optimize(out);
  times.sort();
  let sum = 0;
  for (const t of times) sum += t;
  return {
    blocks,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    p999Ms: percentile(times, 0.999),
    maxMs: times[times.length - 1],
    meanMs: sum / blocks,
    overruns: times.filter((t) => t > PERIOD_MS).length,
  };
}

const wall = realTimeLoop(30, false);
// Process CPU time per block (all threads, microsecond clock): wall time minus
// preemption by other processes, which on a shared 2-core machine dominates the tail.
const cpu = realTimeLoop(10, true);
const realTime = {
  periodMs: PERIOD_MS,
  ...wall,
  p99OfPeriod: wall.p99Ms / PERIOD_MS,
  maxOverP50: wall.maxMs / wall.p50Ms,
  p99OverP50: wall.p99Ms / wall.p50Ms,
  cpuP50Ms: cpu.p50Ms,
  cpuP99Ms: cpu.p99Ms,
  cpuMaxMs: cpu.maxMs,
  loadAverage: loadavg()[0],
};
console.log(
  `${runtimeVersion}: ${TAPS} taps, ${BLOCK}-frame blocks at ${RATE} Hz (period ${
    PERIOD_MS.toFixed(2)
  } ms): p50 ${wall.p50Ms.toFixed(3)} ms, p99 ${wall.p99Ms.toFixed(3)} ms, max ${
    wall.maxMs.toFixed(3)
  } ms (p99 ${(100 * realTime.p99OfPeriod).toFixed(1)}% of the period, max/p50 ${
    realTime.maxOverP50.toFixed(1)
  }, p99/p50 ${
    realTime.p99OverP50.toFixed(2)
  }), ${wall.overruns} overruns in ${wall.blocks} blocks; CPU time per block p50 ${
    cpu.p50Ms.toFixed(3)
  } ms, p99 ${cpu.p99Ms.toFixed(3)} ms, max ${cpu.maxMs.toFixed(3)} ms (load average ${
    realTime.loadAverage.toFixed(2)
  })`,
);
const directory = new URL("./results/", import.meta.url);
mkdirSync(directory, { recursive: true });
writeFileSync(
  new URL(`streaming_realtime.${runtimeName}.json`, directory),
  JSON.stringify(
    { runtime: runtimeVersion, date: new Date().toISOString(), ...realTime },
    null,
    2,
  ) +
    "\n",
);

for (const [label, Type] of [["f32", Float32Array], ["f64", Float64Array]] as const) {
  bench(`streaming / ${TAPS} taps ${label} block ${BLOCK}`, function* () {
    const convolver = new StreamingConvolver<Float32Array | Float64Array>(
      impulseResponse(opaqueSignal(Type, TAPS)),
      { blockSize: BLOCK },
    );
    const input = opaqueSignal(Type, BLOCK);
    const out = new Type(BLOCK);
    yield () => do_not_optimize(convolver.process(input, out));
  });
}
bench(`streaming / 63 taps f32 block ${BLOCK}`, function* () {
  const convolver = new StreamingConvolver(opaqueSignal(Float32Array, 63));
  const input = opaqueSignal(Float32Array, BLOCK);
  const out = new Float32Array(BLOCK);
  yield () => do_not_optimize(convolver.process(input, out));
});

const rows = await runAndSave("streaming");
for (const row of rows) {
  console.log(`${row.name}: p50 ${formatNs(row.p50)}, p99 ${formatNs(row.p99)} per block`);
}
