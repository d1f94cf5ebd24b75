/**
 * The shape of `getStats()` (a public contract, listed in the README).
 *
 * @module
 */

/** Stack-arena figures. `efficiency` is `peakBytes / capacityBytes`. */
export interface StackStats {
  /** Size of the arena in bytes. */
  capacityBytes: number;
  /** Bytes in use right now. */
  usedBytes: number;
  /** Highest `usedBytes` since creation (or the last `resetPeaks`). */
  peakBytes: number;
  /** `peakBytes / capacityBytes`, in [0, 1]. */
  efficiency: number;
  /**
   * Highest `usedBytes` since the last maintenance pass (or `resetPeaks`): unlike
   * `peakBytes`, it falls back after a spike once a pass has run.
   */
  windowPeakBytes: number;
  /** `windowPeakBytes / capacityBytes`, in [0, 1]: the stack efficiency that recovers. */
  windowEfficiency: number;
  /** Allocations served from the arena. */
  allocations: number;
  /** Requests that were eligible for the arena but did not fit. */
  overflows: number;
}

/** Size-class pool figures. `hitRate` is `hits / (hits + misses)` (0 before any request). */
export interface PoolStats {
  /** Bytes held by the pool: idle plus in-use pooled buffers. */
  bytes: number;
  /** Configured bound on `bytes`. */
  limitBytes: number;
  /** Buffers held by the pool (idle plus in use). */
  buffers: number;
  /** Number of size classes that currently hold at least one buffer. */
  sizeClasses: number;
  /** Requests served by an idle pooled buffer. */
  hits: number;
  /** Requests that found no idle buffer. */
  misses: number;
  /** `hits / (hits + misses)`. */
  hitRate: number;
  /** Buffers given back (every outcome except rejected misuse). */
  releases: number;
  /** Released buffers dropped instead of pooled (pool full or under pressure). */
  drops: number;
  /** Idle buffers evicted by trimming or memory pressure. */
  evictions: number;
}

/** Heap-fallback figures. */
export interface HeapStats {
  /** Allocations that fell back to a plain `new Float*Array`. */
  allocations: number;
  /** Bytes of those allocations. */
  bytes: number;
}

/** Memory-pressure figures. */
export interface PressureStats {
  /** Pressure events handled (manual or automatic). */
  events: number;
  /** Current level: "none", "moderate" or "critical". */
  level: "none" | "moderate" | "critical";
}

/** Misuse figures. */
export interface MisuseStats {
  /** Releases of a buffer that was already released. */
  doubleRelease: number;
  /** Releases of a buffer this engine never handed out. */
  foreignRelease: number;
  /** Pool buffers garbage-collected without release. */
  leaked: number;
}

/** Everything `getStats()` returns. */
export interface EngineStats {
  /** Stack arena. */
  stack: StackStats;
  /** Size-class pool. */
  pool: PoolStats;
  /** Heap fallback. */
  heap: HeapStats;
  /** Memory pressure. */
  pressure: PressureStats;
  /** Misuse and leaks. */
  misuse: MisuseStats;
}
