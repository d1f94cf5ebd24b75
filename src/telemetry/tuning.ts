/**
 * Tuning hints computed from the demand an engine actually saw: the stack size and
 * the per-class buffer counts an operator should configure. The arithmetic lives
 * in `../alloc/recommend.ts` (the engine's `autoTune` applies it too); this module
 * applies it to an engine's lifetime peaks and re-exports it.
 *
 * See `../alloc/recommend.ts` for the formulas (headroom {@linkcode TUNING_HEADROOM}, 1.25).
 *
 * @example
 * ```ts
 * import { recommendStackBytes } from "./tuning.ts";
 * console.log(recommendStackBytes({ peakBytes: 20000, capacityBytes: 32768, overflows: 0 })); // 32768
 * console.log(recommendStackBytes({ peakBytes: 32768, capacityBytes: 32768, overflows: 3 })); // 131072
 * ```
 *
 * @module
 */

import { HEAP_REASON_INDEX } from "../alloc/counters.ts";
import { recommendPoolBuffers, recommendStackBytes } from "../alloc/recommend.ts";
import type { PoolLevels } from "../alloc/size_class_pool.ts";
import type { EngineStats } from "../alloc/stats.ts";
import type { TelemetrySource } from "./source.ts";

export {
  type ClassDemandOptions,
  MIN_STACK_BYTES,
  recommendClassBuffers,
  recommendStackBytes,
  type StackDemand,
  TUNING_HEADROOM,
} from "../alloc/recommend.ts";

const POOL_EXHAUSTED = HEAP_REASON_INDEX.pool_exhausted;

/** All hints for one engine, as {@linkcode tuningHints} returns them. */
export interface TuningHints {
  /** Recommended stack arena size in bytes. */
  stackBytes: number;
  /**
   * Recommended buffers per size class, indexed by class (`2 ** class` bytes);
   * 0 where the class saw no demand.
   */
  poolBuffersPerClass: Float64Array;
  /** The largest per-class hint: the value for `poolMaxBuffersPerClass`. */
  poolMaxBuffersPerClass: number;
  /** Bytes the recommended buffers take together: a floor for `poolMaxBytes`. */
  poolBytes: number;
}

/** Options of {@linkcode tuningHints}. */
export interface TuningHintsOptions {
  /** A `getStats()` snapshot already taken in this collection (saves taking another). */
  stats?: EngineStats;
  /** A `poolLevels()` snapshot already taken in this collection (saves taking another). */
  levels?: PoolLevels;
}

/** Computes every tuning hint of `source` from its counters and stats (collection time). */
export function tuningHints(
  source: TelemetrySource,
  options: TuningHintsOptions = {},
): TuningHints {
  const stats = options.stats ?? source.getStats();
  const levels = options.levels ?? source.poolLevels();
  const pool = recommendPoolBuffers(levels.peakInUseBuffers, {
    bound: source.config.poolMaxBuffersPerClass,
    poolExhausted: source.counters.heapReasons[POOL_EXHAUSTED] > 0,
  });
  return {
    stackBytes: recommendStackBytes(stats.stack),
    poolBuffersPerClass: pool.perClass,
    poolMaxBuffersPerClass: pool.maxBuffersPerClass,
    poolBytes: pool.bytes,
  };
}
