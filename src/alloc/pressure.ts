/**
 * Memory-pressure detection: reads the runtime's memory usage and compares it
 * with the configured thresholds.
 *
 * The memory usage comes from the runtime adapter (`src/runtime/memory.ts`); where the
 * runtime cannot tell (pages, worklets), there is no pressure to detect.
 *
 * @example
 * ```ts
 * import { pressureLevelOf } from "./pressure.ts";
 * const level = pressureLevelOf({ rss: 3e9, heapUsed: 1e8 }, {
 *   pressureModerateRssBytes: 1e9, pressureCriticalRssBytes: 2e9,
 *   pressureModerateHeapBytes: Infinity, pressureCriticalHeapBytes: Infinity,
 * });
 * console.log(level); // { level: 2, trigger: 2 } (critical, rss)
 * ```
 *
 * @module
 */

import type { EngineConfig, MemoryUsageSample } from "./config.ts";
import { PRESSURE_LEVEL_INDEX, PRESSURE_TRIGGER_INDEX } from "./counters.ts";

/** The runtime's memory-usage reader, or `undefined` (see `src/runtime/memory.ts`). */
export { runtimeMemoryUsage } from "../runtime/memory.ts";

/** A level (index of `PRESSURE_LEVELS`) and what raised it (index of `PRESSURE_TRIGGERS`). */
export interface PressureReading {
  /** Index of `PRESSURE_LEVELS`: none, moderate or critical. */
  level: number;
  /** Index of `PRESSURE_TRIGGERS`: heap_usage or rss (manual, the first, when level is none). */
  trigger: number;
}

const HEAP = PRESSURE_TRIGGER_INDEX.heap_usage;
const RSS = PRESSURE_TRIGGER_INDEX.rss;
const NONE = PRESSURE_LEVEL_INDEX.none;
const MODERATE = PRESSURE_LEVEL_INDEX.moderate;
const CRITICAL = PRESSURE_LEVEL_INDEX.critical;

/**
 * Classifies a memory-usage sample against the thresholds: the highest level
 * reached by either figure (RSS wins a tie).
 *
 * @example
 * ```ts
 * import { pressureLevelOf } from "./pressure.ts";
 * pressureLevelOf({ rss: 1, heapUsed: 1 }, {
 *   pressureModerateRssBytes: Infinity, pressureCriticalRssBytes: Infinity,
 *   pressureModerateHeapBytes: Infinity, pressureCriticalHeapBytes: Infinity,
 * }).level; // 0
 * ```
 */
export function pressureLevelOf(
  usage: MemoryUsageSample,
  thresholds: Pick<
    EngineConfig,
    | "pressureModerateRssBytes"
    | "pressureCriticalRssBytes"
    | "pressureModerateHeapBytes"
    | "pressureCriticalHeapBytes"
  >,
): PressureReading {
  const rssLevel = usage.rss >= thresholds.pressureCriticalRssBytes
    ? CRITICAL
    : usage.rss >= thresholds.pressureModerateRssBytes
    ? MODERATE
    : NONE;
  const heapLevel = usage.heapUsed >= thresholds.pressureCriticalHeapBytes
    ? CRITICAL
    : usage.heapUsed >= thresholds.pressureModerateHeapBytes
    ? MODERATE
    : NONE;
  if (rssLevel === NONE && heapLevel === NONE) {
    return { level: NONE, trigger: PRESSURE_TRIGGER_INDEX.manual };
  }
  return rssLevel >= heapLevel
    ? { level: rssLevel, trigger: RSS }
    : { level: heapLevel, trigger: HEAP };
}
