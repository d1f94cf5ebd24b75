/**
 * convpool telemetry without any SDK, reading engines at collection time: the metric contract,
 * OpenTelemetry registration through `@opentelemetry/api`, the latency-histogram
 * MetricProducer, tuning hints and environment configuration. The Prometheus
 * endpoint lives in `convpool/prometheus`.
 *
 * @example
 * ```ts
 * import { createDurationProducer, registerMetrics, type TelemetrySource } from "./mod.ts";
 *
 * declare const engine: TelemetrySource;
 * registerMetrics(engine); // global MeterProvider
 * const producer = createDurationProducer(engine); // give it to your MetricReader
 * console.log(typeof producer.collect); // "function"
 * ```
 *
 * @module
 */

export * from "./source.ts";
export * from "./names.ts";
export * from "./register.ts";
export * from "./duration_producer.ts";
export * from "./tuning.ts";
export * from "./prometheus_names.ts";
export * from "./runtime_metrics.ts";
