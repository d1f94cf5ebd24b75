/**
 * Hot-path recording of operations: exact counts and a weighted latency sample.
 *
 * Timing an operation costs two `performance.now()` calls (about 90 ns together on
 * the reference machine), which is 18% of a 0.5 us convolution. So small operations
 * are timed on a sample only, while every operation is counted exactly:
 *
 * - operations of at least {@linkcode ALWAYS_TIME_WORK} (2^24) multiply-accumulates
 *   (a millisecond or so) are always timed, weight 1;
 * - smaller ones are timed 1 in {@linkcode SAMPLE_INTERVAL} (256) with weight 256.
 *
 * Sampling is systematic over all engines of the process;
 * the weights make the histogram's count, sum and buckets estimate the whole
 * population without bias between small and large operations. On Node 20 each
 * `performance.now()` allocates a 16-byte number (Deno's and Bun's allocate
 * nothing), so this rate also keeps the clock's garbage to about an eighth of a
 * byte per operation on average there; `telemetry: false` removes it.
 *
 * The amortised cost on a small operation is one counter increment and a module
 * tick (a few ns), plus 2 x `performance.now()` / 256 for the sampled timings: measured
 * 3-9 ns per operation in total (Bun about 3.5 ns, Node about 5 ns, Deno about 6 ns,
 * where `performance.now()` itself costs 130 ns), i.e. 1-2% of a 0.5 us operation.
 * Nothing here allocates or calls OpenTelemetry.
 *
 * @example
 * ```ts
 * import { AllocationCounters } from "../alloc/counters.ts";
 * import { METHOD_INDEX, OPERATION_INDEX, operationSampleWeight, recordOperation } from "./record.ts";
 *
 * const counters = new AllocationCounters();
 * const weight = operationSampleWeight(256 * 16);
 * const start = weight > 0 ? performance.now() : 0;
 * // ... run the convolution ...
 * const seconds = weight > 0 ? (performance.now() - start) / 1000 : -1;
 * recordOperation(counters, OPERATION_INDEX.convolve, METHOD_INDEX.direct, seconds, weight);
 * console.log(counters.operations[0]); // 1
 * ```
 *
 * @module
 */

import {
  type AllocationCounters,
  DURATION_BOUNDS_SECONDS,
  METHODS,
  OPERATIONS,
} from "../alloc/counters.ts";
import { clockOf } from "../runtime/clock.ts";

/** Small operations are timed once every this many calls (a power of two). */
export const SAMPLE_INTERVAL = 256;

/**
 * Operations with at least this many multiply-accumulates (signal length times
 * kernel length) are always timed: they take a millisecond or so, which the
 * timing's cost (and, on Node 20, the 32 bytes that two `performance.now()` calls
 * allocate) does not register against.
 */
export const ALWAYS_TIME_WORK = 1 << 24;

/** Index of each operation in the counters (`convpool.operation`). */
export const OPERATION_INDEX: Readonly<
  { convolve: number; correlate: number; batch: number; stream: number }
> = Object.freeze({
  convolve: OPERATIONS.indexOf("convolve"),
  correlate: OPERATIONS.indexOf("correlate"),
  batch: OPERATIONS.indexOf("batch"),
  stream: OPERATIONS.indexOf("stream"),
});

/** Index of each kernel method in the counters (`convpool.method`). */
export const METHOD_INDEX: Readonly<{ direct: number; fft: number; overlap_add: number }> = Object
  .freeze({
    direct: METHODS.indexOf("direct"),
    fft: METHODS.indexOf("fft"),
    overlap_add: METHODS.indexOf("overlap_add"),
  });

const METHOD_COUNT = METHODS.length;
const BOUNDS = Float64Array.from(DURATION_BOUNDS_SECONDS);
const BOUND_COUNT = BOUNDS.length;
const BUCKET_COUNT = BOUND_COUNT + 1;
const SAMPLE_MASK = SAMPLE_INTERVAL - 1;

let tick = 0;

/**
 * Decides whether to time the next operation, given its work (multiply-accumulates,
 * e.g. `signal.length * kernel.length`). Returns the weight to pass to
 * {@linkcode recordOperation}: `0` (do not time), `1` (a large operation, always
 * timed) or {@linkcode SAMPLE_INTERVAL} (a sampled operation).
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
 * `operation` and `method` are indices ({@linkcode OPERATION_INDEX},
 * {@linkcode METHOD_INDEX}); they are not checked, so keep them constant at the call
 * site. Positional arguments on purpose: an options object would allocate per call.
 */
export function recordOperation(
  counters: AllocationCounters,
  operation: number,
  method: number,
  seconds: number,
  weight = 1,
): void {
  const pair = operation * METHOD_COUNT + method;
  counters.operations[pair]++;
  if (seconds >= 0) {
    let bucket = 0;
    while (bucket < BOUND_COUNT && seconds > BOUNDS[bucket]) bucket++;
    counters.durationBuckets[pair * BUCKET_COUNT + bucket] += weight;
    counters.durationSum[pair] += seconds * weight;
    counters.durationCount[pair] += weight;
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
 */
export function startOperationTimer(): void {
  clock[0] = readClock();
}

/**
 * {@linkcode recordOperation} for an operation whose timer
 * {@linkcode startOperationTimer} started: reads the clock again and records the
 * elapsed time with `weight`. Allocates nothing (on Node 20, `performance.now()`
 * itself returns a fresh heap number).
 */
export function recordTimedOperation(
  counters: AllocationCounters,
  operation: number,
  method: number,
  weight: number,
): void {
  recordOperation(counters, operation, method, (readClock() - clock[0]) / 1000, weight);
}

/**
 * Restarts the sampling sequence, so that the next small operations are sampled
 * at a known phase (tests and benchmarks; not needed in production).
 */
export function resetOperationSampling(): void {
  tick = 0;
}
