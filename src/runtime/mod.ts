/**
 * The runtime adapter: the one place that says what this runtime has. Every other
 * module reaches timers, the clock, memory usage, environment variables and base64
 * decoding through these modules, which probe capabilities (never runtime names)
 * and degrade when one is missing:
 *
 * | capability | module | where it is missing | what happens then |
 * |---|---|---|---|
 * | repeating timers | `timers.ts` | AudioWorkletGlobalScope | periodic maintenance does not run (see `src/maintenance_timer.ts`) |
 * | a clock | `clock.ts` | `performance` in an AudioWorkletGlobalScope | `Date.now`, whole milliseconds; with no clock at all, operations are counted but not timed |
 * | memory usage | `memory.ts` | pages and worklets | memory-pressure checks report no pressure |
 * | environment variables | `env.ts` | pages and worklets | the default engine keeps its defaults |
 * | base64 decoding | `base64.ts` | `atob` in an AudioWorkletGlobalScope | a small pure decoder |
 *
 * HTTP serving (`http/`: `Deno.serve`, `Bun.serve` or node:http) is used by the
 * Prometheus endpoint only. Worker threads (`workers/`: Web Workers on Bun,
 * node:worker_threads on Node and Deno, and the worker's side of the link) are
 * used by the parallel batch pool only, which browser bundles replace with
 * `src/parallel/worker_pool_browser.ts`. {@linkcode runtimeName} names the
 * runtime for labels; nothing branches on it.
 *
 * @example
 * ```ts
 * import { runtimeCapabilities } from "./mod.ts";
 * console.log(runtimeCapabilities());
 * // On Node: { repeatingTimers: true, clock: "sub-millisecond", memoryUsage: true,
 * //   environment: true, base64: "atob" }
 * ```
 *
 * @module
 */

import { type Base64Scope, decodeBase64, decodeBase64Pure } from "./base64.ts";
import { type Clock, clockOf, type ClockScope } from "./clock.ts";
import { type EnvScope, readEnvironment } from "./env.ts";
import { type MemoryScope, type MemoryUsageReading, runtimeMemoryUsage } from "./memory.ts";
import {
  hasRepeatingTimers,
  type RepeatingTimer,
  startRepeatingTimer,
  type TimerScope,
} from "./timers.ts";

export {
  type Clock,
  clockOf,
  decodeBase64,
  decodeBase64Pure,
  hasRepeatingTimers,
  type MemoryUsageReading,
  readEnvironment,
  type RepeatingTimer,
  runtimeMemoryUsage,
  startRepeatingTimer,
};

/** The runtime running this code, as far as structural detection can tell. */
export type RuntimeName = "deno" | "bun" | "node" | "other";

interface RuntimeNameScope {
  Deno?: { version?: { deno?: unknown } };
  Bun?: { version?: unknown };
  process?: { versions?: { node?: unknown } };
}

/**
 * Names the runtime of `scope` (default: this runtime's global scope), for labels
 * such as the `convpool.runtime` metric attribute; code that needs a capability
 * probes the capability instead. Deno and Bun are checked first, since both also
 * define `process`.
 *
 * @example
 * ```ts
 * import { runtimeName } from "./mod.ts";
 * console.log(runtimeName()); // e.g. "node"
 * console.log(runtimeName({ Bun: { version: "1.2.0" } })); // "bun"
 * console.log(runtimeName({})); // "other"
 * ```
 */
export function runtimeName(scope: object = globalThis): RuntimeName {
  const probe = scope as RuntimeNameScope;
  if (typeof probe.Deno?.version?.deno === "string") return "deno";
  if (typeof probe.Bun?.version === "string") return "bun";
  if (typeof probe.process?.versions?.node === "string") return "node";
  return "other";
}

/** What a runtime has, as the library's modules see it. */
export interface RuntimeCapabilities {
  /** `setInterval` and `clearInterval` exist: periodic maintenance can run. */
  repeatingTimers: boolean;
  /** The resolution of the clock that times operations. */
  clock: Clock["resolution"];
  /** The process's memory usage can be read (memory-pressure checks work). */
  memoryUsage: boolean;
  /** Environment variables can be read (`Deno.env` or `process.env`). */
  environment: boolean;
  /** How base64 (the embedded WebAssembly module) is decoded. */
  base64: "atob" | "pure";
}

/**
 * Probes `scope` (default: this runtime's global scope) for every capability the
 * library uses.
 *
 * @example
 * ```ts
 * import { runtimeCapabilities } from "./mod.ts";
 * // An AudioWorkletGlobalScope has Date but no timers, performance, atob or process:
 * console.log(runtimeCapabilities({ Date }));
 * // { repeatingTimers: false, clock: "millisecond", memoryUsage: false,
 * //   environment: false, base64: "pure" }
 * ```
 */
export function runtimeCapabilities(scope: object = globalThis): RuntimeCapabilities {
  const probe = scope as TimerScope & ClockScope & MemoryScope & EnvScope & Base64Scope;
  return {
    repeatingTimers: hasRepeatingTimers(probe),
    clock: clockOf(probe).resolution,
    memoryUsage: runtimeMemoryUsage(probe) !== undefined,
    environment: typeof probe.Deno?.env?.get === "function" ||
      (typeof probe.process?.env === "object" && probe.process.env !== null),
    base64: typeof probe.atob === "function" ? "atob" : "pure",
  };
}
