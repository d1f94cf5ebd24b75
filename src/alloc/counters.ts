/**
 * Hot-path counters of the allocation engine and of operations.
 *
 * Every allocator decision and every operation increments a slot in a
 * preallocated typed array here (a few nanoseconds, no allocation, no
 * OpenTelemetry call). Telemetry reads these arrays at collection time. This
 * module is the only thing `alloc` shares with `telemetry`.
 *
 * Size classes are indexed by `log2(bytes)`: class `c` holds buffers of
 * `2 ** c` bytes, for `c` in `[0, SIZE_CLASS_COUNT)`.
 *
 * @module
 */

import { KERNEL_METHODS } from "../types.ts";

/** Number of size classes; class `c` is `2 ** c` bytes. */
export const SIZE_CLASS_COUNT = 32;

/** Allocation sources, in the index order used by the counters. */
export const ALLOCATION_SOURCES = ["stack", "pool", "heap"] as const;
/** One allocation source. */
export type AllocationSource = typeof ALLOCATION_SOURCES[number];

/** Why a request went to the heap, in counter index order. */
export const HEAP_REASONS = ["too_large", "pool_exhausted", "stack_full"] as const;
/** One heap-fallback reason. */
export type HeapReason = typeof HEAP_REASONS[number];

/** Outcome of giving a buffer back, in counter index order. */
export const RELEASE_OUTCOMES = ["pooled", "dropped_full", "dropped_pressure", "rejected"] as const;
/** One release outcome. */
export type ReleaseOutcome = typeof RELEASE_OUTCOMES[number];

/** Why pooled memory was evicted, in counter index order. */
export const EVICTION_REASONS = ["trim", "pressure"] as const;
/** One eviction reason. */
export type EvictionReason = typeof EVICTION_REASONS[number];

/** Memory-pressure levels, in counter index order. */
export const PRESSURE_LEVELS = ["none", "moderate", "critical"] as const;
/** One memory-pressure level. */
export type PressureLevel = typeof PRESSURE_LEVELS[number];

/** What raised a memory-pressure event, in counter index order. */
export const PRESSURE_TRIGGERS = ["manual", "heap_usage", "rss"] as const;
/** One memory-pressure trigger. */
export type PressureTrigger = typeof PRESSURE_TRIGGERS[number];

/** Misuse kinds, in counter index order. */
export const MISUSE_TYPES = ["double_release", "foreign_release", "leaked"] as const;
/** One misuse kind. */
export type MisuseType = typeof MISUSE_TYPES[number];

/** Operations, in counter index order. */
export const OPERATIONS = ["convolve", "correlate", "batch", "stream"] as const;
/** One operation kind. */
export type Operation = typeof OPERATIONS[number];

/**
 * The settings `autoTune` changes, in counter index order.
 *
 * @example
 * ```ts
 * import { AllocationCounters, AUTO_TUNE_DIRECTIONS, AUTO_TUNE_SETTINGS } from "./counters.ts";
 * const counters = new AllocationCounters();
 * const i = AUTO_TUNE_SETTINGS.indexOf("stack_bytes") * 2 + AUTO_TUNE_DIRECTIONS.indexOf("up");
 * console.log(counters.autoTuneAdjustments[i]); // 0
 * ```
 */
export const AUTO_TUNE_SETTINGS = ["stack_bytes", "pool_buffers_per_class"] as const;
/** The directions of an `autoTune` change, in counter index order (see {@linkcode AUTO_TUNE_SETTINGS}). */
export const AUTO_TUNE_DIRECTIONS = ["up", "down"] as const;

/** Kernel methods, in counter index order (the list is declared once, in `types.ts`). */
export const METHODS: typeof KERNEL_METHODS = KERNEL_METHODS;

/**
 * Upper bounds (seconds) of the operation-duration histogram buckets: 1-2-5 steps
 * from 100 ns to 1 s. An implicit `+Inf` bucket follows the last bound.
 */
export const DURATION_BOUNDS_SECONDS: readonly number[] = [
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
];

/** Index of the size class that holds `bytes` (the smallest power of two >= bytes). */
export function sizeClassOf(bytes: number): number {
  return bytes <= 1 ? 0 : 32 - Math.clz32(bytes - 1);
}

/**
 * All hot-path counters of one engine. Arrays are `Float64Array` so that counts
 * stay exact far beyond 2^32. Per-class arrays have {@linkcode SIZE_CLASS_COUNT}
 * slots; matrices are flattened row-major as documented on each field.
 */
export class AllocationCounters {
  /** Allocations per source and class: index `source * SIZE_CLASS_COUNT + class`. */
  readonly allocations: Float64Array = new Float64Array(3 * SIZE_CLASS_COUNT);
  /** Bytes allocated per source (index of {@linkcode ALLOCATION_SOURCES}). */
  readonly allocatedBytes: Float64Array = new Float64Array(3);
  /** Heap fallbacks per reason (index of {@linkcode HEAP_REASONS}). */
  readonly heapReasons: Float64Array = new Float64Array(3);
  /** Pool hits per class. */
  readonly poolHits: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Pool misses per class. */
  readonly poolMisses: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Releases per outcome (index of {@linkcode RELEASE_OUTCOMES}). */
  readonly releases: Float64Array = new Float64Array(4);
  /** Idle (pooled, free) buffers per class: a level, not a counter. */
  readonly idleBuffers: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Pool buffers handed out and not yet released, per class: a level. */
  readonly inUseBuffers: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Highest `inUseBuffers` seen per class since creation (the demand). */
  readonly peakInUseBuffers: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Highest `inUseBuffers` seen per class since the last maintenance pass (the window's demand). */
  readonly windowPeakInUseBuffers: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Evicted bytes per reason (index of {@linkcode EVICTION_REASONS}). */
  readonly evictedBytes: Float64Array = new Float64Array(2);
  /** Pressure events: index `level * PRESSURE_TRIGGERS.length + trigger`. */
  readonly pressureEvents: Float64Array = new Float64Array(3 * 3);
  /** Misuse per kind (index of {@linkcode MISUSE_TYPES}). */
  readonly misuse: Float64Array = new Float64Array(3);
  /** Operations: index `operation * METHODS.length + method`. Exact counts. */
  readonly operations: Float64Array = new Float64Array(4 * 3);
  /**
   * Duration histogram bucket counts (NOT cumulative): index
   * `(operation * METHODS.length + method) * (bounds + 1) + bucket`.
   */
  readonly durationBuckets: Float64Array = new Float64Array(
    4 * 3 * (DURATION_BOUNDS_SECONDS.length + 1),
  );
  /** Sum of recorded durations (seconds) per operation/method pair. */
  readonly durationSum: Float64Array = new Float64Array(4 * 3);
  /** Number of recorded (sampled) durations per operation/method pair. */
  readonly durationCount: Float64Array = new Float64Array(4 * 3);
  /** Stack overflows (requests the arena could not hold). */
  stackOverflows = 0;
  /**
   * Changes `autoTune` made: index `setting * 2 + direction`, settings in
   * {@linkcode AUTO_TUNE_SETTINGS} order, directions in {@linkcode AUTO_TUNE_DIRECTIONS} order.
   */
  readonly autoTuneAdjustments: Float64Array = new Float64Array(2 * 2);
}
