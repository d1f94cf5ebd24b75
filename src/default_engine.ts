/**
 * The process-wide default engine behind the seed-style API and behind
 * `convolve`/`correlate` calls that pass no `engine`. It is created on first use
 * from the `CONVPOOL_*` environment variables (see `src/alloc/env_config.ts`).
 *
 * @example
 * ```ts
 * import { getDefaultEngine } from "./default_engine.ts";
 * console.log(getDefaultEngine().getStats().stack.capacityBytes); // 32768 unless CONVPOOL_STACK_BYTES says otherwise
 * ```
 *
 * @module
 */

import { type AllocationEngine, createEngine } from "./alloc/engine.ts";
import { engineConfigFromProcessEnv } from "./alloc/env_config.ts";

let defaultEngine: AllocationEngine | undefined;

/**
 * Returns the default engine, creating it on the first call.
 *
 * @throws {RangeError} when a `CONVPOOL_*` environment variable holds an invalid value.
 */
export function getDefaultEngine(): AllocationEngine {
  defaultEngine ??= createEngine(engineConfigFromProcessEnv());
  return defaultEngine;
}
