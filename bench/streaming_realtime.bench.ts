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
 * The engines alternate every second of audio, so that a change in machine load
 * hits them alike. A third row, `control`, times a fixed loop of plain arithmetic
 * whose p50 is set to the WebAssembly engine's: work that is exactly the same in
 * every block, so its max/p50 and p99/p50 are what the machine itself adds (timer
 * interrupts, preemption, the hypervisor) in the same run. Then the same again timed
 * with `process.cpuUsage()` (CPU time of all threads, which leaves out preemption by
 * other processes).
 *
 * Per row: p50, p99 and max per block, max/p50, p99/p50, p99 as a share of the
 * period, and `worstPhaseOverP50`: the blocks are grouped by their position in a
 * cycle of 1024 blocks (a multiple of every partition's period), and the largest
 * per-position median is divided by the p50. Rare spikes from the machine do not
 * move a median of a dozen blocks; a block position that always does more work
 * does. Written to `bench/results/streaming_realtime_engines.<runtime>.json`.
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
  worstPhaseOverP50: number;
}

/** Blocks per cycle of `worstPhaseOverP50`: a multiple of every partition period. */
const PHASE_CYCLE = 1024;

function median(values: Float64Array): number {
  const sorted = values.slice().sort();
  return sorted[sorted.length >> 1];
}

/** Fewer blocks per position than this and a median is not robust: no figure. */
const MIN_BLOCKS_PER_PHASE = 9;

/**
 * The largest median over the blocks at one position of a `PHASE_CYCLE`-block
 * cycle; NaN for a run too short to give each position `MIN_BLOCKS_PER_PHASE`.
 */
function worstPhaseMedian(times: Float64Array): number {
  const perPhase = Math.floor(times.length / PHASE_CYCLE);
  if (perPhase < MIN_BLOCKS_PER_PHASE) return NaN;
  const samples = new Float64Array(perPhase);
  let worst = 0;
  for (let phase = 0; phase < PHASE_CYCLE; phase++) {
    for (let k = 0; k < perPhase; k++) samples[k] = times[phase + k * PHASE_CYCLE];
    worst = Math.max(worst, median(samples));
  }
  return worst;
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
    worstPhaseOverP50: worstPhaseMedian(times) / p50,
  };
}

/** The median time of `step` over `blocks` calls, in milliseconds. */
function medianBlockTime(step: Step, channels: number, blocks: number): number {
  const inputs = Array.from({ length: channels }, () => opaqueSignal(Float32Array, BLOCK));
  const outputs = Array.from({ length: channels }, () => new Float32Array(BLOCK));
  const times = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const start = performance.now();
    step(inputs, outputs);
    times[b] = performance.now() - start;
  }
  return median(times);
}

/**
 * The machine's own noise floor: the same plain arithmetic in every block, scaled
 * so that its p50 matches `target`'s.
 */
function control(target: Step, channels: number): Step {
  const table = opaqueSignal(Float64Array, 4096);
  let rounds = 1;
  let sink = 0;
  const step: Step = (_inputs, outputs) => {
    let sum = 0;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < table.length; i++) sum += table[i] * table[(i + r) & 4095];
    }
    sink += sum;
    outputs[0][0] = sink;
  };
  // Both optimised before they are measured.
  medianBlockTime(target, channels, 4 * BLOCKS_PER_SECOND);
  medianBlockTime(step, channels, 4 * BLOCKS_PER_SECOND);
  const wanted = medianBlockTime(target, channels, 2 * BLOCKS_PER_SECOND);
  for (let attempt = 0; attempt < 4; attempt++) {
    const perRound = medianBlockTime(step, channels, BLOCKS_PER_SECOND) / rounds;
    rounds = Math.max(1, Math.round(wanted / perRound));
  }
  return step;
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

/** The two engines of one case, and the control matched to the WebAssembly one. */
function engines(make: (backend: "auto" | "typescript") => Step, channels: number) {
  const after = make("auto");
  return { before: make("typescript"), after, control: control(after, channels) };
}

const results = {
  mono96000: compare(1, 30, engines(mono, 1)),
  trueStereo192000: compare(2, 10, engines(trueStereo, 2)),
  // Process CPU time per block (microsecond clock, all threads): wall time minus
  // preemption by other processes, which on a shared machine dominates the tail.
  cpuTimeMono96000: compare(1, 10, engines(mono, 1), true),
  cpuTimeTrueStereo192000: compare(2, 5, engines(trueStereo, 2), true),
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
      }, worst phase/p50 ${s.worstPhaseOverP50.toFixed(2)}`,
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
