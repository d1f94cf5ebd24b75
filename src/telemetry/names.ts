/**
 * The metric contract of convpool: OpenTelemetry names, units,
 * kinds, descriptions and attribute keys, in one table that the exporters and the
 * docs read.
 *
 * @example
 * ```ts
 * import { METRICS } from "./names.ts";
 * console.log(METRICS.poolRequests.name); // "convpool.pool.requests"
 * console.log(METRICS.poolRequests.unit); // "{request}"
 * ```
 *
 * @module
 */

import { ALWAYS_TIME_WORK, SAMPLE_INTERVAL } from "../metrics/record.ts";

/** The OpenTelemetry instrument kind behind a metric. */
export type MetricKind = "counter" | "updowncounter" | "gauge" | "histogram";

/** One metric of the contract. */
export interface MetricDefinition {
  /** OpenTelemetry metric name. */
  readonly name: string;
  /** UCUM unit (`By`, `s`, `1`) or an annotation such as `{buffer}`. */
  readonly unit: string;
  /** Instrument kind. */
  readonly kind: MetricKind;
  /** Human description, exported as the metric's description (Prometheus HELP). */
  readonly description: string;
  /** Attribute keys the data points carry. */
  readonly attributes: readonly string[];
}

/** Attribute keys used by convpool metrics. */
export const ATTRIBUTES = {
  source: "convpool.source",
  sizeClass: "convpool.size_class",
  poolResult: "convpool.pool.result",
  poolOutcome: "convpool.pool.outcome",
  poolState: "convpool.pool.state",
  evictionReason: "convpool.eviction.reason",
  pressureLevel: "convpool.pressure.level",
  pressureTrigger: "convpool.pressure.trigger",
  operation: "convpool.operation",
  method: "convpool.method",
  errorType: "error.type",
  heapReason: "convpool.heap.reason",
  kernelSet: "convpool.kernel.set",
  setting: "convpool.setting",
  direction: "convpool.direction",
} as const;

function define(
  name: string,
  unit: string,
  kind: MetricKind,
  description: string,
  attributes: readonly string[] = [],
): MetricDefinition {
  return Object.freeze({ name, unit, kind, description, attributes: Object.freeze(attributes) });
}

const A = ATTRIBUTES;

/** The short identifiers of {@linkcode METRICS}. */
export type MetricId =
  | "allocationCount"
  | "allocationSize"
  | "poolRequests"
  | "poolReleases"
  | "poolBuffers"
  | "poolBuffersLimit"
  | "heapFallbacks"
  | "poolMemoryUsage"
  | "poolMemoryLimit"
  | "poolMemoryEvicted"
  | "stackMemoryUsage"
  | "stackMemoryPeak"
  | "stackMemoryLimit"
  | "stackUtilization"
  | "stackWindowPeak"
  | "stackWindowUtilization"
  | "stackOverflows"
  | "pressureEvents"
  | "operations"
  | "operationDuration"
  | "bufferMisuse"
  | "kernelMemoryUsage"
  | "stackRecommendedLimit"
  | "poolRecommendedBuffers"
  | "autoTuneAdjustments";

/** Every metric convpool exports, keyed by a short identifier. */
export const METRICS: Readonly<Record<MetricId, MetricDefinition>> = {
  allocationCount: define(
    "convpool.allocation.count",
    "{allocation}",
    "counter",
    "Allocations served, by source (stack, pool, heap) and size class (bytes, a power of two).",
    [A.source, A.sizeClass],
  ),
  allocationSize: define(
    "convpool.allocation.size",
    "By",
    "counter",
    "Bytes allocated, by source (stack, pool, heap).",
    [A.source],
  ),
  poolRequests: define(
    "convpool.pool.requests",
    "{request}",
    "counter",
    "Pool requests by result (hit: an idle buffer was reused; miss: none was idle) and size class.",
    [A.poolResult, A.sizeClass],
  ),
  poolReleases: define(
    "convpool.pool.releases",
    "{buffer}",
    "counter",
    "Buffers given back, by outcome (pooled, dropped_full, dropped_pressure, rejected).",
    [A.poolOutcome],
  ),
  poolBuffers: define(
    "convpool.pool.buffers",
    "{buffer}",
    "updowncounter",
    "Buffers held by the pool, by state (idle, in_use) and size class.",
    [A.poolState, A.sizeClass],
  ),
  poolBuffersLimit: define(
    "convpool.pool.buffers.limit",
    "{buffer}",
    "updowncounter",
    "Configured bound on buffers kept per size class (poolMaxBuffersPerClass, " +
      "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS).",
  ),
  heapFallbacks: define(
    "convpool.heap.fallbacks",
    "{allocation}",
    "counter",
    "Requests served by the heap, by reason (too_large: larger than the pool may hold; " +
      "pool_exhausted: no idle buffer and no room; stack_full: the stack overflowed and the pool " +
      "could not serve either).",
    [A.heapReason],
  ),
  poolMemoryUsage: define(
    "convpool.pool.memory.usage",
    "By",
    "updowncounter",
    "Bytes held by the pool (idle and in-use pooled buffers).",
  ),
  poolMemoryLimit: define(
    "convpool.pool.memory.limit",
    "By",
    "updowncounter",
    "Configured bound on pooled bytes (poolMaxBytes, CONVPOOL_POOL_MAX_BYTES).",
  ),
  poolMemoryEvicted: define(
    "convpool.pool.memory.evicted",
    "By",
    "counter",
    "Pooled bytes evicted, by reason (trim: idle classes, pressure: memory pressure).",
    [A.evictionReason],
  ),
  stackMemoryUsage: define(
    "convpool.stack.memory.usage",
    "By",
    "updowncounter",
    "Bytes of the stack arena in use now.",
  ),
  stackMemoryPeak: define(
    "convpool.stack.memory.peak",
    "By",
    "gauge",
    "Highest stack arena use since the engine started (or its peaks were reset).",
  ),
  stackMemoryLimit: define(
    "convpool.stack.memory.limit",
    "By",
    "updowncounter",
    "Capacity of the stack arena (stackBytes, CONVPOOL_STACK_BYTES).",
  ),
  stackUtilization: define(
    "convpool.stack.utilization",
    "1",
    "gauge",
    "Stack efficiency over the engine's life: peak stack use divided by the arena's capacity " +
      "(one spike pins it; see convpool.stack.window_utilization).",
  ),
  stackWindowPeak: define(
    "convpool.stack.window_peak",
    "By",
    "gauge",
    "Highest stack arena use since the last maintenance pass (maintenanceIntervalMs, " +
      "CONVPOOL_MAINTENANCE_INTERVAL_MS): the peak that falls back after a spike.",
  ),
  stackWindowUtilization: define(
    "convpool.stack.window_utilization",
    "1",
    "gauge",
    "Stack efficiency that recovers: the peak stack use since the last maintenance pass divided " +
      "by the arena's capacity.",
  ),
  stackOverflows: define(
    "convpool.stack.overflows",
    "{allocation}",
    "counter",
    "Requests eligible for the stack arena that did not fit in it.",
  ),
  pressureEvents: define(
    "convpool.memory.pressure.events",
    "{event}",
    "counter",
    "Memory-pressure events handled, by level and trigger.",
    [A.pressureLevel, A.pressureTrigger],
  ),
  operations: define(
    "convpool.operations",
    "{operation}",
    "counter",
    "Operations run (exact count), by operation and kernel method.",
    [A.operation, A.method],
  ),
  operationDuration: define(
    "convpool.operation.duration",
    "s",
    "histogram",
    "Operation latency, by operation and kernel method. A weighted sample: operations below " +
      `${ALWAYS_TIME_WORK} multiply-accumulates are timed 1 in ${SAMPLE_INTERVAL} and counted ` +
      `${SAMPLE_INTERVAL} times; larger ones are all timed.`,
    [A.operation, A.method],
  ),
  bufferMisuse: define(
    "convpool.buffer.misuse",
    "{error}",
    "counter",
    "Buffer misuse, by error.type (double_release, foreign_release, leaked).",
    [A.errorType],
  ),
  kernelMemoryUsage: define(
    "convpool.kernel.memory.usage",
    "By",
    "updowncounter",
    "Bytes of the WebAssembly kernels' linear memory (scratch and cached FFT tables), by kernel " +
      "set (wasm, typescript: 0). Process-wide and outside the engine's limits; it grows to the " +
      "largest recent convolution's working set, and above 16 MiB it is given back once 5 to 10 s " +
      "pass without a call needing it.",
    [A.kernelSet],
  ),
  stackRecommendedLimit: define(
    "convpool.stack.recommended_limit",
    "By",
    "gauge",
    "Suggested stack arena size (CONVPOOL_STACK_BYTES) from the observed peak demand.",
  ),
  poolRecommendedBuffers: define(
    "convpool.pool.recommended_buffers",
    "{buffer}",
    "gauge",
    "Suggested buffers per size class (CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS) from peak in-use demand.",
    [A.sizeClass],
  ),
  autoTuneAdjustments: define(
    "convpool.autotune.adjustments",
    "{adjustment}",
    "counter",
    "Changes autoTune (CONVPOOL_AUTOTUNE) made, by setting (stack_bytes, pool_buffers_per_class) " +
      "and direction (up, down). Always 0 with autoTune off.",
    [A.setting, A.direction],
  ),
};

/** The instrumentation scope (meter) name of convpool's metrics. */
export const SCOPE_NAME = "convpool";
