/**
 * The maintenance timer: runs a pass periodically without ever keeping the
 * process alive. The allocation engine trims its pool with it; the WebAssembly
 * kernels give idle linear memory back with it.
 *
 * The timer is unref'd where the runtime allows, and absent where the runtime has
 * no timers (see `src/runtime/timers.ts`).
 *
 * @example
 * ```ts
 * import { startMaintenanceTimer } from "./maintenance_timer.ts";
 * const timer = startMaintenanceTimer(1000, () => console.log("pass"));
 * timer.stop();
 * ```
 *
 * @module
 */

import { startRepeatingTimer } from "./runtime/timers.ts";

/** A running maintenance timer. */
export interface MaintenanceTimer {
  /** Whether the timer was unref'd (cannot keep the process alive). */
  readonly unrefed: boolean;
  /** Whether passes are scheduled at all (false where the runtime has no timers). */
  readonly scheduled: boolean;
  /** Stops the timer; idempotent. */
  stop(): void;
}

const UNSCHEDULED: MaintenanceTimer = Object.freeze({
  unrefed: false,
  scheduled: false,
  stop(): void {},
});

/**
 * Calls `pass` every `intervalMs` milliseconds on an unref'd timer. Errors thrown
 * by `pass` are swallowed (maintenance must never crash the host).
 *
 * Where the runtime has no repeating timers (an AudioWorkletGlobalScope), nothing is
 * scheduled and the returned timer says so (`scheduled: false`): maintenance then
 * does not run at all, rather than inline on a real-time thread. Call the pass
 * yourself (e.g. `engine.maintain()`) from a place that can afford it, if needed.
 *
 * @example
 * ```ts
 * import { startMaintenanceTimer } from "./maintenance_timer.ts";
 * startMaintenanceTimer(5000, () => {}).stop();
 * ```
 */
export function startMaintenanceTimer(intervalMs: number, pass: () => void): MaintenanceTimer {
  const timer = startRepeatingTimer(intervalMs, () => {
    try {
      pass();
    } catch {
      // A failing pass must not take the host down; the next pass retries.
    }
  });
  if (timer === undefined) return UNSCHEDULED;
  return { unrefed: timer.unrefed, scheduled: true, stop: () => timer.stop() };
}
