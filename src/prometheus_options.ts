/**
 * Checks the options of `createMetricsHandler` and `serveMetrics` (unknown keys,
 * types, ranges), and reads the OpenTelemetry resource from the environment
 * (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`) for `target_info`.
 *
 * @example
 * ```ts
 * import { checkOptions, HANDLER_OPTION_KEYS, SERVE_OPTION_KEYS } from "./prometheus_options.ts";
 * checkOptions("createMetricsHandler", { path: "/metrics" }, HANDLER_OPTION_KEYS); // ok
 * try {
 *   checkOptions("serveMetrics", { host: "0.0.0.0" }, SERVE_OPTION_KEYS);
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // serveMetrics: an option must be one of ... (did you mean "hostname"?), received "host"
 * }
 * ```
 *
 * @module
 */

import { readEnvironment } from "./runtime/env.ts";
import type { Attributes } from "@opentelemetry/api";
import { rangeError, typeError } from "./validate.ts";

type Check = (caller: string, key: string, value: unknown) => void;

function plainObject(caller: string, key: string, value: unknown): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw typeError(caller, key, "an object", value);
  }
}

const HANDLER_CHECKS: Record<string, Check> = {
  // `engine` and `path` keep their own, more specific checks in prometheus.ts.
  engine: () => {},
  path: () => {},
  defaultMetrics: (caller, key, value) => {
    if (typeof value !== "boolean") {
      throw typeError(caller, key, "a boolean", value);
    }
  },
  registry: (caller, key, value) => {
    if (typeof (value as { metrics?: unknown } | null)?.metrics !== "function") {
      throw typeError(caller, key, "a prom-client Registry", value);
    }
  },
  attributes: plainObject,
  cacheMs: (caller, key, value) => {
    if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
      throw rangeError(caller, key, "a finite number of milliseconds >= 0", value);
    }
  },
  resource: plainObject,
};

const SERVE_CHECKS: Record<string, Check> = {
  ...HANDLER_CHECKS,
  port: () => {}, // checked where the server starts, as a RangeError quoting it
  hostname: (caller, key, value) => {
    if (typeof value !== "string" || value === "") {
      throw typeError(
        caller,
        key,
        'a non-empty string such as "127.0.0.1" or "0.0.0.0"',
        value,
      );
    }
  },
};

/** The option keys `createMetricsHandler` accepts. */
export const HANDLER_OPTION_KEYS: readonly string[] = Object.keys(HANDLER_CHECKS);
/** The option keys `serveMetrics` accepts. */
export const SERVE_OPTION_KEYS: readonly string[] = Object.keys(SERVE_CHECKS);

/** Likely meant keys for common misspellings. */
const SUGGESTIONS: Record<string, string> = {
  host: "hostname",
  address: "hostname",
  bind: "hostname",
  cache: "cacheMs",
  ttl: "cacheMs",
  labels: "attributes",
};

/**
 * Checks `options` against `keys` (those of {@linkcode HANDLER_OPTION_KEYS} or
 * {@linkcode SERVE_OPTION_KEYS}): an unknown key is a TypeError that lists the known
 * ones, a value of the wrong type a TypeError, one out of range a RangeError.
 */
export function checkOptions(caller: string, options: unknown, keys: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw typeError(caller, "options", "an object", options);
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) {
      const suggestion = SUGGESTIONS[key];
      const hint = suggestion !== undefined && keys.includes(suggestion)
        ? ` (did you mean ${JSON.stringify(suggestion)}?)`
        : "";
      throw typeError(caller, "an option", `one of ${keys.join(", ")}${hint}`, key);
    }
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) SERVE_CHECKS[key](caller, key, value);
  }
}

/** An environment variable, or undefined where there is none or reading it is not allowed. */
function environment(name: string): string | undefined {
  return readEnvironment([name])[name];
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.trim());
  } catch {
    return text.trim();
  }
}

/**
 * The resource attributes for `target_info`: `OTEL_RESOURCE_ATTRIBUTES`
 * (`key=value` pairs separated by commas, percent-encoded), then `OTEL_SERVICE_NAME`
 * as `service.name`, then `explicit`, each winning over the ones before it.
 */
export function resourceFromEnvironment(explicit: Attributes = {}): Attributes {
  const result: Attributes = {};
  for (const pair of (environment("OTEL_RESOURCE_ATTRIBUTES") ?? "").split(",")) {
    const equals = pair.indexOf("=");
    if (equals <= 0) continue;
    const key = decode(pair.slice(0, equals));
    if (key !== "") result[key] = decode(pair.slice(equals + 1));
  }
  const serviceName = environment("OTEL_SERVICE_NAME")?.trim();
  if (serviceName) result["service.name"] = serviceName;
  return { ...result, ...explicit };
}
