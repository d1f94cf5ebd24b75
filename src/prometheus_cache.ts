/**
 * A single-flight cache for one asynchronous value: callers that arrive while it is
 * being computed share that computation, and a result answers further callers for
 * `ttlMs` milliseconds after it was computed. A failure is shared by the callers
 * that waited for it and is not kept. `convpool/prometheus` renders its scrapes
 * through one, so that a burst of scrapes costs one rendering.
 *
 * @example
 * ```ts
 * import { createSingleFlightCache } from "./prometheus_cache.ts";
 * let renders = 0;
 * const cache = createSingleFlightCache(() => Promise.resolve(++renders), 250);
 * const [a, b] = await Promise.all([cache.get(), cache.get()]);
 * console.log(a, b, renders); // 1 1 1
 * ```
 *
 * @module
 */

import { clockOf } from "./runtime/clock.ts";

/** What {@linkcode createSingleFlightCache} returns. */
export interface SingleFlightCache<T> {
  /** The fresh cached value, the computation under way, or a new computation. */
  get(): Promise<T>;
  /** Forgets the cached value (a computation under way still finishes and is shared). */
  clear(): void;
}

/**
 * Wraps `compute` in a single-flight cache that keeps each result for `ttlMs`
 * milliseconds (0: share only computations under way). `now` is the clock in
 * milliseconds (default: the runtime's best clock, from `src/runtime/clock.ts`).
 */
export function createSingleFlightCache<T>(
  compute: () => Promise<T>,
  ttlMs: number,
  now: () => number = clockOf().now,
): SingleFlightCache<T> {
  let value: T | undefined;
  let hasValue = false;
  let expires = 0;
  let pending: Promise<T> | undefined;
  return {
    get(): Promise<T> {
      if (hasValue && now() < expires) return Promise.resolve(value as T);
      if (pending !== undefined) return pending;
      const started = (async () => {
        try {
          const result = await compute();
          value = result;
          hasValue = ttlMs > 0;
          expires = now() + ttlMs;
          return result;
        } finally {
          pending = undefined;
        }
      })();
      pending = started;
      return started;
    },
    clear(): void {
      hasValue = false;
      value = undefined;
    },
  };
}
