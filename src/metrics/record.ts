/**
 * Hot-path recording of operations: exact counts and a weighted latency sample,
 * written into an {@linkcode OperationMetrics} sink.
 *
 * Timing an operation costs two clock readings, a noticeable share of a
 * sub-microsecond convolution. So small operations are timed on a sample only,
 * while every operation is counted exactly:
 *
 * - operations of at least {@linkcode ALWAYS_TIME_WORK} multiply-accumulates are
 *   always timed, weight 1;
 * - smaller ones are timed 1 in {@linkcode SAMPLE_INTERVAL} with weight
 *   {@linkcode SAMPLE_INTERVAL}.
 *
 * Sampling is systematic over all sinks of the process; the weights make the
 * histogram's count, sum and buckets estimate the whole population without bias
 * between small and large operations. On Node 20 each `performance.now()` allocates
 * a 16-byte number (Deno's and Bun's allocate nothing), so the sampling also keeps
 * the clock's garbage small there; `telemetry: false` (`timing` off) removes it.
 *
 * The amortised cost on a small operation is one counter increment and a module
 * tick, plus two clock readings every {@linkcode SAMPLE_INTERVAL} calls. Nothing
 * here allocates or calls OpenTelemetry; telemetry reads the sink at collection
 * time.
 *
 * @example
 * ```ts
 * import { METHOD_INDEX, OPERATION_INDEX, OperationMetrics } from "./operation_metrics.ts";
 * import { operationSampleWeight, recordOperation } from "./record.ts";
 *
 * const metrics = new OperationMetrics();
 * const weight = operationSampleWeight(256 * 16);
 * const start = weight > 0 ? performance.now() : 0;
 * // ... run the convolution ...
 * const seconds = weight > 0 ? (performance.now() - start) / 1000 : -1;
 * recordOperation(metrics, OPERATION_INDEX.convolve, METHOD_INDEX.direct, seconds, weight);
 * console.log(metrics.operations[0]); // 1
 * ```
 *
 * @module
 */

import { clockOf } from "../runtime/clock.ts";
import {
  DURATION_BOUNDS_SECONDS,
  DURATION_BUCKET_COUNT,
  type OperationMetrics,
  pairIndex,
} from "./operation_metrics.ts";

/** Small operations are timed once every this many calls (a power of two). */
export const SAMPLE_INTERVAL = 256;

/**
 * Operations with at least this many multiply-accumulates (signal length times
 * kernel length) are always timed: they take long enough that the timing's cost
 * (and, on Node 20, the bytes two `performance.now()` calls allocate) does not
 * register against them.
 */
export const ALWAYS_TIME_WORK = 1 << 24;

const BOUNDS = Float64Array.from(DURATION_BOUNDS_SECONDS);
const BOUND_COUNT = BOUNDS.length;
const SAMPLE_MASK = SAMPLE_INTERVAL - 1;

let tick = 0;

/**
 * Decides whether to time the next operation, given its work (multiply-accumulates,
 * e.g. `signal.length * kernel.length`). Returns the weight to pass to
 * {@linkcode recordOperation}: `0` (do not time), `1` (a large operation, always
 * timed) or {@linkcode SAMPLE_INTERVAL} (a sampled operation).
 *
 * @example
 * ```ts
 * import { ALWAYS_TIME_WORK, operationSampleWeight } from "./record.ts";
 * console.log(operationSampleWeight(ALWAYS_TIME_WORK)); // 1
 * ```
 */
export function operationSampleWeight(work: number): number {
  if (work >= ALWAYS_TIME_WORK) return 1;
  tick = (tick + 1) & SAMPLE_MASK;
  return tick === 0 ? SAMPLE_INTERVAL : 0;
}

/**
 * Counts one operation exactly and, when `seconds >= 0`, adds its duration to the
 * latency histogram with `weight` (see {@linkcode operationSampleWeight}). Pass a
 * negative `seconds` (or NaN) for an operation that was not timed.
 *
 * `operation` and `method` are indices (`OPERATION_INDEX`, `METHOD_INDEX`); they
 * are not checked, so keep them constant at the call site. Positional arguments on
 * purpose: an options object would allocate per call.
 *
 * @example
 * ```ts
 * import { OperationMetrics } from "./operation_metrics.ts";
 * import { recordOperation } from "./record.ts";
 * const metrics = new OperationMetrics();
 * recordOperation(metrics, 0, 0, 3e-6);
 * console.log(metrics.durationCount[0]); // 1
 * ```
 */
export function recordOperation(
  metrics: OperationMetrics,
  operation: number,
  method: number,
  seconds: number,
  weight = 1,
): void {
  const pair = pairIndex(operation, method);
  metrics.operations[pair]++;
  if (seconds >= 0) {
    let bucket = 0;
    while (bucket < BOUND_COUNT && seconds > BOUNDS[bucket]) bucket++;
    metrics.durationBuckets[pair * DURATION_BUCKET_COUNT + bucket] += weight;
    metrics.durationSum[pair] += seconds * weight;
    metrics.durationCount[pair] += weight;
  }
}

// The start time lives in a typed array, not in a local of the caller: a double
// passed between functions or kept across a call may be boxed (a 16-byte heap
// number), which would make every timed operation allocate.
const clock = new Float64Array(1);
// The runtime's clock (src/runtime/clock.ts): performance.now, else Date.now, else NaN,
// which makes the elapsed time NaN, so the operation is counted but not timed.
const readClock = clockOf().now;

/**
 * Reads the clock for an operation about to be timed (when
 * {@linkcode operationSampleWeight} returned a weight above 0). Operations are not
 * nested, so one start time suffices; pair it with {@linkcode recordTimedOperation}.
 *
 * @example
 * ```ts
 * import { OperationMetrics } from "./operation_metrics.ts";
 * import { recordTimedOperation, startOperationTimer } from "./record.ts";
 * const metrics = new OperationMetrics();
 * startOperationTimer();
 * recordTimedOperation(metrics, 0, 0, 1);
 * console.log(metrics.operations[0]); // 1
 * ```
 */
export function startOperationTimer(): void {
  clock[0] = readClock();
}

/**
 * {@linkcode recordOperation} for an operation whose timer
 * {@linkcode startOperationTimer} started: reads the clock again and records the
 * elapsed time with `weight`. Allocates nothing (on Node 20, `performance.now()`
 * itself returns a fresh heap number).
 *
 * @example
 * ```ts
 * import { OperationMetrics } from "./operation_metrics.ts";
 * import { recordTimedOperation, startOperationTimer } from "./record.ts";
 * const metrics = new OperationMetrics();
 * startOperationTimer();
 * recordTimedOperation(metrics, 1, 2, 256);
 * console.log(metrics.durationCount[5]); // 256
 * ```
 */
export function recordTimedOperation(
  metrics: OperationMetrics,
  operation: number,
  method: number,
  weight: number,
): void {
  recordOperation(metrics, operation, method, (readClock() - clock[0]) / 1000, weight);
}

/**
 * Restarts the sampling sequence, so that the next small operations are sampled
 * at a known phase (tests and benchmarks; not needed in production).
 *
 * @example
 * ```ts
 * import { operationSampleWeight, resetOperationSampling, SAMPLE_INTERVAL } from "./record.ts";
 * resetOperationSampling();
 * for (let i = 1; i < SAMPLE_INTERVAL; i++) operationSampleWeight(16);
 * console.log(operationSampleWeight(16)); // 256
 * ```
 */
export function resetOperationSampling(): void {
  tick = 0;
}
