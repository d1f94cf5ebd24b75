import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { metrics } from "@opentelemetry/api";
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  type MetricProducer,
  MetricReader,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { createEngine } from "../src/alloc/engine.ts";
import { convolve } from "../src/convolve.ts";
import { activeKernelSet } from "../src/kernels/dispatch.ts";
import {
  DEFAULT_WASM_RELEASE_CHECK_MS,
  DEFAULT_WASM_RETAIN_BYTES,
  releaseIdleWasmMemory,
  setWasmMemoryRetention,
  wasmMemoryBytes,
  wasmMemoryReleases,
} from "../src/kernels/wasm/wasm_instance.ts";
import { setWasmKernelsEnabled } from "../src/internal/testing.ts";
import { createDurationProducer } from "../src/telemetry/duration_producer.ts";
import { METRICS } from "../src/telemetry/names.ts";
import { METHOD_INDEX, OPERATION_INDEX } from "../src/metrics/operation_metrics.ts";
import {
  operationSampleWeight,
  recordOperation,
  resetOperationSampling,
  SAMPLE_INTERVAL,
} from "../src/metrics/record.ts";
import { registerMetrics } from "../src/telemetry/register.ts";
import { snapshotCounters } from "../src/parallel/protocol.ts";

class PullReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A known workload on a real engine; returns the engine. */
function runWorkload() {
  const engine = createEngine({ maintenanceIntervalMs: 0, poolMaxBytes: 1024 * 1024 });
  const held = Array.from({ length: 10 }, () => engine.acquireFloat32(1000)); // 10 misses, class 4096 B
  for (const buffer of held) engine.release(buffer); // 10 pooled
  const kept = Array.from({ length: 5 }, () => engine.acquireFloat32(1000)); // 5 hits
  engine.scope(() => {
    engine.acquireFloat32(200); // 800 B on the stack, class 1024 B
  });
  const big = engine.acquireFloat32(1 << 19); // 2 MiB > poolMaxBytes: heap
  engine.release(kept[0]);
  assert.throws(() => engine.release(kept[0])); // double release: misuse
  engine.handleMemoryPressure({ level: "moderate" });
  resetOperationSampling();
  for (let i = 0; i < 1000; i++) {
    const weight = operationSampleWeight(256 * 16);
    const start = weight > 0 ? performance.now() : 0;
    recordOperation(
      engine.metrics,
      OPERATION_INDEX.convolve,
      METHOD_INDEX.direct,
      weight > 0 ? (performance.now() - start) / 1000 : -1,
      weight,
    );
  }
  recordOperation(engine.metrics, OPERATION_INDEX.correlate, METHOD_INDEX.fft, 0.003);
  void big;
  return engine;
}

function byName(list: MetricData[]): Map<string, MetricData> {
  return new Map(list.map((metric) => [metric.descriptor.name, metric]));
}

function valueOf(metric: MetricData | undefined, attributes: Record<string, unknown>): unknown {
  assert.ok(metric, "metric present");
  const point = (metric.dataPoints as { attributes: Record<string, unknown>; value: unknown }[])
    .find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  assert.ok(point, `${metric.descriptor.name} has a point with ${JSON.stringify(attributes)}`);
  return point.value;
}

/** Collects once from a fresh provider with `engine` registered; returns the metrics by name. */
async function collectOnce(engine: ReturnType<typeof createEngine>) {
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  registerMetrics(engine, { meterProvider });
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  await meterProvider.shutdown();
  return byName(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics));
}

/** A convolution large enough to need FFT scratch (in linear memory on the wasm set). */
function convolveLarge(engine: ReturnType<typeof createEngine>): void {
  const signal = new Float32Array(1 << 16).fill(1);
  const kernel = new Float32Array(4096).fill(0.5);
  convolve(signal, kernel, { method: "fft", engine });
}

describe("registerMetrics", () => {
  it("exports every metric with its contract name, unit, attributes and value", async () => {
    const engine = runWorkload();
    const reader = new PullReader({
      metricProducers: [createDurationProducer(engine) as unknown as MetricProducer],
    });
    const meterProvider = new MeterProvider({ readers: [reader] });
    registerMetrics(engine, { meterProvider });
    const { resourceMetrics, errors } = await reader.collect();
    assert.deepEqual(errors, []);
    const all = resourceMetrics.scopeMetrics.flatMap((scope) => {
      assert.equal(scope.scope.name, "convpool");
      return scope.metrics;
    });
    const found = byName(all);

    for (const definition of Object.values(METRICS)) {
      const metric = found.get(definition.name);
      assert.ok(metric, `${definition.name} is exported`);
      assert.equal(metric.descriptor.unit, definition.unit, `${definition.name} unit`);
      assert.equal(metric.descriptor.description, definition.description);
      const expectedType = definition.kind === "histogram"
        ? DataPointType.HISTOGRAM
        : definition.kind === "gauge"
        ? DataPointType.GAUGE
        : DataPointType.SUM;
      assert.equal(metric.dataPointType, expectedType, `${definition.name} type`);
      if (metric.dataPointType === DataPointType.SUM) {
        assert.equal(
          metric.isMonotonic,
          definition.kind === "counter",
          `${definition.name} monotonic`,
        );
      }
      assert.ok(metric.dataPoints.length > 0, `${definition.name} has data points`);
      for (const point of metric.dataPoints) {
        assert.deepEqual(
          Object.keys(point.attributes).sort(),
          [...definition.attributes].sort(),
          `${definition.name} attribute keys`,
        );
      }
    }

    const stats = engine.getStats();
    const ops = found.get("convpool.operations");
    assert.equal(
      valueOf(ops, { "convpool.operation": "convolve", "convpool.method": "direct" }),
      1000,
    );
    assert.equal(valueOf(ops, { "convpool.operation": "correlate", "convpool.method": "fft" }), 1);
    assert.equal(valueOf(ops, { "convpool.operation": "batch", "convpool.method": "direct" }), 0);

    const count = found.get("convpool.allocation.count");
    assert.equal(valueOf(count, { "convpool.source": "pool", "convpool.size_class": 4096 }), 15);
    assert.equal(valueOf(count, { "convpool.source": "stack", "convpool.size_class": 1024 }), 1);
    assert.equal(valueOf(count, { "convpool.source": "heap", "convpool.size_class": 2 ** 21 }), 1);
    const size = found.get("convpool.allocation.size");
    assert.equal(valueOf(size, { "convpool.source": "stack" }), 800);
    assert.equal(valueOf(size, { "convpool.source": "heap" }), 2 ** 21);

    const requests = found.get("convpool.pool.requests");
    assert.equal(
      valueOf(requests, { "convpool.pool.result": "hit", "convpool.size_class": 4096 }),
      5,
    );
    assert.equal(
      valueOf(requests, { "convpool.pool.result": "miss", "convpool.size_class": 4096 }),
      10,
    );
    assert.equal(stats.pool.hits, 5);

    const releases = found.get("convpool.pool.releases");
    assert.equal(valueOf(releases, { "convpool.pool.outcome": "pooled" }), 11);
    assert.equal(valueOf(releases, { "convpool.pool.outcome": "rejected" }), 1);
    const misuse = found.get("convpool.buffer.misuse");
    assert.equal(valueOf(misuse, { "error.type": "double_release" }), 1);
    assert.equal(valueOf(misuse, { "error.type": "leaked" }), 0);

    const buffers = found.get("convpool.pool.buffers");
    assert.equal(
      valueOf(buffers, { "convpool.pool.state": "in_use", "convpool.size_class": 4096 }),
      4,
    );
    assert.equal(
      valueOf(buffers, { "convpool.pool.state": "idle", "convpool.size_class": 4096 }),
      engine.poolLevels().idleBuffers[12],
    );
    assert.ok(
      !buffers?.dataPoints.some((p) => p.attributes["convpool.size_class"] === 1024),
      "a class used only by the stack has no pool series",
    );
    assert.equal(valueOf(found.get("convpool.pool.memory.usage"), {}), stats.pool.bytes);
    assert.equal(valueOf(found.get("convpool.pool.memory.limit"), {}), 1024 * 1024);
    const evicted = found.get("convpool.pool.memory.evicted");
    assert.equal(
      valueOf(evicted, { "convpool.eviction.reason": "pressure" }),
      engine.counters.evictedBytes[1],
    );
    assert.ok((valueOf(evicted, { "convpool.eviction.reason": "pressure" }) as number) > 0);

    assert.equal(valueOf(found.get("convpool.stack.memory.usage"), {}), 0);
    assert.equal(valueOf(found.get("convpool.stack.memory.peak"), {}), 800);
    assert.equal(valueOf(found.get("convpool.stack.memory.limit"), {}), 32768);
    assert.equal(valueOf(found.get("convpool.stack.utilization"), {}), 800 / 32768);
    assert.equal(valueOf(found.get("convpool.stack.overflows"), {}), 0);
    const pressure = found.get("convpool.memory.pressure.events");
    assert.equal(
      valueOf(pressure, {
        "convpool.pressure.level": "moderate",
        "convpool.pressure.trigger": "manual",
      }),
      1,
    );
    assert.equal(valueOf(found.get("convpool.stack.recommended_limit"), {}), 4096);
    assert.equal(
      valueOf(found.get("convpool.pool.recommended_buffers"), { "convpool.size_class": 4096 }),
      13, // peak 10 in use, plus 25%
    );

    const duration = found.get("convpool.operation.duration");
    assert.ok(duration && duration.dataPointType === DataPointType.HISTOGRAM);
    assert.equal(duration.aggregationTemporality, AggregationTemporality.CUMULATIVE);
    const convolve = duration.dataPoints.find((p) =>
      p.attributes["convpool.operation"] === "convolve"
    );
    assert.ok(convolve);
    assert.equal(convolve.value.count, Math.floor(1000 / SAMPLE_INTERVAL) * SAMPLE_INTERVAL);
    assert.equal(convolve.value.buckets.boundaries[0], 1e-7);
    assert.equal(convolve.value.buckets.boundaries.at(-1), 1);
    assert.equal(
      convolve.value.buckets.counts.length,
      convolve.value.buckets.boundaries.length + 1,
    );
    const fft = duration.dataPoints.find((p) => p.attributes["convpool.method"] === "fft");
    assert.ok(fft);
    assert.equal(fft.value.count, 1);
    assert.equal(fft.value.sum, 0.003);
    assert.equal(fft.value.buckets.counts[fft.value.buckets.boundaries.indexOf(5e-3)], 1);

    await meterProvider.shutdown();
    engine.close();
  });

  it("reports the WebAssembly kernels' linear memory after a convolution on the wasm set", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    try {
      convolveLarge(engine);
      assert.equal(activeKernelSet(), "wasm");
      const found = await collectOnce(engine);
      const usage = found.get("convpool.kernel.memory.usage");
      assert.equal(usage?.dataPoints.length, 1);
      const bytes = valueOf(usage, { "convpool.kernel.set": "wasm" });
      assert.equal(bytes, wasmMemoryBytes());
      assert.ok((bytes as number) > 0, `expected linear memory in use, got ${bytes}`);
    } finally {
      engine.close();
    }
  });

  it("reports 0 bytes for the typescript set while the wasm kernels are disabled", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    setWasmKernelsEnabled(false);
    try {
      convolveLarge(engine);
      assert.equal(activeKernelSet(), "typescript");
      const found = await collectOnce(engine);
      const usage = found.get("convpool.kernel.memory.usage");
      assert.equal(usage?.dataPoints.length, 1);
      assert.equal(valueOf(usage, { "convpool.kernel.set": "typescript" }), 0);
    } finally {
      setWasmKernelsEnabled(true);
      engine.close();
    }
  });

  it("reads the kernels' memory without instantiating them (after idle memory was given back)", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    try {
      convolveLarge(engine);
      assert.ok(wasmMemoryBytes() > 0);
      setWasmMemoryRetention(0, DEFAULT_WASM_RELEASE_CHECK_MS);
      const releases = wasmMemoryReleases();
      // The first check only closes the window in which the convolution needed memory.
      releaseIdleWasmMemory();
      releaseIdleWasmMemory();
      assert.equal(wasmMemoryReleases(), releases + 1);
      assert.equal(wasmMemoryBytes(), 0);
      for (let scrape = 0; scrape < 3; scrape++) {
        const found = await collectOnce(engine);
        const usage = found.get("convpool.kernel.memory.usage");
        assert.equal(valueOf(usage, { "convpool.kernel.set": "wasm" }), 0);
      }
      assert.equal(wasmMemoryBytes(), 0, "a scrape instantiated the WebAssembly kernels");
      convolveLarge(engine);
      assert.ok(wasmMemoryBytes() > 0, "a convolution after the scrapes instantiates them");
    } finally {
      setWasmMemoryRetention(DEFAULT_WASM_RETAIN_BYTES, DEFAULT_WASM_RELEASE_CHECK_MS);
      engine.close();
    }
  });

  it("changes nothing it reads: counts, metrics, levels and stats are the same after a scrape", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    try {
      const held = engine.acquireFloat32(1000);
      engine.release(engine.acquireFloat32(300));
      convolve(new Float32Array(64), new Float32Array(5), { engine });
      const before = {
        counts: snapshotCounters(engine),
        levels: engine.poolLevels(),
        stats: engine.getStats(),
        timing: engine.metrics.timing,
      };
      await collectOnce(engine);
      await collectOnce(engine);
      assert.deepEqual(snapshotCounters(engine), before.counts);
      assert.deepEqual(engine.poolLevels(), before.levels);
      assert.deepEqual(engine.getStats(), before.stats);
      assert.equal(engine.metrics.timing, before.timing);
      engine.release(held);
    } finally {
      engine.close();
    }
  });

  it("works with the global MeterProvider and a periodic exporting reader", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    for (let i = 0; i < 1000; i++) recordOperation(engine.metrics, 0, 0, -1);
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [createDurationProducer(engine) as unknown as MetricProducer],
    });
    const meterProvider = new MeterProvider({ readers: [reader] });
    assert.ok(metrics.setGlobalMeterProvider(meterProvider));
    try {
      const registration = registerMetrics(engine);
      await reader.forceFlush();
      const exported = exporter.getMetrics().at(-1);
      assert.ok(exported);
      const found = byName(exported.scopeMetrics.flatMap((scope) => scope.metrics));
      assert.equal(
        valueOf(found.get("convpool.operations"), {
          "convpool.operation": "convolve",
          "convpool.method": "direct",
        }),
        1000,
      );
      registration.unregister();
    } finally {
      metrics.disable();
      await meterProvider.shutdown();
      engine.close();
    }
  });

  it("tells engines apart with extra attributes in one provider", async () => {
    const a = createEngine({ maintenanceIntervalMs: 0 });
    const b = createEngine({ maintenanceIntervalMs: 0 });
    recordOperation(a.metrics, 0, 0, -1);
    recordOperation(b.metrics, 0, 0, -1);
    recordOperation(b.metrics, 0, 0, -1);
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    registerMetrics(a, { meterProvider, attributes: { "convpool.engine": "a" } });
    const second = registerMetrics(b, { meterProvider, attributes: { "convpool.engine": "b" } });
    const { resourceMetrics } = await reader.collect();
    const ops = byName(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics)).get(
      "convpool.operations",
    );
    const direct = { "convpool.operation": "convolve", "convpool.method": "direct" };
    assert.equal(valueOf(ops, { ...direct, "convpool.engine": "a" }), 1);
    assert.equal(valueOf(ops, { ...direct, "convpool.engine": "b" }), 2);
    second.unregister();
    recordOperation(a.metrics, 0, 0, -1);
    recordOperation(b.metrics, 0, 0, -1);
    const later = await reader.collect();
    const opsLater = byName(later.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics)).get(
      "convpool.operations",
    );
    assert.equal(valueOf(opsLater, { ...direct, "convpool.engine": "a" }), 2);
    // A cumulative reader may repeat b's last values, but b is no longer read.
    const bLater = (opsLater?.dataPoints ?? []).find((p) =>
      p.attributes["convpool.engine"] === "b" && p.attributes["convpool.method"] === "direct" &&
      p.attributes["convpool.operation"] === "convolve"
    );
    assert.notEqual(bLater?.value, 3);
    await meterProvider.shutdown();
    a.close();
    b.close();
  });
});

after(() => metrics.disable());
