import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DURATION_BOUNDS_SECONDS,
  METHOD_INDEX,
  OPERATION_INDEX,
  OperationMetrics,
} from "../src/metrics/operation_metrics.ts";
import {
  AGGREGATION_TEMPORALITY_CUMULATIVE,
  createDurationProducer,
  DATA_POINT_TYPE_HISTOGRAM,
} from "../src/telemetry/duration_producer.ts";
import { recordOperation } from "../src/metrics/record.ts";

describe("createDurationProducer", () => {
  it("produces no histogram before any operation is timed", async () => {
    const metrics = new OperationMetrics();
    recordOperation(metrics, 0, 0, -1);
    const { resourceMetrics, errors } = await createDurationProducer({ metrics }).collect();
    assert.deepEqual(errors, []);
    assert.deepEqual(resourceMetrics.scopeMetrics[0].metrics, []);
  });

  it("hands over the pre-aggregated buckets as one cumulative point per pair", async () => {
    const metrics = new OperationMetrics();
    recordOperation(metrics, OPERATION_INDEX.batch, METHOD_INDEX.overlap_add, 0.015);
    recordOperation(metrics, OPERATION_INDEX.batch, METHOD_INDEX.overlap_add, 0.4);
    recordOperation(metrics, OPERATION_INDEX.convolve, METHOD_INDEX.direct, 3e-7, 128);
    const producer = createDurationProducer({ metrics }, {
      attributes: { "convpool.engine": "e1" },
      version: "0.1.0",
    });
    const { resourceMetrics } = await producer.collect();
    const scope = resourceMetrics.scopeMetrics[0];
    assert.deepEqual(scope.scope, { name: "convpool", version: "0.1.0" });
    const [metric] = scope.metrics;
    assert.equal(metric.descriptor.name, "convpool.operation.duration");
    assert.equal(metric.descriptor.unit, "s");
    assert.equal(metric.dataPointType, DATA_POINT_TYPE_HISTOGRAM);
    assert.equal(metric.aggregationTemporality, AGGREGATION_TEMPORALITY_CUMULATIVE);
    assert.equal(metric.dataPoints.length, 2);
    const batch = metric.dataPoints.find((p) => p.attributes["convpool.operation"] === "batch");
    assert.ok(batch);
    assert.deepEqual(batch.attributes, {
      "convpool.engine": "e1",
      "convpool.operation": "batch",
      "convpool.method": "overlap_add",
    });
    assert.deepEqual(batch.value.buckets.boundaries, DURATION_BOUNDS_SECONDS);
    assert.equal(batch.value.count, 2);
    assert.ok(Math.abs((batch.value.sum ?? 0) - 0.415) < 1e-12);
    const counts = batch.value.buckets.counts;
    assert.equal(counts[DURATION_BOUNDS_SECONDS.indexOf(0.02)], 1);
    assert.equal(counts[DURATION_BOUNDS_SECONDS.indexOf(0.5)], 1);
    assert.equal(counts.reduce((a, b) => a + b, 0), 2);
    const convolve = metric.dataPoints.find((p) =>
      p.attributes["convpool.operation"] === "convolve"
    );
    assert.equal(convolve?.value.count, 128);
  });

  it("reports a start time that stays fixed and an end time that advances", async () => {
    const metrics = new OperationMetrics();
    recordOperation(metrics, 0, 0, 1e-6);
    const producer = createDurationProducer({ metrics });
    const first =
      (await producer.collect()).resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0];
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second =
      (await producer.collect()).resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0];
    assert.deepEqual(first.startTime, second.startTime);
    const ms = (t: readonly [number, number]) => t[0] * 1000 + t[1] / 1e6;
    assert.ok(ms(second.endTime) >= ms(first.endTime));
    assert.ok(ms(first.endTime) >= ms(first.startTime));
  });
});
