/**
 * The pure tuning arithmetic: the stack size and the per-class buffer counts that
 * fit an observed demand. The engine's `autoTune` applies it at each maintenance
 * pass (over the window since the previous pass) and telemetry exports it as the
 * tuning hints (over the engine's lifetime peaks).
 *
 * Formulas (`headroom` = {@linkcode TUNING_HEADROOM}, 1.25):
 *
 * - **Stack** (bytes): the demand is the peak stack use; if any request overflowed
 *   the arena, the true demand is unknown but above capacity, so the demand is taken
 *   as twice the capacity (applying the hint repeatedly converges geometrically).
 *   The hint is `nextPowerOfTwo(ceil(demand * headroom))`, at least
 *   {@linkcode MIN_STACK_BYTES}. Powers of two keep the hint stable.
 * - **Pool** (buffers per size class): the demand is the peak number of buffers of
 *   that class in use at once; if that peak reached the configured per-class bound
 *   while requests fell back to the heap because the pool was exhausted, the demand
 *   is taken as twice the bound. The hint is `ceil(demand * headroom)`, only for
 *   classes with demand. The largest of them is the value for
 *   `poolMaxBuffersPerClass`; the sum of `hint * 2 ** class` bounds the bytes the
 *   pool needs (`poolMaxBytes`).
 *
 * @example
 * ```ts
 * import { recommendPoolBuffers, recommendStackBytes } from "./recommend.ts";
 * console.log(recommendStackBytes({ peakBytes: 20000, capacityBytes: 32768, overflows: 0 })); // 32768
 * console.log(recommendStackBytes({ peakBytes: 32768, capacityBytes: 32768, overflows: 3 })); // 131072
 * const peaks = new Float64Array(32);
 * peaks[10] = 8; // 8 buffers of 1 KiB in use at once
 * console.log(recommendPoolBuffers(peaks).maxBuffersPerClass); // 10
 * ```
 *
 * @module
 */

import { SIZE_CLASS_COUNT } from "./counters.ts";

/** Safety margin applied to observed demand. */
export const TUNING_HEADROOM = 1.25;

/** The smallest stack size ever recommended, in bytes. */
export const MIN_STACK_BYTES = 4096;

/** Inputs of {@linkcode recommendStackBytes} (a subset of `getStats().stack`). */
export interface StackDemand {
  /** Highest stack use observed, in bytes. */
  peakBytes: number;
  /** Capacity of the arena, in bytes. */
  capacityBytes: number;
  /** Requests that were eligible for the arena but did not fit. */
  overflows: number;
}

/**
 * The stack size (bytes) to configure for the observed demand; see the module docs.
 *
 * @example
 * ```ts
 * import { recommendStackBytes } from "./recommend.ts";
 * recommendStackBytes({ peakBytes: 0, capacityBytes: 32768, overflows: 0 }); // 4096
 * ```
 */
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

/**
 * The buffer count to keep for one size class, given its peak concurrent demand.
 *
 * @example
 * ```ts
 * import { recommendClassBuffers } from "./recommend.ts";
 * recommendClassBuffers(8); // 10
 * recommendClassBuffers(4, { bound: 4, poolExhausted: true }); // 10: the bound binds, demand unknown
 * ```
 */
export function recommendClassBuffers(peakInUse: number, options: ClassDemandOptions = {}): number {
  const bound = options.bound ?? 0;
  const capped = options.poolExhausted === true && bound > 0 && peakInUse >= bound;
  const need = capped ? 2 * bound : peakInUse;
  return need > 0 ? Math.ceil(need * TUNING_HEADROOM) : 0;
}

/** What {@linkcode recommendPoolBuffers} returns. */
export interface PoolRecommendation {
  /** Recommended buffers per size class (index `c` is `2 ** c` bytes); 0 without demand. */
  perClass: Float64Array;
  /** The largest per-class hint: the value for `poolMaxBuffersPerClass`. */
  maxBuffersPerClass: number;
  /** Bytes the recommended buffers take together: a floor for `poolMaxBytes`. */
  bytes: number;
}

/**
 * Applies {@linkcode recommendClassBuffers} to every size class of `peakInUse`
 * (one peak per class, {@linkcode SIZE_CLASS_COUNT} of them).
 *
 * @example
 * ```ts
 * import { recommendPoolBuffers } from "./recommend.ts";
 * const peaks = new Float64Array(32);
 * peaks[12] = 1;
 * const hint = recommendPoolBuffers(peaks, { bound: 1, poolExhausted: true });
 * console.log(hint.perClass[12], hint.bytes); // 3 12288
 * ```
 */
export function recommendPoolBuffers(
  peakInUse: ArrayLike<number>,
  options: ClassDemandOptions = {},
): PoolRecommendation {
  const perClass = new Float64Array(SIZE_CLASS_COUNT);
  let max = 0;
  let bytes = 0;
  for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
    const hint = recommendClassBuffers(peakInUse[c], options);
    perClass[c] = hint;
    if (hint > max) max = hint;
    bytes += hint * 2 ** c;
  }
  return { perClass, maxBuffersPerClass: max, bytes };
}
