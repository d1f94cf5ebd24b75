/**
 * The operation metrics of one engine: exact operation counts and the latency
 * histogram, per operation and kernel method. {@linkcode OperationMetrics} is the
 * sink that `convolve`, batches, streams and workers write into (through
 * `./record.ts`) and that telemetry reads at collection time.
 *
 * Layouts derive from the tuples: the pair `(operation, method)` has index
 * `OPERATION_INDEX[operation] * KERNEL_METHODS.length + METHOD_INDEX[method]`, and
 * its histogram buckets start at `pair * DURATION_BUCKET_COUNT`.
 *
 * @example
 * ```ts
 * import { METHOD_INDEX, OPERATION_INDEX, OperationMetrics, pairIndex } from "./operation_metrics.ts";
 *
 * const metrics = new OperationMetrics();
 * metrics.operations[pairIndex(OPERATION_INDEX.stream, METHOD_INDEX.direct)]++;
 * console.log(metrics.operations.reduce((a, b) => a + b, 0)); // 1
 * ```
 *
 * @module
 */

import { KERNEL_METHODS } from "../types.ts";
import { type IndexTable, indexTable } from "./enumeration.ts";

/** Operations, in counter index order (`convpool.operation`). */
export const OPERATIONS = ["convolve", "correlate", "batch", "stream"] as const;
/** One operation kind. */
export type Operation = typeof OPERATIONS[number];

/** Index of each operation in the counters. */
export const OPERATION_INDEX: IndexTable<typeof OPERATIONS> = indexTable(OPERATIONS);

/** Index of each kernel method in the counters (`convpool.method`, {@linkcode KERNEL_METHODS}). */
export const METHOD_INDEX: IndexTable<typeof KERNEL_METHODS> = indexTable(KERNEL_METHODS);

/** Number of (operation, method) pairs: the length of the per-pair counters. */
export const OPERATION_PAIR_COUNT: number = OPERATIONS.length * KERNEL_METHODS.length;

/**
 * Upper bounds (seconds) of the operation-duration histogram buckets: 1-2-5 steps
 * from 100 ns to 1 s. An implicit `+Inf` bucket follows the last bound.
 */
export const DURATION_BOUNDS_SECONDS: readonly number[] = Object.freeze([
  1e-7,
  2e-7,
  5e-7,
  1e-6,
  2e-6,
  5e-6,
  1e-5,
  2e-5,
  5e-5,
  1e-4,
  2e-4,
  5e-4,
  1e-3,
  2e-3,
  5e-3,
  1e-2,
  2e-2,
  5e-2,
  1e-1,
  2e-1,
  5e-1,
  1,
]);

/** Buckets per pair: one per bound and the `+Inf` bucket. */
export const DURATION_BUCKET_COUNT: number = DURATION_BOUNDS_SECONDS.length + 1;

/**
 * The index of the pair `(operation, method)` in the per-pair counters, from the
 * indices of {@linkcode OPERATION_INDEX} and {@linkcode METHOD_INDEX}.
 */
export function pairIndex(operation: number, method: number): number {
  return operation * KERNEL_METHODS.length + method;
}

/**
 * The operation counters of one engine (a metrics sink). Arrays are `Float64Array`
 * so that counts stay exact far beyond 2^32; every array field only accumulates.
 * `AllocationEngine.metrics` is one; a stream or a convolver may be given another.
 */
export class OperationMetrics {
  /** Operations per pair ({@linkcode pairIndex}). Exact counts. */
  readonly operations: Float64Array = new Float64Array(OPERATION_PAIR_COUNT);
  /**
   * Duration histogram bucket counts (NOT cumulative): index
   * `pairIndex(operation, method) * DURATION_BUCKET_COUNT + bucket`.
   */
  readonly durationBuckets: Float64Array = new Float64Array(
    OPERATION_PAIR_COUNT * DURATION_BUCKET_COUNT,
  );
  /** Sum of recorded durations (seconds) per pair. */
  readonly durationSum: Float64Array = new Float64Array(OPERATION_PAIR_COUNT);
  /** Number of recorded (sampled, weighted) durations per pair. */
  readonly durationCount: Float64Array = new Float64Array(OPERATION_PAIR_COUNT);
  /**
   * Whether operations are timed for the latency histogram (the engine's
   * `telemetry` setting); counts stay exact either way.
   */
  timing = true;
}
