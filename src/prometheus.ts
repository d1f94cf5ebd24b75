/**
 * `convpool/prometheus`: a `/metrics` endpoint in the Prometheus text format for
 * an allocation engine, on Deno, Bun and Node.
 *
 * The engine's metrics go through OpenTelemetry: a private SDK MeterProvider with
 * a pull MetricReader collects the observable instruments of `registerMetrics` and
 * the latency-histogram producer, names are translated to Prometheus conventions
 * (`convpool.pool.requests` -> `convpool_pool_requests_total`,
 * `convpool.operation.duration` -> `convpool_operation_duration_seconds_bucket`,
 * `convpool.stack.utilization` -> `convpool_stack_utilization_ratio`), and
 * `@opentelemetry/exporter-prometheus`'s serializer writes the text. The runtime's
 * default metrics (heap, GC, event-loop lag, ...) come from prom-client's
 * `collectDefaultMetrics` and are appended.
 *
 * About prom-client's gauges named `*_total` (`nodejs_active_handles_total`,
 * `nodejs_active_requests_total`, `nodejs_active_resources_total`): promtool flags
 * them ("non-counter metrics should not have _total suffix"). They are kept, because
 * they are the names existing Node.js dashboards and alerts query; convpool's own
 * families pass `promtool check metrics` cleanly. Pass `defaultMetrics: false` to
 * leave all runtime metrics out.
 *
 * This module loads the OpenTelemetry SDK and prom-client; the core (`mod.ts`) does not.
 *
 * @example
 * ```ts
 * import { serveMetrics } from "./prometheus.ts";
 * import type { TelemetrySource } from "./telemetry/source.ts";
 *
 * declare const engine: TelemetrySource;
 * const server = await serveMetrics({ engine, port: 9464 });
 * console.log(server.url); // "http://127.0.0.1:9464/metrics"
 * await server.close();
 * ```
 *
 * @module
 */

import { getDefaultEngine } from "./default_engine.ts";
import type { Attributes } from "@opentelemetry/api";
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import {
  DataPointType,
  MeterProvider,
  type MetricData,
  type MetricProducer,
  MetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import type { Registry } from "prom-client";
import { createRuntimeRegistry } from "./prometheus_runtime.ts";
import { createDurationProducer } from "./telemetry/duration_producer.ts";
import { prometheusBaseName, type PrometheusKind } from "./telemetry/prometheus_names.ts";
import { registerMetrics } from "./telemetry/register.ts";
import { registerRuntimeMetrics } from "./telemetry/runtime_metrics.ts";
import { serveFetch, urlHost } from "./telemetry/serve_fetch.ts";
import { type EncodedReply, encodedReply, toResponse } from "./runtime/http/encoded_reply.ts";
import { createSingleFlightCache } from "./prometheus_cache.ts";
import {
  checkOptions,
  HANDLER_OPTION_KEYS,
  resourceFromEnvironment,
  SERVE_OPTION_KEYS,
} from "./prometheus_options.ts";
import type { TelemetrySource } from "./telemetry/source.ts";
import { typeError } from "./validate.ts";

export type { TelemetrySource } from "./telemetry/source.ts";

/** Options of {@linkcode createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /** The engine to export (default: the process-wide default engine of `convpool`). */
  engine?: TelemetrySource;
  /** The path served; other paths get 404 (default "/metrics"). */
  path?: string;
  /** Append the runtime's default metrics from prom-client (default true). */
  defaultMetrics?: boolean;
  /** A prom-client registry of your own whose metrics are appended too. */
  registry?: Registry;
  /** Attributes (labels) added to every convpool series, e.g. to name the engine. */
  attributes?: Attributes;
  /**
   * How long, in milliseconds, one rendering of the metrics answers further scrapes
   * (default {@linkcode DEFAULT_SCRAPE_CACHE_MS}). Scrapes that arrive while a
   * rendering is under way always share it; with 0 nothing is kept beyond that.
   */
  cacheMs?: number;
  /**
   * The OpenTelemetry resource's attributes, shown on `target_info`, e.g.
   * `{ "service.name": "api", "service.instance.id": "pod-7" }`. Without them, the
   * environment's `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are used; these
   * attributes win over the environment's.
   */
  resource?: Attributes;
}

/** A fetch-style `/metrics` handler. */
export type MetricsHandler = (request: Request) => Promise<Response>;

/** Options of {@linkcode serveMetrics}. */
export interface ServeMetricsOptions extends MetricsHandlerOptions {
  /** TCP port (default 9464; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default "127.0.0.1": loopback only). */
  hostname?: string;
}

/** What {@linkcode serveMetrics} resolves to. */
export interface MetricsServer {
  /** The full URL of the metrics endpoint, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops serving. */
  close(): Promise<void>;
}

/**
 * How long one rendering of the metrics answers further scrapes by default, in
 * milliseconds: far below any Prometheus scrape interval, long enough that a burst
 * of scrapes costs one rendering.
 */
export const DEFAULT_SCRAPE_CACHE_MS = 250;

/** Content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

class PullMetricReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let runtimeRegistry: Registry | undefined;

/** One registry with prom-client's default metrics per process (they are process-wide). */
function defaultMetricsRegistry(): Registry {
  if (runtimeRegistry === undefined) {
    runtimeRegistry = createRuntimeRegistry();
  }
  return runtimeRegistry;
}

function prometheusKind(metric: MetricData): PrometheusKind {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return "histogram";
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return "counter";
  return "gauge";
}

/**
 * Renames every metric to its Prometheus family name (unit suffix included; the
 * serializer adds `_total` to counters) and drops the OTel unit, which the name now
 * carries. `resource` replaces the SDK's resource attributes on `target_info`.
 */
function withPrometheusNames(
  resourceMetrics: ResourceMetrics,
  resource: Attributes,
): ResourceMetrics {
  return {
    resource: { attributes: resource } as unknown as ResourceMetrics["resource"],
    scopeMetrics: resourceMetrics.scopeMetrics.map((scopeMetrics) => ({
      scope: scopeMetrics.scope,
      metrics: scopeMetrics.metrics.map((metric): MetricData => ({
        ...metric,
        descriptor: {
          ...metric.descriptor,
          name: prometheusName(metric),
          unit: "",
        },
      })),
    })),
  };
}

/** Prometheus family names by OTel name, unit and kind: they never change. */
const familyNames = new Map<string, string>();

function prometheusName(metric: MetricData): string {
  const { name, unit } = metric.descriptor;
  const kind = prometheusKind(metric);
  const key = `${name}\u0000${unit}\u0000${kind}`;
  let family = familyNames.get(key);
  if (family === undefined) {
    family = prometheusBaseName(name, unit, kind);
    familyNames.set(key, family);
  }
  return family;
}

/** The path of a request's URL, or undefined when it is not an absolute URL (CONNECT's). */
function pathnameOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

const textEncoder = new TextEncoder();

function textReply(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): EncodedReply {
  return encodedReply(
    status,
    { "content-type": "text/plain; charset=utf-8", ...headers },
    textEncoder.encode(text),
  );
}

/** The headers of every metrics reply (shared: replies never modify their headers). */
const METRICS_HEADERS = Object.freeze({ "content-type": PROMETHEUS_CONTENT_TYPE });

function checkPath(path: unknown, caller: string): string {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw typeError(caller, "path", 'a string starting with "/"', path);
  }
  return path;
}

function checkEngine(engine: unknown, caller: string): TelemetrySource {
  if (engine === undefined) return getDefaultEngine();
  const candidate = engine as Partial<TelemetrySource> | undefined;
  if (
    typeof candidate !== "object" || candidate === null ||
    typeof candidate.getStats !== "function" || typeof candidate.poolLevels !== "function" ||
    typeof candidate.counters !== "object" || typeof candidate.metrics !== "object" ||
    typeof candidate.config !== "object"
  ) {
    throw typeError(
      caller,
      "engine",
      "an allocation engine (counters, metrics, poolLevels(), getStats(), config)",
      engine,
    );
  }
  return candidate as TelemetrySource;
}

/**
 * Creates a `(Request) => Promise<Response>` handler that serves the engine's
 * metrics (and the runtime's default metrics) on `GET`/`HEAD` at `path`; other paths
 * get 404 and other methods 405 with an `Allow` header.
 *
 * Scrapes share renderings: scrapes that arrive while one is being rendered get that
 * rendering, and a rendering answers the scrapes of the next `cacheMs` milliseconds
 * (default {@linkcode DEFAULT_SCRAPE_CACHE_MS}), so a burst of scrapes, concurrent or
 * pipelined, costs one. Nothing is computed between scrapes.
 *
 * @example
 * ```ts
 * import { createMetricsHandler } from "./prometheus.ts";
 * import { createEngine } from "./alloc/engine.ts";
 *
 * const engine = createEngine({ maintenanceIntervalMs: 0 });
 * const handler = createMetricsHandler({ engine, cacheMs: 1000, defaultMetrics: false });
 * const response = await handler(new Request("http://localhost/metrics"));
 * console.log(response.status); // 200
 * engine.close();
 * ```
 *
 * @throws {TypeError} for an unknown option (the message lists the known ones), when
 * `engine` is not an engine, `path` does not start with "/", or an option has the
 * wrong type.
 * @throws {RangeError} when `cacheMs` is negative or not finite.
 */
export function createMetricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  checkOptions("createMetricsHandler", options, HANDLER_OPTION_KEYS);
  const reply = buildReplier(options, "createMetricsHandler");
  return async (request) => toResponse(await reply(request));
}

/**
 * The handler behind {@linkcode createMetricsHandler} and {@linkcode serveMetrics}: it
 * replies with the encoded bytes, so that one rendering answers many scrapes as the
 * same bytes (servers write them without copying).
 */
function buildReplier(
  options: MetricsHandlerOptions,
  caller: string,
): (request: Request) => Promise<EncodedReply> {
  const engine = checkEngine(options.engine, caller);
  const path = checkPath(options.path ?? "/metrics", caller);
  const producer = createDurationProducer(engine, { attributes: options.attributes });
  const reader = new PullMetricReader({
    metricProducers: [producer as unknown as MetricProducer],
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  registerMetrics(engine, { meterProvider, attributes: options.attributes });
  // GC cycles on every runtime (convpool_runtime_gc_cycles_total), with the default metrics.
  if (options.defaultMetrics !== false) {
    registerRuntimeMetrics({ meterProvider, attributes: options.attributes });
  }
  const serializer = new PrometheusSerializer();
  const runtime = options.defaultMetrics === false ? undefined : defaultMetricsRegistry();
  const extra = options.registry;
  const explicitResource = options.resource ?? {};
  let resource: Attributes | undefined;
  const render = async (): Promise<Uint8Array> => {
    const { resourceMetrics } = await reader.collect();
    // The SDK's own attributes (telemetry.sdk.*, a default service.name) under ours.
    resource ??= {
      ...resourceMetrics.resource.attributes,
      ...resourceFromEnvironment(explicitResource),
    };
    let body = serializer.serialize(
      withPrometheusNames(resourceMetrics, resource) as unknown as Parameters<
        PrometheusSerializer["serialize"]
      >[0],
    );
    if (!body.endsWith("\n")) body += "\n";
    if (runtime !== undefined) body += await runtime.metrics();
    if (extra !== undefined) body += await extra.metrics();
    return textEncoder.encode(body);
  };
  const cache = createSingleFlightCache(render, options.cacheMs ?? DEFAULT_SCRAPE_CACHE_MS);

  return async (request: Request): Promise<EncodedReply> => {
    const pathname = pathnameOf(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      if (pathname === undefined || pathname === path || request.method === "CONNECT") {
        return textReply(405, `Method not allowed: ${request.method}\n`, { allow: "GET, HEAD" });
      }
    }
    if (pathname !== path) return textReply(404, `Not found: ${pathname ?? request.url}\n`);
    let body: Uint8Array;
    try {
      body = await cache.get();
    } catch (error) {
      return textReply(500, `Metrics collection failed: ${String(error)}\n`);
    }
    return encodedReply(200, METRICS_HEADERS, request.method === "HEAD" ? null : body);
  };
}

/**
 * Serves {@linkcode createMetricsHandler} on `hostname:port` with the running
 * runtime's server (`Deno.serve`, `Bun.serve` or `node:http`).
 *
 * @throws {TypeError} see {@linkcode createMetricsHandler}.
 * @throws {RangeError} when `port` is not an integer in [0, 65535].
 */
export async function serveMetrics(options: ServeMetricsOptions = {}): Promise<MetricsServer> {
  checkOptions("serveMetrics", options, SERVE_OPTION_KEYS);
  const reply = buildReplier(options, "serveMetrics");
  const path = options.path ?? "/metrics";
  const server = await serveFetch(reply, {
    port: options.port ?? 9464,
    hostname: options.hostname ?? "127.0.0.1",
    caller: "serveMetrics",
  });
  return {
    url: `http://${urlHost(server.hostname, server.port)}${path}`,
    close: () => server.close(),
  };
}
