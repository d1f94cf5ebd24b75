/**
 * The maintenance timer: runs a pass periodically without ever keeping the
 * process alive. The allocation engine trims its pool with it; the WebAssembly
 * kernels give idle linear memory back with it.
 *
 * The timer is unref'd where the runtime allows: `timer.unref()` on Node and Bun,
 * `Deno.unrefTimer(id)` on Deno (both reached through local structural types).
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

/** A running maintenance timer. */
export interface MaintenanceTimer {
  /** Whether the timer was unref'd (cannot keep the process alive). */
  readonly unrefed: boolean;
  /** Stops the timer; idempotent. */
  stop(): void;
}

interface DenoLike {
  unrefTimer?: (id: number) => void;
}

interface UnrefableTimer {
  unref?: () => unknown;
}

/**
 * Calls `pass` every `intervalMs` milliseconds on an unref'd timer. Errors thrown
 * by `pass` are swallowed (maintenance must never crash the host).
 *
 * @example
 * ```ts
 * import { startMaintenanceTimer } from "./maintenance_timer.ts";
 * startMaintenanceTimer(5000, () => {}).stop();
 * ```
 */
export function startMaintenanceTimer(intervalMs: number, pass: () => void): MaintenanceTimer {
  const handle: unknown = setInterval(() => {
    try {
      pass();
    } catch {
      // A failing pass must not take the host down; the next pass retries.
    }
  }, intervalMs);
  const unrefed = unrefTimer(handle);
  let stopped = false;
  return {
    unrefed,
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(handle as number);
    },
  };
}

/** Unrefs a timer handle of any runtime; returns whether it could. */
function unrefTimer(handle: unknown): boolean {
  if (typeof handle === "object" && handle !== null) {
    const unref = (handle as UnrefableTimer).unref;
    if (typeof unref === "function") {
      unref.call(handle);
      return true;
    }
    return false;
  }
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (typeof handle === "number" && typeof deno?.unrefTimer === "function") {
    deno.unrefTimer(handle);
    return true;
  }
  return false;
}
