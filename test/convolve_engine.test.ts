import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convolve, correlate, createEngine, getDefaultEngine } from "../mod.ts";
import { METHOD_INDEX, OPERATION_INDEX, pairIndex } from "../src/metrics/operation_metrics.ts";
import type { KernelMethod } from "../src/types.ts";
import type { Operation } from "../src/metrics/operation_metrics.ts";
import { setWasmKernelsEnabled } from "../src/internal/testing.ts";
import { randomSignal } from "./helpers/reference.ts";

function operationCount(
  counters: { operations: Float64Array },
  op: string,
  method: string,
): number {
  return counters
    .operations[
      pairIndex(OPERATION_INDEX[op as Operation], METHOD_INDEX[method as KernelMethod])
    ];
}

describe("convolve and correlate on an engine", () => {
  it("count every operation exactly, by operation and the kernel that ran", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const x = randomSignal(Float32Array, 256, 1);
    const h = randomSignal(Float32Array, 16, 2);
    const options = { engine, method: "direct" as const, out: new Float32Array(271) };
    for (let i = 0; i < 1000; i++) convolve(x, h, options);
    for (let i = 0; i < 10; i++) correlate(x, h, { engine, method: "fft" });
    assert.equal(operationCount(engine.metrics, "convolve", "direct"), 1000);
    const fftLike = operationCount(engine.metrics, "correlate", "fft") +
      operationCount(engine.metrics, "correlate", "overlap_add");
    assert.equal(fftLike, 10);
    engine.close();
  });

  it("take the TypeScript FFT kernels' scratch from the engine and give it all back", () => {
    setWasmKernelsEnabled(false);
    try {
      fftScratchComesFromTheEngine();
    } finally {
      setWasmKernelsEnabled(true);
    }
  });

  it("take no engine scratch on the WebAssembly kernels, which work in their own memory", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    convolve(randomSignal(Float64Array, 5000, 3), randomSignal(Float64Array, 300, 4), {
      engine,
      method: "fft",
    });
    const stats = engine.getStats();
    assert.equal(
      stats.pool.misses + stats.pool.hits + stats.stack.allocations + stats.heap.allocations,
      0,
    );
    engine.close();
  });
});

function fftScratchComesFromTheEngine(): void {
  const engine = createEngine({ maintenanceIntervalMs: 0 });
  const x = randomSignal(Float64Array, 5000, 3);
  const h = randomSignal(Float64Array, 300, 4);
  convolve(x, h, { engine, method: "fft" });
  const stats = engine.getStats();
  assert.ok(
    stats.pool.misses + stats.pool.hits + stats.stack.allocations > 0,
    "scratch came from the engine",
  );
  assert.equal(stats.stack.usedBytes, 0, "the stack is unwound after the operation");
  convolve(x, h, { engine, method: "fft" });
  assert.equal(
    engine.getStats().pool.misses,
    stats.pool.misses,
    "the second call reuses the scratch",
  );
  engine.close();
}

describe("operation counting", () => {
  it("still counts operations with telemetry off, without timing them", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0, telemetry: false });
    const x = randomSignal(Float32Array, 100_000, 5);
    convolve(x, new Float32Array(64), { engine });
    assert.equal(engine.metrics.operations.reduce((a, b) => a + b, 0), 1);
    assert.equal(engine.metrics.durationCount.reduce((a, b) => a + b, 0), 0);
    engine.close();
  });

  it("time large operations (2^24 multiply-adds and more) always", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const x = randomSignal(Float32Array, 100_000, 6);
    convolve(x, new Float32Array(256), { engine });
    assert.equal(engine.metrics.durationCount.reduce((a, b) => a + b, 0), 1);
    engine.close();
  });

  it("use the default engine when none is given", () => {
    const before = getDefaultEngine().metrics.operations.reduce((a, b) => a + b, 0);
    convolve(new Float32Array(4), new Float32Array(2));
    assert.equal(getDefaultEngine().metrics.operations.reduce((a, b) => a + b, 0), before + 1);
  });

  it("reject an engine that createEngine did not make", () => {
    assert.throws(
      () => convolve(new Float32Array(4), new Float32Array(2), { engine: {} as never }),
      {
        name: "TypeError",
        message: /engine must be an engine made by createEngine\(\), received object Object/,
      },
    );
  });

  it("leave the engine's counters untouched when the input is rejected", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    assert.throws(() => convolve(new Float32Array(0), new Float32Array(2), { engine }), RangeError);
    assert.equal(engine.metrics.operations.reduce((a, b) => a + b, 0), 0);
    engine.close();
  });
});
