/**
 * The clock that times operations, degraded to what the runtime has.
 *
 * | the scope has | {@linkcode Clock.resolution} | what timings are |
 * |---|---|---|
 * | `performance.now` (Deno, Bun, Node, pages, workers) | `"sub-millisecond"` | exact enough for the latency histogram |
 * | only `Date.now` (an AudioWorkletGlobalScope) | `"millisecond"` | whole milliseconds: a sampled sub-millisecond operation reads 0 or 1 ms, so the histogram's sum and count stay unbiased on average but its sub-millisecond buckets say nothing |
 * | neither | `"none"` | `now()` returns NaN, which callers treat as "not timed": counts stay exact, the latency histogram stays empty |
 *
 * @example
 * ```ts
 * import { clockOf } from "./clock.ts";
 * const clock = clockOf();
 * const start = clock.now();
 * const ms = clock.now() - start; // NaN when clock.resolution is "none"
 * console.log(clock.resolution, ms >= 0);
 * ```
 *
 * @module
 */

/** A millisecond clock and how fine it is. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; NaN when the runtime has no clock. */
  readonly now: () => number;
  /** How fine `now()` is: see the module notes. */
  readonly resolution: "sub-millisecond" | "millisecond" | "none";
}

/** The clock sources of a global scope, as far as they exist there. */
export interface ClockScope {
  performance?: { now?: unknown };
  Date?: { now?: unknown };
}

const NO_CLOCK: Clock = Object.freeze({ now: () => NaN, resolution: "none" });

/**
 * The best clock of `scope` (default: this runtime's global scope): `performance.now`,
 * else `Date.now`, else a clock that returns NaN.
 *
 * @example
 * ```ts
 * import { clockOf } from "./clock.ts";
 * console.log(clockOf().resolution); // "sub-millisecond" on Deno, Bun and Node
 * console.log(clockOf({ Date }).resolution); // "millisecond", as in an AudioWorklet
 * console.log(clockOf({}).now()); // NaN
 * ```
 */
export function clockOf(scope: ClockScope = globalThis as ClockScope): Clock {
  const performance = scope.performance;
  if (typeof performance?.now === "function") {
    const read = performance.now as () => number;
    return Object.freeze({ now: () => read.call(performance), resolution: "sub-millisecond" });
  }
  const date = scope.Date;
  if (typeof date?.now === "function") {
    const read = date.now as () => number;
    return Object.freeze({ now: () => read.call(date), resolution: "millisecond" });
  }
  return NO_CLOCK;
}
