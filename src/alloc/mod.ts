/**
 * The allocation engine of convpool: a stack arena for
 * scratch and scoped results, a bounded size-class pool for results, and a
 * counted heap fallback, with exact stats, misuse and leak detection, memory
 * pressure handling and an unref'd maintenance timer.
 *
 * @example
 * ```ts
 * import { createEngine } from "./mod.ts";
 * using engine = createEngine({ poolMaxBytes: 16 << 20 });
 * const out = engine.acquireFloat32(4096);
 * engine.release(out);
 * const ws = engine.beginOperation();
 * try {
 *   ws.takeFloat64(300);
 * } finally {
 *   engine.endOperation();
 * }
 * console.log(engine.getStats().pool.hitRate);
 * ```
 *
 * @module
 */

export {
  AllocationEngine,
  createEngine,
  DISPOSE,
  EngineScope,
  type MemoryPressureOptions,
  type PreWarmOptions,
} from "./engine.ts";
export { DEFAULT_ENGINE_CONFIG, type EngineConfig, type MemoryUsageSample } from "./config.ts";
export { type AutoTuneOptions, DEFAULT_AUTO_TUNE } from "./auto_tune.ts";
export type { Dtype } from "./validate.ts";
export type {
  EngineStats,
  HeapStats,
  MisuseStats,
  PoolStats,
  PressureStats,
  StackStats,
} from "./stats.ts";
export {
  AllocationCounters,
  PRESSURE_LEVELS,
  type PressureLevel,
  sizeClassOf,
} from "./counters.ts";
export type { Workspace } from "../kernels/workspace.ts";
