/**
 * Repeating timers, where the runtime has them.
 *
 * Probed, not assumed: `setInterval`/`clearInterval` are absent in an
 * AudioWorkletGlobalScope. Where they exist, the timer is unref'd when the runtime
 * allows (a handle with `unref()` on Node and Bun, `Deno.unrefTimer(id)` on Deno),
 * so that it can never keep the process alive.
 *
 * @example
 * ```ts
 * import { startRepeatingTimer } from "./timers.ts";
 * const timer = startRepeatingTimer(1000, () => {});
 * console.log(timer === undefined ? "no timers here" : `unref'd: ${timer.unrefed}`);
 * timer?.stop();
 * ```
 *
 * @module
 */

/** A running repeating timer. */
export interface RepeatingTimer {
  /** Whether the timer was unref'd (cannot keep the process alive). */
  readonly unrefed: boolean;
  /** Stops the timer; idempotent. */
  stop(): void;
}

/** The timer functions of a global scope, as far as they exist there. */
export interface TimerScope {
  setInterval?: unknown;
  clearInterval?: unknown;
  Deno?: { unrefTimer?: unknown };
}

type SetInterval = (callback: () => void, ms: number) => unknown;
type ClearInterval = (handle: unknown) => void;

/**
 * Whether `scope` (default: this runtime's global scope) can run repeating timers.
 *
 * @example
 * ```ts
 * import { hasRepeatingTimers } from "./timers.ts";
 * console.log(hasRepeatingTimers()); // true on Deno, Bun, Node and in a page; false in an AudioWorklet
 * console.log(hasRepeatingTimers({})); // false
 * ```
 */
export function hasRepeatingTimers(scope: TimerScope = globalThis as TimerScope): boolean {
  return typeof scope.setInterval === "function" && typeof scope.clearInterval === "function";
}

/**
 * Calls `tick` every `intervalMs` milliseconds on an unref'd timer, or returns
 * `undefined` when `scope` (default: this runtime's global scope) has no repeating
 * timers. Errors thrown by `tick` propagate to the runtime like any timer callback's.
 *
 * @example
 * ```ts
 * import { startRepeatingTimer } from "./timers.ts";
 * startRepeatingTimer(5000, () => {})?.stop();
 * console.log(startRepeatingTimer(5000, () => {}, {})); // undefined: no timers in that scope
 * ```
 */
export function startRepeatingTimer(
  intervalMs: number,
  tick: () => void,
  scope: TimerScope = globalThis as TimerScope,
): RepeatingTimer | undefined {
  if (!hasRepeatingTimers(scope)) return undefined;
  const set = scope.setInterval as SetInterval;
  const clear = scope.clearInterval as ClearInterval;
  const handle = set.call(scope, tick, intervalMs);
  const unrefed = unrefTimer(handle, scope);
  let stopped = false;
  return {
    unrefed,
    stop(): void {
      if (stopped) return;
      stopped = true;
      clear.call(scope, handle);
    },
  };
}

/** Unrefs a timer handle of any runtime; returns whether it could. */
function unrefTimer(handle: unknown, scope: TimerScope): boolean {
  if (typeof handle === "object" && handle !== null) {
    const unref = (handle as { unref?: unknown }).unref;
    if (typeof unref !== "function") return false;
    unref.call(handle);
    return true;
  }
  const unrefById = scope.Deno?.unrefTimer;
  if (typeof handle === "number" && typeof unrefById === "function") {
    unrefById.call(scope.Deno, handle);
    return true;
  }
  return false;
}
