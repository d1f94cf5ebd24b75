/**
 * Worker deaths injected by tests: the shape of one, and where the test hook leaves
 * it for a pool's next batch. Only `src/internal/testing.ts` (which the package does
 * not export) writes here; `WorkerPool.run` takes the crash out, so it applies to one
 * batch. Kept apart from `worker_pool.ts` so that the browser build's stand-in has
 * nothing to mirror.
 *
 * @example
 * ```ts
 * import { type CrashInjection, WORKER_POOL_TEST_SETTINGS } from "./crash_injection.ts";
 * const pool = {};
 * const crash: CrashInjection = { after: 0, how: "exit" };
 * WORKER_POOL_TEST_SETTINGS.nextCrash.set(pool, crash);
 * console.log(WORKER_POOL_TEST_SETTINGS.nextCrash.get(pool)?.how); // "exit"
 * ```
 *
 * @module
 */

/** The ways a worker can be made to die by {@linkcode CrashInjection}. */
export type CrashKind = "throw" | "exit" | "close" | "terminate";

/**
 * A worker death to inject into one batch.
 *
 * @example
 * ```ts
 * import type { CrashInjection } from "./crash_injection.ts";
 * const crash: CrashInjection = { after: 1, how: "terminate" };
 * console.log(crash.after); // 1
 * ```
 */
export interface CrashInjection {
  /** Tasks the worker completes before dying. */
  after: number;
  /**
   * `"throw"`: an uncaught error; `"exit"`: `process.exit(3)` inside the worker;
   * `"close"`: the worker ends itself quietly (closes its port, exit code 0);
   * `"terminate"`: the worker stops and is terminated from the main thread by a
   * `terminate()` the pool did not ask for (as code outside the pool would).
   */
  how: CrashKind;
}

/**
 * The crash waiting for each pool's next batch, keyed by the pool.
 *
 * @example
 * ```ts
 * import { WORKER_POOL_TEST_SETTINGS } from "./crash_injection.ts";
 * console.log(WORKER_POOL_TEST_SETTINGS.nextCrash.has({})); // false
 * ```
 */
export const WORKER_POOL_TEST_SETTINGS = {
  nextCrash: new WeakMap<object, CrashInjection>(),
};
