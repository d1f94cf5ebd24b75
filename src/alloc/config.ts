/**
 * Configuration of the allocation engine: the keys, their defaults and their
 * validation. {@linkcode resolveConfig} merges a partial configuration onto a
 * base one after checking every key, so a bad value never half-applies.
 *
 * @example
 * ```ts
 * import { DEFAULT_ENGINE_CONFIG, resolveConfig } from "./config.ts";
 * const config = resolveConfig({ stackBytes: 65536 }, DEFAULT_ENGINE_CONFIG);
 * console.log(config.stackBytes, config.stackThreshold); // 65536 256
 * ```
 *
 * @module
 */

import { type AutoTuneOptions, checkAutoTune } from "./auto_tune.ts";
import { rangeError, typeError } from "../validate.ts";

/** Memory figures the pressure check reads (bytes). */
export interface MemoryUsageSample {
  /** Resident set size of the process. */
  rss: number;
  /** JS heap in use. */
  heapUsed: number;
}

/** Every setting of an engine (all keys present). */
export interface EngineConfig {
  /** Size of the stack arena in bytes, a multiple of 8 (default 32768; 0 disables the arena). */
  stackBytes: number;
  /** Largest request, in elements, that goes to the arena first (default 256). */
  stackThreshold: number;
  /** Bound on the bytes the pool holds, idle plus in use (default 64 MiB). */
  poolMaxBytes: number;
  /** Bound on the buffers one size class holds, idle plus in use (default 32). */
  poolMaxBuffersPerClass: number;
  /** Period of the maintenance pass in ms (default 5000; 0 disables the timer). */
  maintenanceIntervalMs: number;
  /** Maintenance passes without any request before a class's idle buffers are trimmed (default 3). */
  trimAfterIdlePasses: number;
  /** RSS at which pressure is "moderate" (default Infinity: off). */
  pressureModerateRssBytes: number;
  /** RSS at which pressure is "critical" (default Infinity: off). */
  pressureCriticalRssBytes: number;
  /** JS heap use at which pressure is "moderate" (default Infinity: off). */
  pressureModerateHeapBytes: number;
  /** JS heap use at which pressure is "critical" (default Infinity: off). */
  pressureCriticalHeapBytes: number;
  /**
   * Reads memory usage for the automatic pressure check; `undefined` uses the
   * runtime's `process.memoryUsage()` (Deno, Bun and Node all have it).
   */
  readMemoryUsage: (() => MemoryUsageSample) | undefined;
  /** Fill released buffers (and popped stack memory) with NaN so use-after-release shows (default false). */
  debug: boolean;
  /**
   * Enables the costlier telemetry work (operation timing) of code built on the
   * engine (default true). The engine's counters and stats stay exact either way.
   */
  telemetry: boolean;
  /**
   * Let the engine apply its own tuning hints at each maintenance pass: `true` for
   * the default bounds, or {@linkcode AutoTuneOptions} (`maxStackBytes`,
   * `maxBuffersPerClass`, `growAfterPasses`, `shrinkAfterPasses`). It moves
   * `stackBytes` and `poolMaxBuffersPerClass`, never `poolMaxBytes` (default false).
   */
  autoTune: boolean | AutoTuneOptions;
}

/** The defaults of every key. */
export const DEFAULT_ENGINE_CONFIG: Readonly<EngineConfig> = Object.freeze({
  stackBytes: 32768,
  stackThreshold: 256,
  poolMaxBytes: 64 * 1024 * 1024,
  poolMaxBuffersPerClass: 32,
  maintenanceIntervalMs: 5000,
  trimAfterIdlePasses: 3,
  pressureModerateRssBytes: Infinity,
  pressureCriticalRssBytes: Infinity,
  pressureModerateHeapBytes: Infinity,
  pressureCriticalHeapBytes: Infinity,
  readMemoryUsage: undefined,
  debug: false,
  telemetry: true,
  autoTune: false,
});

/** Largest stack arena accepted (256 MiB): view-cache keys stay small integers. */
export const MAX_STACK_BYTES = 2 ** 28;

type Check = (value: unknown, key: string, caller: string) => void;

function integerIn(min: number, max: number): Check {
  return (value, key, caller) => {
    if (typeof value !== "number") throw typeError(caller, `config.${key}`, "a number", value);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw rangeError(caller, `config.${key}`, `an integer in [${min}, ${max}]`, value);
    }
  };
}

function threshold(value: unknown, key: string, caller: string): void {
  if (typeof value !== "number") {
    throw typeError(caller, `config.${key}`, "a number of bytes", value);
  }
  if (Number.isNaN(value) || value <= 0) {
    throw rangeError(caller, `config.${key}`, "positive (Infinity turns it off)", value);
  }
}

function boolean(value: unknown, key: string, caller: string): void {
  if (typeof value !== "boolean") throw typeError(caller, `config.${key}`, "a boolean", value);
}

const CHECKS: Record<keyof EngineConfig, Check> = {
  stackBytes: (value, key, caller) => {
    integerIn(0, MAX_STACK_BYTES)(value, key, caller);
    if ((value as number) % 8 !== 0) {
      throw rangeError(caller, `config.${key}`, "a multiple of 8", value);
    }
  },
  stackThreshold: integerIn(0, 2 ** 24),
  poolMaxBytes: integerIn(0, Number.MAX_SAFE_INTEGER),
  poolMaxBuffersPerClass: integerIn(0, 2 ** 20),
  maintenanceIntervalMs: integerIn(0, 2 ** 31 - 1),
  trimAfterIdlePasses: integerIn(1, 2 ** 20),
  pressureModerateRssBytes: threshold,
  pressureCriticalRssBytes: threshold,
  pressureModerateHeapBytes: threshold,
  pressureCriticalHeapBytes: threshold,
  readMemoryUsage: (value, key, caller) => {
    if (value !== undefined && typeof value !== "function") {
      throw typeError(caller, `config.${key}`, "a function or undefined", value);
    }
  },
  debug: boolean,
  telemetry: boolean,
  autoTune: (value, key, caller) => checkAutoTune(value, key, MAX_STACK_BYTES, caller),
};

/**
 * Checks `partial` (unknown keys, types, ranges) and returns `base` with it
 * applied. Throws without touching anything when any key is bad; `caller` names
 * the public function in the message.
 *
 * @example
 * ```ts
 * import { DEFAULT_ENGINE_CONFIG, resolveConfig } from "./config.ts";
 * resolveConfig({ debug: true }, DEFAULT_ENGINE_CONFIG).debug; // true
 * ```
 */
export function resolveConfig(
  partial: unknown,
  base: Readonly<EngineConfig>,
  caller = "createEngine",
): EngineConfig {
  const result: EngineConfig = { ...base };
  if (partial === undefined) return result;
  if (partial === null || typeof partial !== "object" || Array.isArray(partial)) {
    throw typeError(caller, "config", "an object", partial);
  }
  for (const key of Object.keys(partial)) {
    const check = (CHECKS as Record<string, Check | undefined>)[key];
    if (check === undefined || !Object.hasOwn(CHECKS, key)) {
      throw typeError(caller, "a config key", `one of ${Object.keys(CHECKS).join(", ")}`, key);
    }
    const value = (partial as Record<string, unknown>)[key];
    check(value, key, caller);
    (result as unknown as Record<string, unknown>)[key] = value;
  }
  // A private copy: later changes to the caller's object must not reach the engine.
  if (typeof result.autoTune === "object") result.autoTune = Object.freeze({ ...result.autoTune });
  if (result.pressureCriticalRssBytes < result.pressureModerateRssBytes) {
    throw rangeError(
      caller,
      "config.pressureCriticalRssBytes",
      `>= pressureModerateRssBytes (${result.pressureModerateRssBytes})`,
      result.pressureCriticalRssBytes,
    );
  }
  if (result.pressureCriticalHeapBytes < result.pressureModerateHeapBytes) {
    throw rangeError(
      caller,
      "config.pressureCriticalHeapBytes",
      `>= pressureModerateHeapBytes (${result.pressureModerateHeapBytes})`,
      result.pressureCriticalHeapBytes,
    );
  }
  return result;
}
