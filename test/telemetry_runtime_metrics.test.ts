import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { createEngine } from "../src/alloc/engine.ts";
import { createMetricsHandler } from "../src/prometheus.ts";
import {
  createGcCycleObserver,
  GC_CYCLES_METRIC,
  gcCycleObserver,
  registerRuntimeMetrics,
  RUNTIME_ATTRIBUTES,
} from "../src/telemetry/runtime_metrics.ts";
import { exposeGc } from "./helpers/heap_probe.ts";

class PullReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The runtime running this test, told apart the way the test runners are. */
function testRuntime(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
}

/** Forces collections, yielding to the event loop so that finalizers can run. */
async function collectUntil(done: () => boolean, rounds = 50): Promise<void> {
  const gc = exposeGc();
  assert.ok(gc !== undefined, "no way to force a garbage collection on this runtime");
  for (let i = 0; i < rounds && !done(); i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

describe("createGcCycleObserver", () => {
  it('uses "gc" performance entries only where the runtime lists them', () => {
    assert.equal(createGcCycleObserver({}).signal, "finalization_sentinel");
    class NoGc {
      static supportedEntryTypes = ["mark", "measure"];
      observe(_options: { entryTypes: string[] }): void {}
      disconnect(): void {}
    }
    assert.equal(
      createGcCycleObserver({ PerformanceObserver: NoGc }).signal,
      "finalization_sentinel",
    );
    const observed: string[][] = [];
    class WithGc extends NoGc {
      static override supportedEntryTypes = ["gc", "mark"];
      override observe(options: { entryTypes: string[] }): void {
        observed.push(options.entryTypes);
      }
    }
    assert.equal(
      createGcCycleObserver({ PerformanceObserver: WithGc }).signal,
      "performance_observer",
    );
    assert.deepEqual(observed, [["gc"]]);
  });

  it("falls back to the sentinel when observing gc entries throws", () => {
    class Throws {
      static supportedEntryTypes = ["gc"];
      observe(): void {
        throw new TypeError("not supported");
      }
      disconnect(): void {}
    }
    assert.equal(
      createGcCycleObserver({ PerformanceObserver: Throws }).signal,
      "finalization_sentinel",
    );
  });

  it("counts forced collections through the FinalizationRegistry sentinel", async () => {
    const observer = createGcCycleObserver({});
    assert.equal(observer.cycles(), 0);
    await collectUntil(() => observer.cycles() >= 3);
    assert.ok(observer.cycles() >= 3, `only ${observer.cycles()} cycles seen`);
  });

  it("picks the best signal of this runtime and sees forced collections", async () => {
    const observer = gcCycleObserver();
    assert.equal(observer, gcCycleObserver());
    assert.equal(
      observer.signal,
      testRuntime() === "node" ? "performance_observer" : "finalization_sentinel",
    );
    const before = observer.cycles();
    await collectUntil(() => observer.cycles() > before);
    assert.ok(observer.cycles() > before);
  });
});

describe("registerRuntimeMetrics", () => {
  it("reports convpool.runtime.gc.cycles as a monotonic counter with runtime and signal", async () => {
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const registration = registerRuntimeMetrics({
      meterProvider,
      attributes: { "service.role": "test" },
    });
    assert.equal(registration.runtime, testRuntime());
    await collectUntil(() => gcCycleObserver().cycles() > 0);
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === GC_CYCLES_METRIC.name);
    assert.ok(metric !== undefined);
    assert.equal(metric.descriptor.unit, "{cycle}");
    assert.equal(metric.descriptor.description, GC_CYCLES_METRIC.description);
    assert.equal(metric.dataPoints.length, 1);
    const point = metric.dataPoints[0];
    assert.deepEqual(point.attributes, {
      "service.role": "test",
      [RUNTIME_ATTRIBUTES.runtime]: testRuntime(),
      [RUNTIME_ATTRIBUTES.gcSignal]: registration.signal,
    });
    assert.ok(typeof point.value === "number" && point.value > 0);
    registration.unregister();
    await meterProvider.shutdown();
  });
});

describe("the Prometheus endpoint", () => {
  const engine = createEngine({ maintenanceIntervalMs: 0 });

  it("serves convpool_runtime_gc_cycles_total with the runtime's HELP text", async () => {
    await collectUntil(() => gcCycleObserver().cycles() > 0);
    const handler = createMetricsHandler({ engine });
    const text = await (await handler(new Request("http://localhost/metrics"))).text();
    assert.match(text, /^# HELP convpool_runtime_gc_cycles_total Garbage-collection cycles/m);
    assert.match(text, /^# TYPE convpool_runtime_gc_cycles_total counter$/m);
    const line = new RegExp(
      `^convpool_runtime_gc_cycles_total\\{convpool_runtime="${testRuntime()}",` +
        `convpool_gc_signal="${gcCycleObserver().signal}"[^}]*\\} ([0-9]+)$`,
      "m",
    ).exec(text);
    assert.ok(line !== null, text);
    assert.ok(Number(line[1]) > 0);
  });

  it("leaves it out with defaultMetrics: false", async () => {
    const handler = createMetricsHandler({ engine, defaultMetrics: false });
    const text = await (await handler(new Request("http://localhost/metrics"))).text();
    assert.doesNotMatch(text, /convpool_runtime_gc_cycles/);
  });
});
