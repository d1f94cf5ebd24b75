/**
 * The allocation engine's counters: what its stack arena, pool and heap fallback
 * served, gave back, evicted and refused. Every allocator decision increments a
 * slot in a preallocated typed array here (a few nanoseconds, no allocation, no
 * OpenTelemetry call); telemetry reads them at collection time.
 *
 * Only counts live here, never levels: the pool's idle and in-use buffers are the
 * pool's own books (`SizeClassPool.levels()`), so a set of counters can be summed
 * field by field (a worker's into the main engine's). Operation counts are not
 * allocation: they live in `src/metrics/`.
 *
 * Every label set is a `const` tuple whose positions are the counter indices, and
 * the arrays are sized from the tuples. Size classes are indexed by `log2(bytes)`:
 * class `c` holds buffers of `2 ** c` bytes, for `c` in `[0, SIZE_CLASS_COUNT)`.
 *
 * @example
 * ```ts
 * import { AllocationCounters, HEAP_REASON_INDEX } from "./counters.ts";
 * const counters = new AllocationCounters();
 * counters.heapReasons[HEAP_REASON_INDEX.too_large]++;
 * console.log(counters.heapReasons); // Float64Array [1, 0, 0]
 * ```
 *
 * @module
 */

import { type IndexTable, indexTable } from "../metrics/enumeration.ts";

/** Number of size classes; class `c` is `2 ** c` bytes. */
export const SIZE_CLASS_COUNT = 32;

/** Allocation sources, in the index order used by the counters. */
export const ALLOCATION_SOURCES = ["stack", "pool", "heap"] as const;
/** One allocation source. */
export type AllocationSource = typeof ALLOCATION_SOURCES[number];
/** Index of each allocation source. */
export const SOURCE_INDEX: IndexTable<typeof ALLOCATION_SOURCES> = indexTable(ALLOCATION_SOURCES);

/** Why a request went to the heap, in counter index order. */
export const HEAP_REASONS = ["too_large", "pool_exhausted", "stack_full"] as const;
/** One heap-fallback reason. */
export type HeapReason = typeof HEAP_REASONS[number];
/** Index of each heap-fallback reason. */
export const HEAP_REASON_INDEX: IndexTable<typeof HEAP_REASONS> = indexTable(HEAP_REASONS);

/** Outcome of giving a buffer back, in counter index order. */
export const RELEASE_OUTCOMES = ["pooled", "dropped_full", "dropped_pressure", "rejected"] as const;
/** One release outcome. */
export type ReleaseOutcome = typeof RELEASE_OUTCOMES[number];
/** Index of each release outcome. */
export const RELEASE_OUTCOME_INDEX: IndexTable<typeof RELEASE_OUTCOMES> = indexTable(
  RELEASE_OUTCOMES,
);

/** Why pooled memory was evicted, in counter index order. */
export const EVICTION_REASONS = ["trim", "pressure"] as const;
/** One eviction reason. */
export type EvictionReason = typeof EVICTION_REASONS[number];
/** Index of each eviction reason. */
export const EVICTION_REASON_INDEX: IndexTable<typeof EVICTION_REASONS> = indexTable(
  EVICTION_REASONS,
);

/** Memory-pressure levels, in counter index order. */
export const PRESSURE_LEVELS = ["none", "moderate", "critical"] as const;
/** One memory-pressure level. */
export type PressureLevel = typeof PRESSURE_LEVELS[number];
/** Index of each memory-pressure level. */
export const PRESSURE_LEVEL_INDEX: IndexTable<typeof PRESSURE_LEVELS> = indexTable(
  PRESSURE_LEVELS,
);

/** What raised a memory-pressure event, in counter index order. */
export const PRESSURE_TRIGGERS = ["manual", "heap_usage", "rss"] as const;
/** One memory-pressure trigger. */
export type PressureTrigger = typeof PRESSURE_TRIGGERS[number];
/** Index of each memory-pressure trigger. */
export const PRESSURE_TRIGGER_INDEX: IndexTable<typeof PRESSURE_TRIGGERS> = indexTable(
  PRESSURE_TRIGGERS,
);

/** Misuse kinds, in counter index order. */
export const MISUSE_TYPES = ["double_release", "foreign_release", "leaked"] as const;
/** One misuse kind. */
export type MisuseType = typeof MISUSE_TYPES[number];
/** Index of each misuse kind. */
export const MISUSE_INDEX: IndexTable<typeof MISUSE_TYPES> = indexTable(MISUSE_TYPES);

/** The settings `autoTune` changes, in counter index order. */
export const AUTO_TUNE_SETTINGS = ["stack_bytes", "pool_buffers_per_class"] as const;
/** Index of each `autoTune` setting. */
export const AUTO_TUNE_SETTING_INDEX: IndexTable<typeof AUTO_TUNE_SETTINGS> = indexTable(
  AUTO_TUNE_SETTINGS,
);
/** The directions of an `autoTune` change, in counter index order. */
export const AUTO_TUNE_DIRECTIONS = ["up", "down"] as const;
/** Index of each `autoTune` direction. */
export const AUTO_TUNE_DIRECTION_INDEX: IndexTable<typeof AUTO_TUNE_DIRECTIONS> = indexTable(
  AUTO_TUNE_DIRECTIONS,
);

/**
 * Index of the size class that holds `bytes` (the smallest power of two >= bytes).
 *
 * @example
 * ```ts
 * import { sizeClassOf } from "./counters.ts";
 * console.log(sizeClassOf(1000)); // 10: a 1024-byte class
 * ```
 */
export function sizeClassOf(bytes: number): number {
  return bytes <= 1 ? 0 : 32 - Math.clz32(bytes - 1);
}

/**
 * All allocation counters of one engine. Arrays are `Float64Array` so that counts
 * stay exact far beyond 2^32. Per-class arrays have {@linkcode SIZE_CLASS_COUNT}
 * slots; matrices are flattened row-major as documented on each field. Every field
 * only accumulates.
 *
 * @example
 * ```ts
 * import { AllocationCounters, SIZE_CLASS_COUNT, SOURCE_INDEX, sizeClassOf } from "./counters.ts";
 * const counters = new AllocationCounters();
 * counters.allocations[SOURCE_INDEX.pool * SIZE_CLASS_COUNT + sizeClassOf(4096)]++;
 * console.log(counters.allocations.reduce((a, b) => a + b, 0)); // 1
 * ```
 */
export class AllocationCounters {
  /** Allocations per source and class: index `source * SIZE_CLASS_COUNT + class`. */
  readonly allocations: Float64Array = new Float64Array(
    ALLOCATION_SOURCES.length * SIZE_CLASS_COUNT,
  );
  /** Bytes allocated per source ({@linkcode SOURCE_INDEX}). */
  readonly allocatedBytes: Float64Array = new Float64Array(ALLOCATION_SOURCES.length);
  /** Heap fallbacks per reason ({@linkcode HEAP_REASON_INDEX}). */
  readonly heapReasons: Float64Array = new Float64Array(HEAP_REASONS.length);
  /** Pool hits per class. */
  readonly poolHits: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Pool misses per class. */
  readonly poolMisses: Float64Array = new Float64Array(SIZE_CLASS_COUNT);
  /** Releases per outcome ({@linkcode RELEASE_OUTCOME_INDEX}). */
  readonly releases: Float64Array = new Float64Array(RELEASE_OUTCOMES.length);
  /** Evicted bytes per reason ({@linkcode EVICTION_REASON_INDEX}). */
  readonly evictedBytes: Float64Array = new Float64Array(EVICTION_REASONS.length);
  /** Pressure events: index `level * PRESSURE_TRIGGERS.length + trigger`. */
  readonly pressureEvents: Float64Array = new Float64Array(
    PRESSURE_LEVELS.length * PRESSURE_TRIGGERS.length,
  );
  /** Misuse per kind ({@linkcode MISUSE_INDEX}). */
  readonly misuse: Float64Array = new Float64Array(MISUSE_TYPES.length);
  /** Stack overflows (requests the arena could not hold). */
  stackOverflows = 0;
  /**
   * Changes `autoTune` made: index `setting * AUTO_TUNE_DIRECTIONS.length + direction`
   * ({@linkcode AUTO_TUNE_SETTING_INDEX}, {@linkcode AUTO_TUNE_DIRECTION_INDEX}).
   */
  readonly autoTuneAdjustments: Float64Array = new Float64Array(
    AUTO_TUNE_SETTINGS.length * AUTO_TUNE_DIRECTIONS.length,
  );
}
