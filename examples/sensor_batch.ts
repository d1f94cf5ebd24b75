/**
 * Smoothing batches of sensor windows with `BatchOperations`: 64 simulated sensors
 * (a slow drift plus noise and occasional spikes) deliver 256-sample windows; each
 * round smooths all of them with a Gaussian kernel in one
 * `BatchOperations.convolutionBatch` call whose results come from the pool and go
 * back to it, and a long backlog is replayed through
 * `BatchOperations.convolutionStream` in batches of 16.
 *
 *   node --import tsx examples/sensor_batch.ts [--duration 5] [--port 9466]
 *   deno run -A examples/sensor_batch.ts [flags]
 *   bun examples/sensor_batch.ts [flags]
 *
 * It prints windows per second, how much of the noise the smoothing removed (RMS
 * error against the noise-free signal, before and after), and the default engine's
 * pool hit rate: after the first round every result buffer is a reused one.
 *
 * @module
 */

import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BatchOperations, BufferUtils, type ConvolutionPair, getDefaultEngine } from "../mod.ts";
import { type MetricsServer, serveMetrics } from "../src/prometheus.ts";
import { durationFlag, portFlag } from "./cli_flags.ts";

/** Sensors simulated. */
export const SENSORS = 64;
/** Samples per window. */
export const WINDOW = 256;

/** Settings of {@linkcode runSensorBatch}. */
export interface SensorBatchOptions {
  /** Seconds to run rounds for. */
  durationSeconds: number;
  /** Serve `/metrics` on this port while running (`undefined`: do not serve). */
  port: number | undefined;
}

/** A normalised Gaussian smoothing kernel of `taps` (odd) coefficients and width `sigma` samples. */
export function gaussianKernel(taps: number, sigma: number): Float32Array {
  const middle = (taps - 1) / 2;
  const h = new Float32Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    h[i] = Math.exp(-((i - middle) ** 2) / (2 * sigma * sigma));
    sum += h[i];
  }
  for (let i = 0; i < taps; i++) h[i] /= sum;
  return h;
}

/** Deterministic pseudo-random numbers in [0, 1) (xorshift32), so runs are comparable. */
function random(state: Uint32Array): number {
  let x = state[0];
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  state[0] = x;
  return state[0] / 2 ** 32;
}

/** One round of windows: the noise-free truth and the measured (noisy, spiky) signal. */
interface Round {
  truth: Float32Array[];
  measured: Float32Array[];
}

function makeRound(round: number, state: Uint32Array): Round {
  const truth: Float32Array[] = [];
  const measured: Float32Array[] = [];
  for (let s = 0; s < SENSORS; s++) {
    const t = new Float32Array(WINDOW);
    const m = new Float32Array(WINDOW);
    for (let i = 0; i < WINDOW; i++) {
      const time = round * WINDOW + i;
      t[i] = 20 + s * 0.1 + 2 * Math.sin((2 * Math.PI * time) / (2000 + 50 * s));
      const spike = random(state) < 0.005 ? 3 : 0;
      m[i] = t[i] + (random(state) - 0.5) * 1.2 + spike;
    }
    truth.push(t);
    measured.push(m);
  }
  return { truth, measured };
}

/** RMS of `a - b` over the samples where a full kernel fits (edges excluded). */
function rmsError(a: ArrayLike<number>, aOffset: number, b: Float32Array, edge: number): number {
  let sum = 0;
  for (let i = edge; i < b.length - edge; i++) sum += (a[i + aOffset] - b[i]) ** 2;
  return Math.sqrt(sum / (b.length - 2 * edge));
}

/** Summary of a run. */
export interface SensorBatchReport {
  /** Rounds of {@linkcode SENSORS} windows smoothed with `convolutionBatch`. */
  rounds: number;
  /** Windows per second through `convolutionBatch`. */
  windowsPerSecond: number;
  /** Windows smoothed through `convolutionStream`. */
  streamed: number;
  /** RMS error against the truth before and after smoothing (last round). */
  rmsBefore: number;
  /** See `rmsBefore`. */
  rmsAfter: number;
  /** The default engine's pool hit rate at the end. */
  poolHitRate: number;
  /** Heap allocations the default engine made (0: every result was a pooled buffer). */
  heapAllocations: number;
}

/** Runs rounds until `durationSeconds` have passed; see the module docs. */
export async function runSensorBatch(options: SensorBatchOptions): Promise<SensorBatchReport> {
  const kernel = gaussianKernel(15, 2.5);
  const offset = (kernel.length - 1) / 2; // full-mode result index of window sample 0
  const state = new Uint32Array([12345]);
  // A batch holds all 64 results at once. With the default bound of 32 buffers per size
  // class, half of them would miss and fall back to the heap every round (the tuning
  // dashboard would recommend 80), so raise the bound unless the environment
  // (CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS) already set it higher.
  const engine = getDefaultEngine();
  if (engine.config.poolMaxBuffersPerClass < SENSORS) {
    engine.configure({ poolMaxBuffersPerClass: SENSORS });
  }
  // Pre-warming makes even the first round hit: one buffer per window of the batch.
  BufferUtils.preWarm(new Array(SENSORS).fill(WINDOW + kernel.length - 1));
  let server: MetricsServer | undefined;
  if (options.port !== undefined) {
    server = await serveMetrics({ engine, port: options.port });
    console.log(`sensor_batch: metrics on ${server.url}`);
  }
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  let rounds = 0, rmsBefore = 0, rmsAfter = 0, streamed = 0;
  let batchMillis = 0;
  const backlog: ConvolutionPair[] = [];
  try {
    do {
      const { truth, measured } = makeRound(rounds, state);
      const pairs: ConvolutionPair[] = measured.map((m) => [m, kernel]);
      const t0 = performance.now();
      const smoothed = BatchOperations.convolutionBatch(pairs, {
        reuseBuffers: true,
        preAllocateResults: true,
        useSharedWorkspace: true,
      });
      batchMillis += performance.now() - t0;
      rmsBefore = 0;
      rmsAfter = 0;
      for (let s = 0; s < SENSORS; s++) {
        rmsBefore += rmsError(measured[s], 0, truth[s], offset) / SENSORS;
        rmsAfter += rmsError(smoothed[s], offset, truth[s], offset) / SENSORS;
        BufferUtils.releaseBuffer(smoothed[s]);
      }
      if (backlog.length < 256) backlog.push(...pairs.slice(0, 8));
      rounds++;
      // Yield between rounds so a metrics scrape can run.
      await new Promise((resolve) => setTimeout(resolve, 0));
    } while (performance.now() < deadline);
    // Replay the backlog as a stream, giving each batch back: one batch of results at a time.
    for (const batch of BatchOperations.convolutionStream(backlog, 16)) {
      streamed += batch.length;
      batch.forEach((result) => BufferUtils.releaseBuffer(result));
    }
  } finally {
    await server?.close();
  }
  return {
    rounds,
    windowsPerSecond: (rounds * SENSORS) / (batchMillis / 1000),
    streamed,
    rmsBefore,
    rmsAfter,
    poolHitRate: BufferUtils.getStats().pool.hitRate,
    heapAllocations: BufferUtils.getStats().heap.allocations,
  };
}

/**
 * Parses `--duration` (seconds, default 5) and `--port`.
 *
 * @throws {RangeError} on an unknown flag, a non-positive duration or a bad port.
 */
export function parseSensorBatchArgs(args: readonly string[]): SensorBatchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { duration: { type: "string" }, port: { type: "string" } },
    }));
  } catch (error) {
    throw new RangeError(`${(error as Error).message}; flags: --duration, --port`);
  }
  const durationSeconds = durationFlag(values.duration) ?? 5;
  const port = portFlag(values.port);
  return { durationSeconds, port };
}

async function main(): Promise<void> {
  let options: SensorBatchOptions;
  try {
    options = parseSensorBatchArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  console.log(
    `sensor_batch: ${SENSORS} sensors x ${WINDOW}-sample windows, 15-tap Gaussian smoothing, ` +
      `${options.durationSeconds} s`,
  );
  const r = await runSensorBatch(options);
  console.log(
    `batches: ${r.rounds} rounds, ${Math.round(r.windowsPerSecond)} windows/s; ` +
      `streamed ${r.streamed} backlog windows in batches of 16`,
  );
  console.log(
    `noise: RMS error ${r.rmsBefore.toFixed(3)} before, ${r.rmsAfter.toFixed(3)} after smoothing ` +
      `(${(100 * (1 - r.rmsAfter / r.rmsBefore)).toFixed(0)}% removed)`,
  );
  console.log(
    `pool hit rate: ${(r.poolHitRate * 100).toFixed(1)}%, heap allocations: ${r.heapAllocations}`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
