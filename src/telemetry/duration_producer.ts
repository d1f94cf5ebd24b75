/**
 * The latency histogram `convpool.operation.duration` as a MetricProducer.
 *
 * The OpenTelemetry API has no observable histogram, and `Histogram.record` on
 * every operation would put the SDK on the hot path. The hot path instead fills
 * pre-aggregated buckets (`../metrics/record.ts`); this producer hands them to an
 * OpenTelemetry SDK MetricReader as a cumulative HISTOGRAM data point per
 * operation/method pair, at collection time.
 *
 * The types here mirror `@opentelemetry/sdk-metrics` 2.x structurally (its
 * `MetricProducer`, `CollectionResult` and `DataPointType.HISTOGRAM`) so that the
 * core never imports the SDK. Pass the producer to a reader:
 * `new PeriodicExportingMetricReader({ exporter, metricProducers: [producer] })`.
 *
 * @example
 * ```ts
 * import { createDurationProducer } from "./duration_producer.ts";
 * import type { TelemetrySource } from "./source.ts";
 *
 * declare const engine: TelemetrySource;
 * const producer = createDurationProducer(engine);
 * const { resourceMetrics } = await producer.collect();
 * console.log(resourceMetrics.scopeMetrics[0].metrics[0].descriptor.name);
 * // "convpool.operation.duration"
 * ```
 *
 * @module
 */

import { type Attributes, type HrTime, ValueType } from "@opentelemetry/api";
import {
  DURATION_BOUNDS_SECONDS,
  DURATION_BUCKET_COUNT,
  OPERATIONS,
} from "../metrics/operation_metrics.ts";
import { KERNEL_METHODS } from "../types.ts";
import { ATTRIBUTES, METRICS, SCOPE_NAME } from "./names.ts";
import type { TelemetrySource } from "./source.ts";

/** `DataPointType.HISTOGRAM` of `@opentelemetry/sdk-metrics`. */
export const DATA_POINT_TYPE_HISTOGRAM = 0;
/** `AggregationTemporality.CUMULATIVE` of `@opentelemetry/sdk-metrics`. */
export const AGGREGATION_TEMPORALITY_CUMULATIVE = 1;

/** A histogram value as the SDK represents it (`Histogram` of sdk-metrics). */
export interface HistogramValue {
  /** Finite upper bounds and per-bucket (non-cumulative) counts; `counts` has one more entry. */
  buckets: { boundaries: number[]; counts: number[] };
  /** Sum of recorded values. */
  sum?: number;
  /** Number of recorded values. */
  count: number;
  /** Smallest value (not tracked here). */
  min?: number;
  /** Largest value (not tracked here). */
  max?: number;
}

/** One histogram data point (`DataPoint<Histogram>` of sdk-metrics). */
export interface HistogramDataPoint {
  /** Start of the cumulative interval. */
  readonly startTime: HrTime;
  /** Collection time. */
  readonly endTime: HrTime;
  /** Attributes of the series. */
  readonly attributes: Attributes;
  /** The histogram. */
  readonly value: HistogramValue;
}

/** A histogram metric (`HistogramMetricData` of sdk-metrics). */
export interface HistogramMetric {
  /** Name, description, unit and value type. */
  readonly descriptor: {
    readonly name: string;
    readonly description: string;
    readonly unit: string;
    readonly valueType: ValueType;
  };
  /** Always cumulative. */
  readonly aggregationTemporality: number;
  /** Always {@linkcode DATA_POINT_TYPE_HISTOGRAM}. */
  readonly dataPointType: number;
  /** One point per operation/method pair that has samples. */
  readonly dataPoints: HistogramDataPoint[];
}

/**
 * The minimal resource object the SDK's result type asks for. The SDK's MetricReader
 * replaces it by its own resource when it merges producers.
 */
export interface ProducerResource {
  /** Resource attributes. */
  readonly attributes: Attributes;
  /** Always false: nothing asynchronous. */
  readonly asyncAttributesPending?: boolean;
  /** Resolves immediately. */
  waitForAsyncAttributes?(): Promise<void>;
  /** Resource merge as the SDK defines it (the other wins on conflicts). */
  merge(other: ProducerResource | null): ProducerResource;
  /** Attributes as key/value pairs. */
  getRawAttributes(): [string, unknown][];
}

/** What {@linkcode DurationProducer.collect} resolves to (`CollectionResult` of sdk-metrics). */
export interface DurationCollection {
  /** One resource, one scope (`convpool`), one histogram metric. */
  resourceMetrics: {
    resource: ProducerResource;
    scopeMetrics: { scope: { name: string; version?: string }; metrics: HistogramMetric[] }[];
  };
  /** Always empty. */
  errors: unknown[];
}

/** A MetricProducer (sdk-metrics 2.x) for the latency histogram of one engine. */
export interface DurationProducer {
  /** Reads the engine's buckets now. */
  collect(): Promise<DurationCollection>;
}

/** Options of {@linkcode createDurationProducer}. */
export interface DurationProducerOptions {
  /** Attributes added to every data point (match those given to `registerMetrics`). */
  attributes?: Attributes;
  /** Version reported in the instrumentation scope. */
  version?: string;
}

function hrTimeNow(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

function emptyResource(attributes: Attributes): ProducerResource {
  const resource: ProducerResource = {
    attributes,
    asyncAttributesPending: false,
    waitForAsyncAttributes: () => Promise.resolve(),
    merge: (other) => other ?? resource,
    getRawAttributes: () => Object.entries(attributes),
  };
  return resource;
}

/**
 * Creates a MetricProducer that exports the engine's pre-aggregated latency
 * buckets as `convpool.operation.duration` (unit `s`, buckets from 100 ns to 1 s,
 * cumulative since the producer was created). Only pairs with samples appear.
 */
export function createDurationProducer(
  source: Pick<TelemetrySource, "metrics">,
  options: DurationProducerOptions = {},
): DurationProducer {
  const startTime = hrTimeNow();
  const definition = METRICS.operationDuration;
  const boundaries = [...DURATION_BOUNDS_SECONDS];
  const pairAttributes = OPERATIONS.flatMap((operation) =>
    KERNEL_METHODS.map((method): Attributes => ({
      ...options.attributes,
      [ATTRIBUTES.operation]: operation,
      [ATTRIBUTES.method]: method,
    }))
  );
  const resource = emptyResource({});
  const scope = options.version === undefined
    ? { name: SCOPE_NAME }
    : { name: SCOPE_NAME, version: options.version };

  return {
    collect(): Promise<DurationCollection> {
      const sink = source.metrics;
      const endTime = hrTimeNow();
      const dataPoints: HistogramDataPoint[] = [];
      for (let pair = 0; pair < pairAttributes.length; pair++) {
        const count = sink.durationCount[pair];
        if (count === 0) continue;
        const offset = pair * DURATION_BUCKET_COUNT;
        const counts = Array.from(
          { length: DURATION_BUCKET_COUNT },
          (_, bucket) => sink.durationBuckets[offset + bucket],
        );
        dataPoints.push({
          startTime,
          endTime,
          attributes: pairAttributes[pair],
          value: { buckets: { boundaries, counts }, sum: sink.durationSum[pair], count },
        });
      }
      const metrics: HistogramMetric[] = dataPoints.length === 0 ? [] : [{
        descriptor: {
          name: definition.name,
          description: definition.description,
          unit: definition.unit,
          valueType: ValueType.DOUBLE,
        },
        aggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE,
        dataPointType: DATA_POINT_TYPE_HISTOGRAM,
        dataPoints,
      }];
      return Promise.resolve({
        resourceMetrics: { resource, scopeMetrics: [{ scope, metrics }] },
        errors: [],
      });
    },
  };
}
