/**
 * OpenTelemetry export of an engine's counters through `@opentelemetry/api` only.
 *
 * {@linkcode registerMetrics} creates observable instruments for every metric of
 * the contract except the latency histogram, and ONE batch
 * callback that reads the engine's counters when a reader collects. The hot path
 * never calls OpenTelemetry. The kernels' own memory (`convpool.kernel.memory.usage`)
 * is process-wide: every registration reports the same value. The latency histogram
 * has no observable form in the API: attach {@linkcode createDurationProducer} (from
 * `./duration_producer.ts`) to your MetricReader; `convpool/prometheus` does that
 * for you.
 *
 * The API's global MeterProvider is not a proxy: register after
 * `metrics.setGlobalMeterProvider(...)`, or pass `meterProvider`.
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import { registerMetrics } from "./register.ts";
 * import type { TelemetrySource } from "./source.ts";
 *
 * declare const engine: TelemetrySource;
 * const registration = registerMetrics(engine, { meterProvider: metrics.getMeterProvider() });
 * // ... later
 * registration.unregister();
 * ```
 *
 * @module
 */

import {
  type Attributes,
  type BatchObservableResult,
  type Meter,
  type MeterProvider,
  metrics,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
  type ObservableUpDownCounter,
  ValueType,
} from "@opentelemetry/api";
import {
  ALLOCATION_SOURCES,
  AUTO_TUNE_DIRECTIONS,
  AUTO_TUNE_SETTINGS,
  EVICTION_REASONS,
  HEAP_REASONS,
  MISUSE_TYPES,
  PRESSURE_LEVELS,
  PRESSURE_TRIGGERS,
  RELEASE_OUTCOMES,
  SIZE_CLASS_COUNT,
} from "../alloc/counters.ts";
import { kernelMemoryBytes, observedKernelSet } from "../kernels/dispatch.ts";
import { OPERATIONS } from "../metrics/operation_metrics.ts";
import { KERNEL_METHODS } from "../types.ts";
import { ATTRIBUTES, type MetricDefinition, type MetricId, METRICS, SCOPE_NAME } from "./names.ts";
import type { TelemetrySource } from "./source.ts";
import { typeError } from "../validate.ts";
import { tuningHints } from "./tuning.ts";

/** Options of {@linkcode registerMetrics}. */
export interface RegisterMetricsOptions {
  /** Where to register; the API's global MeterProvider when omitted. */
  meterProvider?: MeterProvider;
  /**
   * Attributes added to every data point, to tell several engines apart in one
   * provider (for example `{ "convpool.engine": "tenant-a" }`).
   */
  attributes?: Attributes;
  /** Meter version reported in the instrumentation scope. */
  version?: string;
}

/** What {@linkcode registerMetrics} returns. */
export interface MetricsRegistration {
  /** The meter the instruments belong to. */
  readonly meter: Meter;
  /**
   * Stops reading the engine. The instruments stay; a cumulative reader may keep
   * repeating the last values it saw for the engine's series.
   */
  unregister(): void;
}

type AnyObservable = ObservableCounter | ObservableUpDownCounter | ObservableGauge;

function createObservable(meter: Meter, definition: MetricDefinition): AnyObservable {
  const options = {
    description: definition.description,
    unit: definition.unit,
    valueType: definition.unit === "By" || definition.unit.startsWith("{")
      ? ValueType.INT
      : ValueType.DOUBLE,
  };
  switch (definition.kind) {
    case "counter":
      return meter.createObservableCounter(definition.name, options);
    case "updowncounter":
      return meter.createObservableUpDownCounter(definition.name, options);
    case "gauge":
      return meter.createObservableGauge(definition.name, options);
    default:
      throw typeError(
        "registerMetrics",
        `the kind of ${definition.name}`,
        '"counter", "updowncounter" or "gauge" (an observable kind)',
        definition.kind,
      );
  }
}

/** The byte size of size class `c`, the value of `convpool.size_class`. */
function classBytes(c: number): number {
  return 2 ** c;
}

/**
 * Registers observable instruments for `source` on a meter named `convpool` and
 * one batch callback that reads its counters, operation metrics, pool levels,
 * stats and tuning hints (and the kernels' memory size) at collection time,
 * changing nothing. Per-size-class series appear once a
 * class has seen any activity and stay from then on (cardinality: at most 32 classes).
 */
export function registerMetrics(
  source: TelemetrySource,
  options: RegisterMetricsOptions = {},
): MetricsRegistration {
  const provider = options.meterProvider ?? metrics.getMeterProvider();
  const meter = provider.getMeter(SCOPE_NAME, options.version);
  const base: Attributes = { ...options.attributes };
  const with1 = (key: string, value: string | number): Attributes => ({ ...base, [key]: value });
  const with2 = (k1: string, v1: string | number, k2: string, v2: string | number): Attributes => ({
    ...base,
    [k1]: v1,
    [k2]: v2,
  });

  const ids = (Object.keys(METRICS) as MetricId[]).filter((id) => id !== "operationDuration");
  const instruments = {} as Record<MetricId, AnyObservable>;
  for (const id of ids) instruments[id] = createObservable(meter, METRICS[id]);

  // Attribute objects are built once; the callback only reads numbers.
  const A = ATTRIBUTES;
  /** `{ [key]: value, size class }` for each size class, in class order. */
  const perSizeClass = (key: string, value: string) =>
    Array.from(
      { length: SIZE_CLASS_COUNT },
      (_, c) => with2(key, value, A.sizeClass, classBytes(c)),
    );
  const sourceAttrs = ALLOCATION_SOURCES.map((s) => with1(A.source, s));
  const allocationAttrs = ALLOCATION_SOURCES.map((s) => perSizeClass(A.source, s));
  const hitAttrs = perSizeClass(A.poolResult, "hit");
  const missAttrs = perSizeClass(A.poolResult, "miss");
  const idleAttrs = perSizeClass(A.poolState, "idle");
  const inUseAttrs = perSizeClass(A.poolState, "in_use");
  const classAttrs = Array.from(
    { length: SIZE_CLASS_COUNT },
    (_, c) => with1(A.sizeClass, classBytes(c)),
  );
  const outcomeAttrs = RELEASE_OUTCOMES.map((o) => with1(A.poolOutcome, o));
  const evictionAttrs = EVICTION_REASONS.map((r) => with1(A.evictionReason, r));
  const pressureAttrs = PRESSURE_LEVELS.flatMap((l) =>
    PRESSURE_TRIGGERS.map((t) => with2(A.pressureLevel, l, A.pressureTrigger, t))
  );
  const operationAttrs = OPERATIONS.flatMap((o) =>
    KERNEL_METHODS.map((m) => with2(A.operation, o, A.method, m))
  );
  const misuseAttrs = MISUSE_TYPES.map((t) => with1(A.errorType, t));
  const heapReasonAttrs = HEAP_REASONS.map((r) => with1(A.heapReason, r));
  const wasmSetAttrs = with1(A.kernelSet, "wasm");
  const typescriptSetAttrs = with1(A.kernelSet, "typescript");
  const adjustmentAttrs = AUTO_TUNE_SETTINGS.flatMap((s) =>
    AUTO_TUNE_DIRECTIONS.map((d) => with2(A.setting, s, A.direction, d))
  );

  // Bit c is set once class c saw any activity (allocations) / any pool activity.
  let seenClasses = 0;
  let seenPoolClasses = 0;
  const i = instruments;

  const callback = (result: BatchObservableResult): void => {
    const counters = source.counters;
    const operations = source.metrics.operations;
    const stats = source.getStats();
    const levels = source.poolLevels();
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
      if ((seenPoolClasses >>> c) & 1) continue;
      const pool = counters.poolHits[c] + counters.poolMisses[c] + levels.idleBuffers[c] +
        levels.inUseBuffers[c] + levels.peakInUseBuffers[c];
      let active = pool;
      for (let s = 0; s < ALLOCATION_SOURCES.length; s++) {
        active += counters.allocations[s * SIZE_CLASS_COUNT + c];
      }
      if (pool > 0) seenPoolClasses = (seenPoolClasses | (1 << c)) >>> 0;
      if (active > 0) seenClasses = (seenClasses | (1 << c)) >>> 0;
    }

    for (let s = 0; s < ALLOCATION_SOURCES.length; s++) {
      result.observe(i.allocationSize, counters.allocatedBytes[s], sourceAttrs[s]);
      for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
        if ((seenClasses >>> c) & 1) {
          result.observe(
            i.allocationCount,
            counters.allocations[s * SIZE_CLASS_COUNT + c],
            allocationAttrs[s][c],
          );
        }
      }
    }
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
      if (((seenPoolClasses >>> c) & 1) === 0) continue;
      result.observe(i.poolRequests, counters.poolHits[c], hitAttrs[c]);
      result.observe(i.poolRequests, counters.poolMisses[c], missAttrs[c]);
      result.observe(i.poolBuffers, levels.idleBuffers[c], idleAttrs[c]);
      result.observe(i.poolBuffers, levels.inUseBuffers[c], inUseAttrs[c]);
    }
    for (let o = 0; o < RELEASE_OUTCOMES.length; o++) {
      result.observe(i.poolReleases, counters.releases[o], outcomeAttrs[o]);
    }
    result.observe(i.poolBuffersLimit, source.config.poolMaxBuffersPerClass, base);
    for (let r = 0; r < HEAP_REASONS.length; r++) {
      result.observe(i.heapFallbacks, counters.heapReasons[r], heapReasonAttrs[r]);
    }
    result.observe(i.poolMemoryUsage, stats.pool.bytes, base);
    result.observe(i.poolMemoryLimit, stats.pool.limitBytes, base);
    for (let r = 0; r < EVICTION_REASONS.length; r++) {
      result.observe(i.poolMemoryEvicted, counters.evictedBytes[r], evictionAttrs[r]);
    }
    result.observe(i.stackMemoryUsage, stats.stack.usedBytes, base);
    result.observe(i.stackMemoryPeak, stats.stack.peakBytes, base);
    result.observe(i.stackMemoryLimit, stats.stack.capacityBytes, base);
    result.observe(i.stackUtilization, stats.stack.efficiency, base);
    result.observe(i.stackWindowPeak, stats.stack.windowPeakBytes, base);
    result.observe(i.stackWindowUtilization, stats.stack.windowEfficiency, base);
    for (let a = 0; a < adjustmentAttrs.length; a++) {
      result.observe(i.autoTuneAdjustments, counters.autoTuneAdjustments[a], adjustmentAttrs[a]);
    }
    result.observe(i.stackOverflows, counters.stackOverflows, base);
    for (let p = 0; p < pressureAttrs.length; p++) {
      result.observe(i.pressureEvents, counters.pressureEvents[p], pressureAttrs[p]);
    }
    for (let p = 0; p < operationAttrs.length; p++) {
      result.observe(i.operations, operations[p], operationAttrs[p]);
    }
    for (let t = 0; t < MISUSE_TYPES.length; t++) {
      result.observe(i.bufferMisuse, counters.misuse[t], misuseAttrs[t]);
    }
    // Both read without side effects: a scrape never instantiates the kernels.
    result.observe(
      i.kernelMemoryUsage,
      kernelMemoryBytes(),
      observedKernelSet() === "wasm" ? wasmSetAttrs : typescriptSetAttrs,
    );
    const hints = tuningHints(source, { stats, levels });
    result.observe(i.stackRecommendedLimit, hints.stackBytes, base);
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
      if (hints.poolBuffersPerClass[c] > 0) {
        result.observe(i.poolRecommendedBuffers, hints.poolBuffersPerClass[c], classAttrs[c]);
      }
    }
  };

  const observables: Observable[] = ids.map((id) => instruments[id]);
  meter.addBatchObservableCallback(callback, observables);
  return {
    meter,
    unregister(): void {
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}
