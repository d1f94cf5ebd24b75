/**
 * The demo workload (`npm start`): a mixed convolution workload on the default
 * engine that exercises every allocation path, serves the engine's metrics on
 * `/metrics` for Prometheus, and prints a one-line summary each second.
 *
 *   node --import tsx examples/workload.ts [--port 9464] [--host 127.0.0.1] [--duration 60]
 *   deno run -A examples/workload.ts [flags]
 *   bun examples/workload.ts [flags]
 *
 * Without `--duration` it runs until Ctrl-C (SIGINT) or SIGTERM, then closes the
 * server and exits 0. The engine is the default one, so the `CONVPOOL_*`
 * environment variables apply (try `CONVPOOL_STACK_BYTES=64KiB` and watch the
 * stack overflows of the tuning dashboard stop).
 *
 * What it runs, in short slices with a yield to the event loop in between (so the
 * metrics server answers scrapes while the work goes on):
 * - small "same"-mode FIR filters with preallocated outputs (kernel scratch on the
 *   stack arena) and small results inside `engine.scope()` (results on the stack);
 * - a scratch-hungry phase that needs about 40 KiB of stack at once, more than the
 *   default 32 KiB arena: it overflows into the pool, which the tuning dashboard
 *   turns into a `CONVPOOL_STACK_BYTES` recommendation;
 * - `convolution()` results from the pool, given back with
 *   `BufferUtils.releaseBuffer`, `convolutionInPlace()` into an owned buffer, correlations, forced-FFT and large overlap-add
 *   convolutions, `BatchOperations.convolutionBatch` and `convolutionStream`;
 * - every 3 s a burst that holds 48 results of one size at once: more than the 32
 *   buffers a class keeps by default, so the pool misses, falls back to the heap and
 *   drops releases; one burst size pauses for ~18 s of every 30 s, so its idle
 *   class gets trimmed;
 * - every 10 s a memory-pressure phase that evicts idle pooled buffers: moderate
 *   (half of them, `engine.handleMemoryPressure({ level: "moderate" })`), and every
 *   third time critical (all of them, `BufferUtils.handleMemoryPressure()`).
 *
 * The summary line shows operations per second, the p99 latency of the last second
 * (from the engine's own latency histogram), the pool hit rate of the last second
 * and the stack efficiency (peak stack use / capacity).
 *
 * @module
 */

import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type AllocationEngine,
  BatchOperations,
  BufferUtils,
  convolution,
  convolutionInPlace,
  type ConvolutionPair,
  convolve,
  correlate,
  DURATION_BOUNDS_SECONDS,
  getDefaultEngine,
} from "../mod.ts";
import { serveMetrics } from "../src/prometheus.ts";
import { durationFlag, portFlag } from "./cli_flags.ts";

/** Command-line settings of the workload. */
export interface WorkloadOptions {
  /** Port of the metrics server (default 9464; 0 picks a free one). */
  port: number;
  /** Interface the metrics server binds (default 127.0.0.1). */
  host: string;
  /** Seconds to run; `undefined` runs until SIGINT/SIGTERM. */
  durationSeconds: number | undefined;
}

/**
 * Parses `--port`, `--host` and `--duration` (seconds).
 *
 * @throws {RangeError} on a port outside [0, 65535], a non-positive duration or an unknown flag.
 */
export function parseWorkloadArgs(args: readonly string[]): WorkloadOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        duration: { type: "string" },
      },
    }));
  } catch (error) {
    throw new RangeError(`${(error as Error).message}; flags: --port, --host, --duration`);
  }
  const port = portFlag(values.port) ?? 9464;
  const durationSeconds = durationFlag(values.duration);
  return { port, host: values.host ?? "127.0.0.1", durationSeconds };
}

/** A windowed-sinc (Hann) low-pass FIR with `taps` coefficients and unit DC gain. */
export function lowPassFilter(taps: number, cutoff: number): Float32Array {
  const h = new Float32Array(taps);
  const middle = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const t = i - middle;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const window = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, taps - 1));
    h[i] = sinc * window;
    sum += h[i];
  }
  for (let i = 0; i < taps; i++) h[i] /= sum;
  return h;
}

/** A 50 Hz tone at 1 kHz sampling with a 400 Hz disturbance and some noise on top. */
export function noisySignal(length: number, seed = 1): Float32Array {
  const x = new Float32Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32: deterministic noise, so every run does the same work.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const noise = ((state >>> 0) / 2 ** 32 - 0.5) * 0.2;
    x[i] = Math.sin((2 * Math.PI * 50 * i) / 1000) +
      0.5 * Math.sin((2 * Math.PI * 400 * i) / 1000) + noise;
  }
  return x;
}

/** Snapshot of the counters the summary line is computed from. */
interface CounterSnapshot {
  operations: number;
  hits: number;
  misses: number;
  heap: number;
  buckets: Float64Array;
}

function snapshot(engine: AllocationEngine): CounterSnapshot {
  const c = engine.metrics;
  let operations = 0;
  for (let i = 0; i < c.operations.length; i++) operations += c.operations[i];
  const stats = engine.getStats();
  const buckets = new Float64Array(DURATION_BOUNDS_SECONDS.length + 1);
  // Fold every operation/method pair into one histogram: the summary is about the process.
  for (let i = 0; i < c.durationBuckets.length; i++) {
    buckets[i % buckets.length] += c.durationBuckets[i];
  }
  return {
    operations,
    hits: stats.pool.hits,
    misses: stats.pool.misses,
    heap: stats.heap.allocations,
    buckets,
  };
}

/**
 * The `q` quantile (seconds) of bucket counts over {@linkcode DURATION_BOUNDS_SECONDS},
 * interpolated linearly inside the bucket as Prometheus's `histogram_quantile` does;
 * `NaN` when nothing was recorded.
 */
export function quantileFromBuckets(counts: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total <= 0) return NaN;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (seen + counts[i] >= rank && counts[i] > 0) {
      // The +Inf bucket has no upper bound: report the largest finite one.
      if (i >= DURATION_BOUNDS_SECONDS.length) return DURATION_BOUNDS_SECONDS.at(-1)!;
      const lower = i === 0 ? 0 : DURATION_BOUNDS_SECONDS[i - 1];
      const upper = DURATION_BOUNDS_SECONDS[i];
      return lower + (upper - lower) * ((rank - seen) / counts[i]);
    }
    seen += counts[i];
  }
  return DURATION_BOUNDS_SECONDS.at(-1)!;
}

function formatSeconds(seconds: number): string {
  if (Number.isNaN(seconds)) return "-";
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} us`;
  return `${(seconds * 1e3).toFixed(2)} ms`;
}

/** One summary line from two snapshots taken `seconds` apart. */
function summaryLine(
  engine: AllocationEngine,
  before: CounterSnapshot,
  after: CounterSnapshot,
  seconds: number,
  elapsed: number,
  phase: string,
): string {
  const delta = after.buckets.map((v, i) => v - before.buckets[i]);
  const requests = after.hits - before.hits + after.misses - before.misses;
  const hitRate = requests === 0 ? NaN : (after.hits - before.hits) / requests;
  const efficiency = engine.getStats().stack.efficiency;
  return [
    `[${elapsed.toFixed(0).padStart(4)}s]`,
    `${Math.round((after.operations - before.operations) / seconds).toString().padStart(7)} ops/s`,
    `p99 ${formatSeconds(quantileFromBuckets(delta, 0.99)).padStart(9)}`,
    `pool hit ${Number.isNaN(hitRate) ? "    -" : `${(hitRate * 100).toFixed(1).padStart(5)}%`}`,
    `stack eff ${(efficiency * 100).toFixed(1).padStart(5)}%`,
    `heap ${Math.round((after.heap - before.heap) / seconds).toString().padStart(5)}/s`,
    phase,
  ].join("  ");
}

/** Fixed inputs of the workload, built once so the loop itself allocates little. */
interface Inputs {
  engine: AllocationEngine;
  fir15: Float32Array;
  fir63: Float32Array;
  fir1023: Float32Array;
  template32: Float32Array;
  small: Float32Array[];
  smallOut: Float32Array[];
  medium: Float32Array;
  large: Float32Array;
  largeOut: Float32Array;
  huge: Float32Array;
  hugeOut: Float32Array;
  correlateOut: Float32Array;
  inPlaceOut: Float32Array;
  batch: ConvolutionPair[];
  burstSignals: Float32Array[];
}

function buildInputs(engine: AllocationEngine): Inputs {
  const small = [64, 128, 200, 240].map((n, i) => noisySignal(n, i + 1));
  // Results of 1086 and 4158 floats: size classes (8 KiB, 32 KiB) that only bursts use.
  const burstSignals = [1024, 4096].map((n, i) => noisySignal(n, 100 + i));
  const batch: ConvolutionPair[] = [];
  const fir31 = lowPassFilter(31, 0.1);
  for (let i = 0; i < 16; i++) batch.push([noisySignal(256 + 32 * i, 200 + i), fir31]);
  return {
    engine,
    fir15: lowPassFilter(15, 0.1),
    fir63: lowPassFilter(63, 0.1),
    fir1023: lowPassFilter(1023, 0.02),
    template32: noisySignal(32, 7),
    small,
    smallOut: small.map((x) => new Float32Array(x.length)),
    medium: noisySignal(2048, 11),
    large: noisySignal(4096, 12),
    largeOut: new Float32Array(4096),
    huge: noisySignal(65536, 13),
    hugeOut: new Float32Array(65536),
    correlateOut: new Float32Array(1024 + 32 - 1),
    inPlaceOut: new Float32Array(2048 + 63 - 1),
    batch,
    burstSignals,
  };
}

/** Small FIR filters: "same"-mode outputs preallocated, kernel scratch on the stack arena. */
function smallFilters(inputs: Inputs, round: number): void {
  const i = round & 3;
  convolve(inputs.small[i], inputs.fir15, {
    mode: "same",
    out: inputs.smallOut[i],
    engine: inputs.engine,
  });
}

/** Small results inside a scope live on the stack arena and vanish with it. */
function scopedResults(inputs: Inputs, round: number): number {
  const engine = inputs.engine;
  const x = inputs.small[round & 1];
  return engine.scope(() => {
    const y = engine.acquireFloat32(x.length + inputs.fir15.length - 1);
    convolve(x, inputs.fir15, { out: y, engine });
    return y[y.length >> 1];
  });
}

/** Needs ~40 KiB of scratch at once: more than the default 32 KiB arena, so some overflows. */
function deepScratch(inputs: Inputs): number {
  const engine = inputs.engine;
  return engine.scope(() => {
    const held: Float32Array[] = [];
    let sum = 0;
    for (let k = 0; k < 40; k++) {
      const tmp = engine.acquireFloat32(256);
      tmp[0] = k;
      sum += tmp[0];
      held.push(tmp);
    }
    // Requests that overflowed the arena came from the pool and must be given back;
    // releasing stack memory inside its live scope is a no-op, so release them all.
    for (const tmp of held) engine.release(tmp);
    return sum;
  });
}

/** Pool results of the seed-style API, given back right away (steady-state hits). */
function pooledResult(inputs: Inputs): number {
  const y = convolution(inputs.medium, inputs.fir63);
  const middle = y[y.length >> 1];
  BufferUtils.releaseBuffer(y);
  return middle;
}

/** The seed-style call with a caller-owned result: nothing to release. */
function inPlaceResult(inputs: Inputs): number {
  const y = convolutionInPlace(inputs.medium, inputs.fir63, inputs.inPlaceOut);
  return y[y.length >> 1];
}

function correlation(inputs: Inputs): void {
  correlate(inputs.large.subarray(0, 1024), inputs.template32, {
    out: inputs.correlateOut,
    engine: inputs.engine,
  });
}

/** A kernel a quarter of the signal's length: one large FFT is cheapest. */
function fftFilter(inputs: Inputs): void {
  convolve(inputs.large, inputs.fir1023, {
    mode: "same",
    method: "fft",
    out: inputs.largeOut,
    engine: inputs.engine,
  });
}

/** A long signal with a long kernel: the cost model picks overlap-add. */
function overlapAddFilter(inputs: Inputs): void {
  convolve(inputs.huge, inputs.fir1023, {
    mode: "same",
    out: inputs.hugeOut,
    engine: inputs.engine,
  });
}

function batchAndStream(inputs: Inputs): number {
  const results = BatchOperations.convolutionBatch(inputs.batch, {
    reuseBuffers: true,
    preAllocateResults: true,
    useSharedWorkspace: true,
  });
  let sum = 0;
  for (const y of results) {
    sum += y[0];
    BufferUtils.releaseBuffer(y);
  }
  // Stream results are the caller's: read them, then give them back for the next batch.
  for (const group of BatchOperations.convolutionStream(inputs.batch, 4)) {
    sum += group[0][0];
    group.forEach((y) => BufferUtils.releaseBuffer(y));
  }
  return sum;
}

/**
 * Holds 48 results of one size at once: beyond the per-class bound of 32 by default.
 * Bursts 0-5 of every 10 alternate between two sizes, 6-9 use only the first: the
 * second class then sits idle for about 18 s, long enough for the maintenance pass
 * to trim it, and misses again when it comes back (the "trim" evictions panel).
 */
function burst(inputs: Inputs, which: number): number {
  const x = inputs.burstSignals[which % 10 < 6 ? which % 2 : 0];
  const held: Float32Array[] = [];
  for (let k = 0; k < 48; k++) held.push(convolution(x, inputs.fir63));
  let sum = 0;
  for (const y of held) {
    sum += y[0];
    BufferUtils.releaseBuffer(y);
  }
  return sum;
}

/** Yields to the event loop so that scrapes and signals are handled between slices. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Options of {@linkcode runWorkload}. */
export interface RunWorkloadOptions extends WorkloadOptions {
  /** Stops the workload when aborted (the CLI aborts on SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Receives each summary line (default `console.log`). */
  log?: (line: string) => void;
}

/**
 * Serves `/metrics` and runs the workload until `durationSeconds` have passed or
 * `signal` aborts, then closes the server. Resolves with the number of operations run.
 */
export async function runWorkload(options: RunWorkloadOptions): Promise<number> {
  const log = options.log ?? console.log;
  const engine = getDefaultEngine();
  const server = await serveMetrics({ engine, port: options.port, hostname: options.host });
  log(
    `convpool workload: metrics on ${server.url}${
      options.durationSeconds === undefined
        ? " (Ctrl-C to stop)"
        : ` for ${options.durationSeconds} s`
    }`,
  );
  const inputs = buildInputs(engine);
  const started = performance.now();
  const deadline = options.durationSeconds === undefined
    ? Infinity
    : started + options.durationSeconds * 1000;
  let previous = snapshot(engine);
  let lastReport = started;
  let lastBurst = started;
  let lastPressure = started;
  let lastDeep = started - 2000;
  let lastHuge = started - 1000;
  let bursts = 0;
  let pressures = 0;
  let phases = new Set<string>();
  let round = 0;
  let sink = 0;
  try {
    while (!options.signal?.aborted) {
      const now = performance.now();
      if (now >= deadline) break;
      // About 20 ms of work per slice keeps scrape latency low and overhead small.
      const sliceEnd = now + 20;
      if (now - lastPressure >= 10_000) {
        lastPressure = now;
        // Moderate every 10 s, critical every 30 s (at 40 s, 70 s, ...): timed so that
        // a critical event never empties the paused burst class before the maintenance
        // pass trims it, so both eviction reasons show on the tuning dashboard.
        const critical = pressures > 0 && pressures % 3 === 0;
        pressures++;
        if (critical) BufferUtils.handleMemoryPressure(); // the seed-style call: critical
        else engine.handleMemoryPressure({ level: "moderate" });
        phases.add(`pressure (${critical ? "critical" : "moderate"})`);
      } else if (now - lastBurst >= 3000) {
        lastBurst = now;
        sink += burst(inputs, bursts++);
        phases.add("burst");
      }
      if (now - lastDeep >= 2000) {
        lastDeep = now;
        sink += deepScratch(inputs);
      }
      if (now - lastHuge >= 1000) {
        lastHuge = now;
        overlapAddFilter(inputs);
      }
      do {
        for (let k = 0; k < 32; k++) {
          smallFilters(inputs, round + k);
          sink += scopedResults(inputs, round + k);
        }
        sink += pooledResult(inputs);
        sink += inPlaceResult(inputs);
        correlation(inputs);
        if ((round & 7) === 0) fftFilter(inputs);
        if ((round & 15) === 0) sink += batchAndStream(inputs);
        round++;
      } while (performance.now() < sliceEnd);
      const after = performance.now();
      if (after - lastReport >= 1000) {
        const current = snapshot(engine);
        log(summaryLine(
          engine,
          previous,
          current,
          (after - lastReport) / 1000,
          (after - started) / 1000,
          phases.size === 0 ? "steady" : [...phases].join(", "),
        ));
        phases = new Set();
        previous = current;
        lastReport = after;
      }
      await yieldToEventLoop();
    }
  } finally {
    await server.close();
  }
  // The checksum keeps the JIT from discarding the work; NaN would mean a broken filter.
  if (Number.isNaN(sink)) throw new Error("workload produced NaN");
  return previous.operations;
}

async function main(): Promise<void> {
  let options: WorkloadOptions;
  try {
    options = parseWorkloadArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    await runWorkload({ ...options, signal: controller.signal });
  } catch (error) {
    // Most often the port is taken by another process: say so instead of a stack trace.
    console.error(`convpool workload: ${(error as Error).message}`);
    process.exit(1);
  }
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  console.log("convpool workload: stopped, metrics server closed");
  // prom-client's runtime collectors may hold handles on some runtimes; exit explicitly.
  process.exit(0);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
