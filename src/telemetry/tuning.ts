/**
 * Tuning hints computed from the demand an engine actually saw: the stack size and
 * the per-class buffer counts an operator should configure.
 *
 * Formulas (`headroom` = {@linkcode TUNING_HEADROOM}, 1.25):
 *
 * - **Stack** (`convpool.stack.recommended_limit`, bytes): the demand is the peak
 *   stack use; if any request overflowed the arena, the true demand is unknown but
 *   above capacity, so the demand is taken as twice the capacity (applying the hint
 *   repeatedly converges geometrically). The hint is
 *   `nextPowerOfTwo(ceil(demand * headroom))`, at least {@linkcode MIN_STACK_BYTES}.
 *   Powers of two keep the hint stable from one scrape to the next.
 * - **Pool** (`convpool.pool.recommended_buffers`, per size class): the demand is the
 *   peak number of buffers of that class in use at once; if that peak reached the
 *   configured per-class bound while requests fell back to the heap because the pool
 *   was exhausted, the demand is taken as twice the bound. The hint is
 *   `ceil(demand * headroom)`, only for classes with demand. The largest of them is
 *   the value for `poolMaxBuffersPerClass`; the sum of `hint * 2 ** class` bounds
 *   the bytes the pool needs (`poolMaxBytes`).
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

import { HEAP_REASONS, SIZE_CLASS_COUNT } from "../alloc/counters.ts";
import type { EngineStats } from "../alloc/stats.ts";
import type { TelemetrySource } from "./source.ts";

/** Safety margin applied to observed demand. */
export const TUNING_HEADROOM = 1.25;

/** The smallest stack size ever recommended, in bytes. */
export const MIN_STACK_BYTES = 4096;

const POOL_EXHAUSTED = HEAP_REASONS.indexOf("pool_exhausted");

/** Inputs of {@linkcode recommendStackBytes} (a subset of `getStats().stack`). */
export interface StackDemand {
  /** Highest stack use observed, in bytes. */
  peakBytes: number;
  /** Capacity of the arena, in bytes. */
  capacityBytes: number;
  /** Requests that were eligible for the arena but did not fit. */
  overflows: number;
}

/** The stack size (bytes) to configure for the observed demand; see the module docs. */
export function recommendStackBytes(demand: StackDemand): number {
  let need = demand.peakBytes;
  if (demand.overflows > 0) need = Math.max(need, 2 * demand.capacityBytes);
  const wanted = Math.max(MIN_STACK_BYTES, Math.ceil(need * TUNING_HEADROOM));
  return 2 ** Math.ceil(Math.log2(wanted));
}

/** Options of {@linkcode recommendClassBuffers}. */
export interface ClassDemandOptions {
  /** The configured per-class bound (`poolMaxBuffersPerClass`). */
  bound?: number;
  /** Whether requests fell back to the heap because the pool was exhausted. */
  poolExhausted?: boolean;
}

/** The buffer count to keep for one size class, given its peak concurrent demand. */
export function recommendClassBuffers(peakInUse: number, options: ClassDemandOptions = {}): number {
  const bound = options.bound ?? 0;
  const capped = options.poolExhausted === true && bound > 0 && peakInUse >= bound;
  const need = capped ? 2 * bound : peakInUse;
  return need > 0 ? Math.ceil(need * TUNING_HEADROOM) : 0;
}

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
}

/** Computes every tuning hint of `source` from its counters and stats (collection time). */
export function tuningHints(
  source: TelemetrySource,
  options: TuningHintsOptions = {},
): TuningHints {
  const stats = options.stats ?? source.getStats();
  const counters = source.counters;
  const demand: ClassDemandOptions = {
    bound: source.config.poolMaxBuffersPerClass,
    poolExhausted: counters.heapReasons[POOL_EXHAUSTED] > 0,
  };
  const perClass = new Float64Array(SIZE_CLASS_COUNT);
  let max = 0;
  let bytes = 0;
  for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
    const hint = recommendClassBuffers(counters.peakInUseBuffers[c], demand);
    perClass[c] = hint;
    if (hint > max) max = hint;
    bytes += hint * 2 ** c;
  }
  return {
    stackBytes: recommendStackBytes(stats.stack),
    poolBuffersPerClass: perClass,
    poolMaxBuffersPerClass: max,
    poolBytes: bytes,
  };
}
