/**
 * Real-time streaming, before and after the WebAssembly engine, in one run: 48 kHz
 * audio in 128-frame blocks (a 2.67 ms period), each block timed with
 * `performance.now()`.
 *
 * - mono, 2 s impulse response (96,000 taps), 30 s of audio: `StreamingConvolver`
 *   with `backend: "typescript"` (uniform partitions, the old engine) against the
 *   default (WebAssembly, non-uniform partitions);
 * - true stereo (2 x 2), 4 s impulse responses (192,000 taps each), 10 s of audio:
 *   `MultichannelConvolver` on both backends.
 *
 * The two engines alternate every second of audio, so that a change in machine
 * load hits both alike. Then the same again timed with `process.cpuUsage()` (CPU
 * time, which leaves out preemption by other processes). Per engine: p50, p99 and max per block, max/p50, p99/p50 and
 * p99 as a share of the period; written to
 * `bench/results/streaming_realtime_engines.<runtime>.json`.
 *
 * ```sh
 * node --expose-gc --import tsx bench/streaming_realtime.bench.ts
 * node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/streaming_realtime.bench.ts
 * node_modules/.bin/bun bench/streaming_realtime.bench.ts
 * ```
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import process from "node:process";
import { MultichannelConvolver, StreamingConvolver } from "../mod.ts";
import { opaqueSignal, runtimeName, runtimeVersion } from "./harness.ts";

const RATE = 48_000;
const BLOCK = 128;
const PERIOD_MS = (BLOCK / RATE) * 1000;
const BLOCKS_PER_SECOND = Math.round(RATE / BLOCK);

/** An exponentially decaying noise tail, like a measured room response. */
function impulseResponse(seconds: number): Float32Array {
  const noise = opaqueSignal(Float32Array, seconds * RATE);
  for (let i = 0; i < noise.length; i++) noise[i] *= Math.exp(-i / (0.4 * RATE));
  return noise;
}

/** One block of every channel through one engine (writes `outputs`, allocates nothing). */
type Step = (inputs: Float32Array[], outputs: Float32Array[]) => void;

interface Stats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  maxOverP50: number;
  p99OverP50: number;
  p99ShareOfPeriod: number;
}

function summarise(times: Float64Array): Stats {
  const sorted = times.slice().sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const p50 = at(0.5);
  const p99 = at(0.99);
  const max = sorted[sorted.length - 1];
  return {
    p50Ms: p50,
    p99Ms: p99,
    maxMs: max,
    maxOverP50: max / p50,
    p99OverP50: p99 / p50,
    p99ShareOfPeriod: p99 / PERIOD_MS,
  };
}

/** Runs `seconds` of audio through each engine, alternating every second; times each block. */
function compare(
  channels: number,
  seconds: number,
  engines: Record<string, Step>,
  cpuClock = false,
): Record<string, Stats> {
  // One second of audio per channel, looped; block views made up front.
  const blocks = Array.from({ length: BLOCKS_PER_SECOND }, (_, b) =>
    Array.from(
      { length: channels },
      () => opaqueSignal(Float32Array, RATE).subarray(b * BLOCK, (b + 1) * BLOCK),
    ));
  const outputs = Array.from({ length: channels }, () => new Float32Array(BLOCK));
  const names = Object.keys(engines);
  const times = names.map(() => new Float64Array(seconds * BLOCKS_PER_SECOND));
  for (const name of names) {
    for (let b = 0; b < 2 * BLOCKS_PER_SECOND; b++) {
      engines[name](blocks[b % blocks.length], outputs);
    }
  }
  for (let second = 0; second < seconds; second++) {
    names.forEach((name, e) => {
      const step = engines[name];
      const record = times[e];
      for (let b = 0; b < BLOCKS_PER_SECOND; b++) {
        const input = blocks[b];
        // process.cpuUsage() allocates its result: only in the CPU-time pass.
        const cpuStart = cpuClock ? process.cpuUsage() : undefined;
        const start = performance.now();
        step(input, outputs);
        const elapsed = performance.now() - start;
        if (cpuStart === undefined) record[second * BLOCKS_PER_SECOND + b] = elapsed;
        else {
          const cpu = process.cpuUsage(cpuStart);
          record[second * BLOCKS_PER_SECOND + b] = (cpu.user + cpu.system) / 1000;
        }
      }
    });
  }
  return Object.fromEntries(names.map((name, e) => [name, summarise(times[e])]));
}

function mono(backend: "auto" | "typescript"): Step {
  const convolver = new StreamingConvolver(impulseResponse(2), { blockSize: BLOCK, backend });
  return (inputs, outputs) => {
    convolver.process(inputs[0], outputs[0]);
  };
}

function trueStereo(backend: "auto" | "typescript"): Step {
  const kernels = [[impulseResponse(4), impulseResponse(4)], [
    impulseResponse(4),
    impulseResponse(4),
  ]];
  const convolver = new MultichannelConvolver(kernels, { blockSize: BLOCK, backend });
  return (inputs, outputs) => {
    convolver.process(inputs, outputs);
  };
}

const results = {
  mono96000: compare(1, 30, { before: mono("typescript"), after: mono("auto") }),
  trueStereo192000: compare(2, 10, {
    before: trueStereo("typescript"),
    after: trueStereo("auto"),
  }),
  // Process CPU time per block (microsecond clock, all threads): wall time minus
  // preemption by other processes, which on a shared machine dominates the tail.
  cpuTimeMono96000: compare(1, 10, { before: mono("typescript"), after: mono("auto") }, true),
  cpuTimeTrueStereo192000: compare(2, 5, {
    before: trueStereo("typescript"),
    after: trueStereo("auto"),
  }, true),
};

const ms = (value: number) => `${(value * 1000).toFixed(1)} us`;
console.log(
  `${runtimeVersion}, period ${PERIOD_MS.toFixed(2)} ms, load average ${loadavg()[0].toFixed(2)}`,
);
for (const [name, engines] of Object.entries(results)) {
  for (const [engine, s] of Object.entries(engines)) {
    console.log(
      `${name} ${engine}: p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)} (${
        (100 * s.p99ShareOfPeriod).toFixed(1)
      }% of the period), max ${ms(s.maxMs)}; max/p50 ${s.maxOverP50.toFixed(2)}, p99/p50 ${
        s.p99OverP50.toFixed(2)
      }`,
    );
  }
  console.log(
    `${name}: after/before p50 ${(engines.after.p50Ms / engines.before.p50Ms).toFixed(3)}`,
  );
}
const directory = new URL("./results/", import.meta.url);
mkdirSync(directory, { recursive: true });
writeFileSync(
  new URL(`streaming_realtime_engines.${runtimeName}.json`, directory),
  JSON.stringify(
    {
      runtime: runtimeVersion,
      date: new Date().toISOString(),
      periodMs: PERIOD_MS,
      loadAverage: loadavg()[0],
      ...results,
    },
    null,
    2,
  ) + "\n",
);
