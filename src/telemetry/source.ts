/**
 * What telemetry needs from an allocation engine: {@linkcode TelemetrySource}.
 *
 * Telemetry never drives the engine; it only reads the engine's hot-path counters,
 * its `getStats()` snapshot and its current limits, and only at collection time.
 *
 * @example
 * ```ts
 * import { AllocationCounters } from "../alloc/counters.ts";
 * import type { EngineStats } from "../alloc/stats.ts";
 * import type { TelemetrySource } from "./source.ts";
 *
 * declare const stats: EngineStats;
 * const source: TelemetrySource = {
 *   counters: new AllocationCounters(),
 *   getStats: () => stats,
 *   config: { stackBytes: 32768, poolMaxBytes: 64 << 20, poolMaxBuffersPerClass: 32 },
 * };
 * console.log(source.config.stackBytes); // 32768
 * ```
 *
 * @module
 */

import type { AllocationCounters } from "../alloc/counters.ts";
import type { EngineStats } from "../alloc/stats.ts";

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
 * fake it. Every member is read at collection time only, never on the hot path.
 */
export interface TelemetrySource {
  /** The engine's hot-path counters (the same object for the engine's whole life). */
  readonly counters: AllocationCounters;
  /** A consistent snapshot of the engine's figures. */
  getStats(): EngineStats;
  /** The engine's current limits. */
  readonly config: TelemetryConfigView;
}
