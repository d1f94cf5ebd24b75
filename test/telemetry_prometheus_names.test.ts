import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { METRICS } from "../src/telemetry/names.ts";
import {
  prometheusName,
  prometheusNameOf,
  prometheusUnit,
} from "../src/telemetry/prometheus_names.ts";

const EXPECTED: Record<string, string> = {
  "convpool.allocation.count": "convpool_allocation_count_total",
  "convpool.allocation.size": "convpool_allocation_size_bytes_total",
  "convpool.pool.requests": "convpool_pool_requests_total",
  "convpool.pool.releases": "convpool_pool_releases_total",
  "convpool.pool.buffers": "convpool_pool_buffers",
  "convpool.pool.buffers.limit": "convpool_pool_buffers_limit",
  "convpool.heap.fallbacks": "convpool_heap_fallbacks_total",
  "convpool.pool.memory.usage": "convpool_pool_memory_usage_bytes",
  "convpool.pool.memory.limit": "convpool_pool_memory_limit_bytes",
  "convpool.pool.memory.evicted": "convpool_pool_memory_evicted_bytes_total",
  "convpool.stack.memory.usage": "convpool_stack_memory_usage_bytes",
  "convpool.stack.memory.peak": "convpool_stack_memory_peak_bytes",
  "convpool.stack.memory.limit": "convpool_stack_memory_limit_bytes",
  "convpool.stack.utilization": "convpool_stack_utilization_ratio",
  "convpool.stack.window_peak": "convpool_stack_window_peak_bytes",
  "convpool.stack.window_utilization": "convpool_stack_window_utilization_ratio",
  "convpool.stack.overflows": "convpool_stack_overflows_total",
  "convpool.memory.pressure.events": "convpool_memory_pressure_events_total",
  "convpool.operations": "convpool_operations_total",
  "convpool.operation.duration": "convpool_operation_duration_seconds",
  "convpool.buffer.misuse": "convpool_buffer_misuse_total",
  "convpool.kernel.memory.usage": "convpool_kernel_memory_usage_bytes",
  "convpool.stack.recommended_limit": "convpool_stack_recommended_limit_bytes",
  "convpool.pool.recommended_buffers": "convpool_pool_recommended_buffers",
  "convpool.autotune.adjustments": "convpool_autotune_adjustments_total",
};

describe("prometheusName", () => {
  it("translates every convpool metric to its documented Prometheus name", () => {
    for (const metric of Object.values(METRICS)) {
      assert.equal(prometheusNameOf(metric), EXPECTED[metric.name], metric.name);
    }
    assert.equal(Object.keys(METRICS).length, Object.keys(EXPECTED).length);
  });

  it("adds ratio for unit 1 on gauges only and drops annotations", () => {
    assert.equal(prometheusUnit("1", "gauge"), "ratio");
    assert.equal(prometheusUnit("1", "counter"), "");
    assert.equal(prometheusUnit("{buffer}", "gauge"), "");
    assert.equal(prometheusUnit("By", "counter"), "bytes");
  });

  it("does not repeat a suffix the name already has", () => {
    assert.equal(prometheusName("x.size_bytes", "By", "gauge"), "x_size_bytes");
    assert.equal(prometheusName("x.requests_total", "{request}", "counter"), "x_requests_total");
  });
});
