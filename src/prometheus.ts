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
import { collectDefaultMetrics, Registry } from "prom-client";
import { createDurationProducer } from "./telemetry/duration_producer.ts";
import { prometheusBaseName, type PrometheusKind } from "./telemetry/prometheus_names.ts";
import { registerMetrics } from "./telemetry/register.ts";
import { registerRuntimeMetrics } from "./telemetry/runtime_metrics.ts";
import { serveFetch, urlHost } from "./telemetry/serve_fetch.ts";
import type { TelemetrySource } from "./telemetry/source.ts";

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
    runtimeRegistry = new Registry();
    collectDefaultMetrics({ register: runtimeRegistry });
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
 * carries.
 */
function withPrometheusNames(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    resource: resourceMetrics.resource,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scopeMetrics) => ({
      scope: scopeMetrics.scope,
      metrics: scopeMetrics.metrics.map((metric): MetricData => ({
        ...metric,
        descriptor: {
          ...metric.descriptor,
          name: prometheusBaseName(
            metric.descriptor.name,
            metric.descriptor.unit,
            prometheusKind(metric),
          ),
          unit: "",
        },
      })),
    })),
  };
}

function textResponse(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

function checkPath(path: unknown): string {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new TypeError(
      `path must be a string starting with "/": received ${JSON.stringify(path)}`,
    );
  }
  return path;
}

function checkEngine(engine: unknown): TelemetrySource {
  if (engine === undefined) return getDefaultEngine();
  const candidate = engine as Partial<TelemetrySource> | undefined;
  if (
    typeof candidate !== "object" || candidate === null ||
    typeof candidate.getStats !== "function" ||
    typeof candidate.counters !== "object" || typeof candidate.config !== "object"
  ) {
    throw new TypeError(
      `engine must be an allocation engine (counters, getStats(), config): received ${
        String(engine)
      }`,
    );
  }
  return candidate as TelemetrySource;
}

/**
 * Creates a `(Request) => Promise<Response>` handler that serves the engine's
 * metrics (and the runtime's default metrics) on `GET`/`HEAD` at `path`; other paths
 * get 404 and other methods 405 with an `Allow` header. Each scrape collects fresh
 * values; nothing is computed between scrapes.
 *
 * @throws {TypeError} when `engine` is not an engine, or `path` does not start with "/".
 */
export function createMetricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  const engine = checkEngine(options.engine);
  const path = checkPath(options.path ?? "/metrics");
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

  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname !== path) return textResponse(404, `Not found: ${url.pathname}\n`);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return textResponse(405, `Method not allowed: ${request.method}\n`, { allow: "GET, HEAD" });
    }
    let body: string;
    try {
      const { resourceMetrics } = await reader.collect();
      body = serializer.serialize(
        withPrometheusNames(resourceMetrics) as unknown as Parameters<
          PrometheusSerializer["serialize"]
        >[0],
      );
      if (!body.endsWith("\n")) body += "\n";
      if (runtime !== undefined) body += await runtime.metrics();
      if (extra !== undefined) body += await extra.metrics();
    } catch (error) {
      return textResponse(500, `Metrics collection failed: ${String(error)}\n`);
    }
    const headers = { "content-type": PROMETHEUS_CONTENT_TYPE };
    return new Response(request.method === "HEAD" ? null : body, { status: 200, headers });
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
  const handler = createMetricsHandler(options);
  const path = options.path ?? "/metrics";
  const server = await serveFetch(handler, {
    port: options.port ?? 9464,
    hostname: options.hostname ?? "127.0.0.1",
  });
  return {
    url: `http://${urlHost(server.hostname, server.port)}${path}`,
    close: () => server.close(),
  };
}
