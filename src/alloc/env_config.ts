/**
 * Engine settings from environment variables, so that an operator can apply the
 * tuning hints to the default engine without code changes.
 *
 * | Variable | Engine key | Value |
 * |---|---|---|
 * | `CONVPOOL_STACK_BYTES` | `stackBytes` | bytes of the stack arena (default 32768; 0 disables it): an integer multiple of 8, optionally with `KiB`, `MiB` or `GiB` (e.g. `64KiB`). Follow `convpool_stack_recommended_limit_bytes`. |
 * | `CONVPOOL_POOL_MAX_BYTES` | `poolMaxBytes` | bound on pooled bytes (default 64 MiB), an integer with an optional `KiB`/`MiB`/`GiB`. Raise it when `convpool_pool_memory_usage_bytes` sits at the limit and releases are `dropped_full`. |
 * | `CONVPOOL_STACK_THRESHOLD` | `stackThreshold` | largest request, in elements, tried on the stack first (default 256): an integer >= 0. |
 * | `CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS` | `poolMaxBuffersPerClass` | bound on buffers kept per size class (default 32): an integer >= 0. Follow the largest `convpool_pool_recommended_buffers`. |
 * | `CONVPOOL_MAINTENANCE_INTERVAL_MS` | `maintenanceIntervalMs` | period of the trim/pre-warm pass in milliseconds (default 5000; 0 disables the timer): an integer >= 0. |
 * | `CONVPOOL_TELEMETRY` | `telemetry` | `true`/`false` (also `1`/`0`, `on`/`off`, `yes`/`no`): timing of operations for the latency histogram (default true; counters stay exact either way). |
 * | `CONVPOOL_AUTOTUNE` | `autoTune` | `true`/`false` (also `1`/`0`, `on`/`off`, `yes`/`no`): let the engine move `stackBytes` and `poolMaxBuffersPerClass` toward its tuning hints at each maintenance pass (default false). |
 * | `CONVPOOL_AUTOTUNE_MAX_STACK_BYTES` | `autoTune.maxStackBytes` | the largest stack autoTune may set (default 1 MiB), bytes like `CONVPOOL_STACK_BYTES`; needs `CONVPOOL_AUTOTUNE` on. |
 * | `CONVPOOL_DEBUG` | `debug` | `true`/`false` (as above): poison released buffers with NaN so a use after release shows (default false). |
 *
 * Unset or empty variables leave the engine's default. Invalid values throw a
 * `RangeError` that names the variable and quotes the value received.
 *
 * @example
 * ```ts
 * import { engineConfigFromEnv } from "./env_config.ts";
 * const config = engineConfigFromEnv({ CONVPOOL_STACK_BYTES: "64KiB", CONVPOOL_TELEMETRY: "off" });
 * console.log(config); // { stackBytes: 65536, telemetry: false }
 * ```
 *
 * @module
 */

import { readEnvironment } from "../runtime/env.ts";
import { rangeError, typeError } from "../validate.ts";

/** The engine settings that environment variables can set. */
export interface EnvEngineConfig {
  /** From `CONVPOOL_STACK_BYTES`. */
  stackBytes?: number;
  /** From `CONVPOOL_POOL_MAX_BYTES`. */
  poolMaxBytes?: number;
  /** From `CONVPOOL_STACK_THRESHOLD`. */
  stackThreshold?: number;
  /** From `CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS`. */
  poolMaxBuffersPerClass?: number;
  /** From `CONVPOOL_MAINTENANCE_INTERVAL_MS`. */
  maintenanceIntervalMs?: number;
  /** From `CONVPOOL_TELEMETRY`. */
  telemetry?: boolean;
  /** From `CONVPOOL_AUTOTUNE` and `CONVPOOL_AUTOTUNE_MAX_STACK_BYTES`. */
  autoTune?: boolean | { maxStackBytes: number };
  /** From `CONVPOOL_DEBUG`. */
  debug?: boolean;
}

/** The variables {@linkcode engineConfigFromEnv} reads, with the engine key each sets. */
export const ENGINE_ENV_VARS: Readonly<Record<string, keyof EnvEngineConfig>> = Object.freeze({
  CONVPOOL_STACK_BYTES: "stackBytes",
  CONVPOOL_POOL_MAX_BYTES: "poolMaxBytes",
  CONVPOOL_STACK_THRESHOLD: "stackThreshold",
  CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS: "poolMaxBuffersPerClass",
  CONVPOOL_MAINTENANCE_INTERVAL_MS: "maintenanceIntervalMs",
  CONVPOOL_TELEMETRY: "telemetry",
  CONVPOOL_AUTOTUNE: "autoTune",
  CONVPOOL_AUTOTUNE_MAX_STACK_BYTES: "autoTune",
  CONVPOOL_DEBUG: "debug",
});

/** An environment: a plain record (`process.env`) or anything with `get` (`Deno.env`). */
export type EnvLike =
  | Readonly<Record<string, string | undefined>>
  | { get(name: string): string | undefined };

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const CALLER = "engineConfigFromEnv";

function parseBytes(name: string, raw: string, multipleOf = 1): number {
  const match = /^\s*(\d+)\s*(|kib|mib|gib)\s*$/i.exec(raw);
  const value = match === null ? NaN : Number(match[1]) * UNITS[match[2].toLowerCase()];
  if (!Number.isSafeInteger(value)) {
    throw rangeError(
      CALLER,
      name,
      'an integer number of bytes, optionally with KiB, MiB or GiB (e.g. "65536" or "64KiB")',
      raw,
    );
  }
  if (value % multipleOf !== 0) {
    throw rangeError(CALLER, name, `a multiple of ${multipleOf} bytes`, raw);
  }
  return value;
}

function parseInteger(name: string, raw: string, min: number): number {
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw rangeError(CALLER, name, `an integer >= ${min}`, raw);
  }
  return value;
}

function parseBoolean(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (value === "true" || value === "1" || value === "on" || value === "yes") return true;
  if (value === "false" || value === "0" || value === "off" || value === "no") return false;
  throw rangeError(CALLER, name, "true/false, 1/0, on/off or yes/no", raw);
}

function lookup(env: EnvLike, name: string): string | undefined {
  const get = (env as { get?: unknown }).get;
  const value = typeof get === "function"
    ? (get as (n: string) => string | undefined).call(env, name)
    : (env as Readonly<Record<string, string | undefined>>)[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * Parses the `CONVPOOL_*` variables of `env` into engine settings; only the
 * variables that are set appear in the result.
 *
 * @throws {TypeError} when `env` is not an object.
 * @throws {RangeError} when a variable holds an invalid value (the message quotes it).
 */
export function engineConfigFromEnv(env: EnvLike): EnvEngineConfig {
  if (typeof env !== "object" || env === null) {
    throw typeError(CALLER, "env", "an object such as process.env", env);
  }
  const config: EnvEngineConfig = {};
  let raw = lookup(env, "CONVPOOL_STACK_BYTES");
  if (raw !== undefined) config.stackBytes = parseBytes("CONVPOOL_STACK_BYTES", raw, 8);
  raw = lookup(env, "CONVPOOL_POOL_MAX_BYTES");
  if (raw !== undefined) config.poolMaxBytes = parseBytes("CONVPOOL_POOL_MAX_BYTES", raw);
  raw = lookup(env, "CONVPOOL_STACK_THRESHOLD");
  if (raw !== undefined) config.stackThreshold = parseInteger("CONVPOOL_STACK_THRESHOLD", raw, 0);
  raw = lookup(env, "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS");
  if (raw !== undefined) {
    config.poolMaxBuffersPerClass = parseInteger("CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS", raw, 0);
  }
  raw = lookup(env, "CONVPOOL_MAINTENANCE_INTERVAL_MS");
  if (raw !== undefined) {
    config.maintenanceIntervalMs = parseInteger("CONVPOOL_MAINTENANCE_INTERVAL_MS", raw, 0);
  }
  raw = lookup(env, "CONVPOOL_TELEMETRY");
  if (raw !== undefined) config.telemetry = parseBoolean("CONVPOOL_TELEMETRY", raw);
  raw = lookup(env, "CONVPOOL_AUTOTUNE");
  if (raw !== undefined) config.autoTune = parseBoolean("CONVPOOL_AUTOTUNE", raw);
  raw = lookup(env, "CONVPOOL_AUTOTUNE_MAX_STACK_BYTES");
  if (raw !== undefined) {
    const maxStackBytes = parseBytes("CONVPOOL_AUTOTUNE_MAX_STACK_BYTES", raw, 8);
    if (config.autoTune !== true) {
      const autoTune = lookup(env, "CONVPOOL_AUTOTUNE");
      throw rangeError(
        CALLER,
        "CONVPOOL_AUTOTUNE_MAX_STACK_BYTES",
        `unset unless CONVPOOL_AUTOTUNE is on (it is ${
          autoTune === undefined ? "unset" : JSON.stringify(autoTune)
        })`,
        raw,
      );
    }
    config.autoTune = { maxStackBytes };
  }
  raw = lookup(env, "CONVPOOL_DEBUG");
  if (raw !== undefined) config.debug = parseBoolean("CONVPOOL_DEBUG", raw);
  return config;
}

/**
 * Reads the `CONVPOOL_*` variables from the running process through the runtime
 * adapter (`src/runtime/env.ts`): `Deno.env` on Deno, only for variables the program
 * is already allowed to read (it never prompts or throws for a missing
 * `--allow-env`); `process.env` on Node and Bun; none in pages and worklets. Returns
 * a plain record for {@linkcode engineConfigFromEnv}.
 */
export function readEngineEnv(): Record<string, string | undefined> {
  return readEnvironment(Object.keys(ENGINE_ENV_VARS));
}

/** {@linkcode engineConfigFromEnv} of {@linkcode readEngineEnv}: the default engine's settings. */
export function engineConfigFromProcessEnv(): EnvEngineConfig {
  return engineConfigFromEnv(readEngineEnv());
}
