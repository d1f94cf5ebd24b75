/**
 * Garbage-collection visibility on every runtime, through `@opentelemetry/api` only:
 * one counter family, `convpool.runtime.gc.cycles` (Prometheus:
 * `convpool_runtime_gc_cycles_total`), fed by the best signal the running runtime
 * offers.
 *
 * - Node reports each V8 collection as a `PerformanceObserver` entry of type `"gc"`:
 *   every minor and major collection is counted (`convpool.gc.signal` =
 *   `performance_observer`).
 * - Deno (V8) and Bun (JavaScriptCore) deliver no `"gc"` entries. There a
 *   `FinalizationRegistry` sentinel is used: an unreachable object whose finalizer
 *   counts one cycle and registers a fresh sentinel, so each collection that reclaims
 *   it is seen (`finalization_sentinel`). Finalizers run in a later task, so several
 *   collections between two event-loop turns count once: the value is a lower bound,
 *   and it does not tell minor from major collections.
 *
 * The runtime is named (by `runtimeName` of `src/runtime/mod.ts`) in the
 * `convpool.runtime` attribute. The observer is process-wide and
 * starts on the first registration; it allocates one small object per observed
 * collection and never keeps the process alive.
 *
 * @example
 * ```ts
 * import { MeterProvider } from "@opentelemetry/sdk-metrics";
 * import { registerRuntimeMetrics } from "./runtime_metrics.ts";
 *
 * const registration = registerRuntimeMetrics({ meterProvider: new MeterProvider() });
 * console.log(registration.runtime, registration.signal); // e.g. "node performance_observer"
 * registration.unregister();
 * ```
 *
 * @module
 */

import {
  type Attributes,
  type MeterProvider,
  metrics,
  type ObservableResult,
  ValueType,
} from "@opentelemetry/api";
import { type RuntimeName, runtimeName } from "../runtime/mod.ts";
import type { MetricDefinition } from "./names.ts";

export type { RuntimeName };

/** How GC cycles are observed: see the module documentation. */
export type GcSignal = "performance_observer" | "finalization_sentinel";

/** Attribute keys of the runtime metrics. */
export const RUNTIME_ATTRIBUTES = {
  runtime: "convpool.runtime",
  gcSignal: "convpool.gc.signal",
} as const;

/** The GC counter's definition; its description is the Prometheus HELP text. */
export const GC_CYCLES_METRIC: MetricDefinition = Object.freeze({
  name: "convpool.runtime.gc.cycles",
  unit: "{cycle}",
  kind: "counter",
  description:
    "Garbage-collection cycles of the runtime seen by this process. convpool_gc_signal says how: " +
    'performance_observer (Node: every V8 minor and major GC, from PerformanceObserver "gc" entries; ' +
    "exact) or finalization_sentinel (Deno's V8 and Bun's JavaScriptCore, which deliver no gc entries: " +
    "collections that reclaimed a FinalizationRegistry sentinel re-armed after each one; collections " +
    "between two event-loop turns count once, so it is a lower bound, minor and major together). " +
    "A count, not GC time: GC time is only on Node (nodejs_gc_duration_seconds).",
  attributes: Object.freeze([RUNTIME_ATTRIBUTES.runtime, RUNTIME_ATTRIBUTES.gcSignal]),
});

interface PerformanceObserverLike {
  observe(options: { entryTypes: string[] }): void;
  disconnect(): void;
}

interface PerformanceObserverConstructor {
  new (callback: (list: { getEntries(): readonly unknown[] }) => void): PerformanceObserverLike;
  readonly supportedEntryTypes?: readonly string[];
}

/** A process-wide count of GC cycles. */
export interface GcCycleObserver {
  /** How the cycles are observed. */
  readonly signal: GcSignal;
  /** Cycles observed since the observer started. */
  cycles(): number;
}

/** Counts `"gc"` performance entries, when the runtime says it delivers them. */
function performanceObserverCycles(globals: object): GcCycleObserver | undefined {
  const ctor = (globals as { PerformanceObserver?: PerformanceObserverConstructor })
    .PerformanceObserver;
  if (typeof ctor !== "function" || !ctor.supportedEntryTypes?.includes("gc")) return undefined;
  let count = 0;
  try {
    new ctor((list) => {
      count += list.getEntries().length;
    }).observe({ entryTypes: ["gc"] });
  } catch {
    return undefined;
  }
  return { signal: "performance_observer", cycles: () => count };
}

/** Counts collections of a FinalizationRegistry sentinel that is re-armed after each one. */
function sentinelCycles(): GcCycleObserver {
  let count = 0;
  const registry = new FinalizationRegistry<undefined>(() => {
    count++;
    arm();
  });
  // The sentinel is unreachable from the start: the next collection that reaches its
  // generation reclaims it.
  const arm = (): void => registry.register({}, undefined);
  arm();
  // The observer holds the registry: a collected registry would run no more finalizers.
  const observer: GcCycleObserver & { readonly registry: object } = {
    signal: "finalization_sentinel",
    cycles: () => count,
    registry,
  };
  return observer;
}

/**
 * Starts observing GC cycles with the best signal `globals` offers: `"gc"`
 * performance entries where the runtime lists them in
 * `PerformanceObserver.supportedEntryTypes` (Node), a FinalizationRegistry
 * sentinel elsewhere. Prefer {@linkcode gcCycleObserver}, which starts one per process.
 *
 * @example
 * ```ts
 * import { createGcCycleObserver } from "./runtime_metrics.ts";
 * const observer = createGcCycleObserver();
 * console.log(observer.signal, observer.cycles() >= 0); // e.g. "finalization_sentinel true"
 * ```
 */
export function createGcCycleObserver(globals: object = globalThis): GcCycleObserver {
  return performanceObserverCycles(globals) ?? sentinelCycles();
}

let processObserver: GcCycleObserver | undefined;

/**
 * The process-wide GC cycle observer, started on the first call.
 *
 * @example
 * ```ts
 * import { gcCycleObserver } from "./runtime_metrics.ts";
 * console.log(gcCycleObserver() === gcCycleObserver()); // true
 * ```
 */
export function gcCycleObserver(): GcCycleObserver {
  processObserver ??= createGcCycleObserver();
  return processObserver;
}

/** Options of {@linkcode registerRuntimeMetrics}. */
export interface RegisterRuntimeMetricsOptions {
  /** Where to register; the API's global MeterProvider when omitted. */
  meterProvider?: MeterProvider;
  /** Attributes added to the data points. */
  attributes?: Attributes;
}

/** What {@linkcode registerRuntimeMetrics} returns. */
export interface RuntimeMetricsRegistration {
  /** The runtime named in `convpool.runtime`. */
  readonly runtime: RuntimeName;
  /** The GC signal named in `convpool.gc.signal`. */
  readonly signal: GcSignal;
  /** Stops reporting (the process-wide observer keeps counting). */
  unregister(): void;
}

/**
 * Registers the observable counter `convpool.runtime.gc.cycles` (Prometheus:
 * `convpool_runtime_gc_cycles_total{convpool_runtime, convpool_gc_signal}`) on a
 * MeterProvider. It reads the process-wide {@linkcode gcCycleObserver}, so several
 * registrations report the same count.
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import { registerRuntimeMetrics } from "./runtime_metrics.ts";
 * const registration = registerRuntimeMetrics({ meterProvider: metrics.getMeterProvider() });
 * registration.unregister();
 * ```
 */
export function registerRuntimeMetrics(
  options: RegisterRuntimeMetricsOptions = {},
): RuntimeMetricsRegistration {
  const provider = options.meterProvider ?? metrics.getMeterProvider();
  const observer = gcCycleObserver();
  const runtime = runtimeName();
  const attributes: Attributes = {
    ...options.attributes,
    [RUNTIME_ATTRIBUTES.runtime]: runtime,
    [RUNTIME_ATTRIBUTES.gcSignal]: observer.signal,
  };
  const counter = provider.getMeter("convpool.runtime").createObservableCounter(
    GC_CYCLES_METRIC.name,
    {
      description: GC_CYCLES_METRIC.description,
      unit: GC_CYCLES_METRIC.unit,
      valueType: ValueType.INT,
    },
  );
  const callback = (result: ObservableResult): void => {
    result.observe(observer.cycles(), attributes);
  };
  counter.addCallback(callback);
  return {
    runtime,
    signal: observer.signal,
    unregister: () => counter.removeCallback(callback),
  };
}
