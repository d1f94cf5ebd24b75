/**
 * What telemetry needs from an allocation engine: {@linkcode TelemetrySource}, a
 * read-only view.
 *
 * Telemetry never drives the engine and never writes to it: it reads the engine's
 * allocation counters and operation metrics (typed read-only), a snapshot of its
 * pool levels, its `getStats()` snapshot and its current limits, and only at
 * collection time.
 *
 * @example
 * ```ts
 * import { AllocationCounters } from "../alloc/counters.ts";
 * import type { EngineStats } from "../alloc/stats.ts";
 * import { OperationMetrics } from "../metrics/operation_metrics.ts";
 * import type { TelemetrySource } from "./source.ts";
 *
 * declare const stats: EngineStats;
 * const empty = () => new Float64Array(32);
 * const source: TelemetrySource = {
 *   counters: new AllocationCounters(),
 *   metrics: new OperationMetrics(),
 *   poolLevels: () => ({ idleBuffers: empty(), inUseBuffers: empty(), peakInUseBuffers: empty() }),
 *   getStats: () => stats,
 *   config: { stackBytes: 32768, poolMaxBytes: 64 << 20, poolMaxBuffersPerClass: 32 },
 * };
 * console.log(source.config.stackBytes); // 32768
 * ```
 *
 * @module
 */

import type { AllocationCounters } from "../alloc/counters.ts";
import type { PoolLevels } from "../alloc/size_class_pool.ts";
import type { EngineStats } from "../alloc/stats.ts";
import type { ReadonlyCounts } from "../metrics/counts.ts";
import type { OperationMetrics } from "../metrics/operation_metrics.ts";

export type { PoolLevels } from "../alloc/size_class_pool.ts";
export type { ReadonlyCounts } from "../metrics/counts.ts";

/** The engine limits that telemetry reads (current values: `configure()` may change them). */
export interface TelemetryConfigView {
  /** Capacity of the stack arena in bytes. */
  readonly stackBytes: number;
  /** Bound on the bytes held by the pool. */
  readonly poolMaxBytes: number;
  /** Bound on the buffers the pool keeps per size class. */
  readonly poolMaxBuffersPerClass: number;
}

/**
 * An engine as telemetry sees it. The allocation engine implements this; tests may
 * fake it. Every member is read at collection time only, never on the hot path,
 * and reading changes nothing.
 */
export interface TelemetrySource {
  /** The engine's allocation counters (the same object for the engine's whole life). */
  readonly counters: ReadonlyCounts<AllocationCounters>;
  /** The engine's operation metrics: counts and latency histogram (the same object always). */
  readonly metrics: ReadonlyCounts<OperationMetrics>;
  /** A snapshot of the pool's levels per size class. */
  poolLevels(): PoolLevels;
  /** A consistent snapshot of the engine's figures. */
  getStats(): EngineStats;
  /** The engine's current limits. */
  readonly config: TelemetryConfigView;
}
