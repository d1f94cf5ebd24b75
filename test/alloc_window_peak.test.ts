import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StackArena } from "../src/alloc/stack_arena.ts";
import { AllocationCounters } from "../src/alloc/counters.ts";
import { createEngine } from "../src/alloc/engine.ts";
import { SizeClassPool } from "../src/alloc/size_class_pool.ts";
import { createMetricsHandler } from "../src/prometheus.ts";

function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series));
  assert.ok(line, `a sample starting with ${series}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("the windowed stack peak", () => {
  it("tracks the peak since the last window start, beside the lifetime peak", () => {
    const arena = new StackArena(1024);
    arena.takeScratchFloat64(64); // 512 bytes
    arena.popTo(0, false);
    arena.resetWindowPeak();
    assert.equal(arena.peak, 512);
    assert.equal(arena.windowPeak, 0);
    arena.takeFloat32(16); // 64 bytes
    assert.equal(arena.windowPeak, 64);
    arena.resetPeak();
    assert.deepEqual([arena.peak, arena.windowPeak], [64, 64]);
  });

  it("recovers after a spike once a maintenance pass has run; resetPeaks resets both", () => {
    const engine = createEngine({ stackBytes: 8192, maintenanceIntervalMs: 0 });
    engine.scope(() => {
      engine.acquireFloat64(256).fill(0);
    }); // a 2 KiB spike
    let stack = engine.getStats().stack;
    assert.deepEqual(
      [stack.peakBytes, stack.windowPeakBytes, stack.efficiency, stack.windowEfficiency],
      [2048, 2048, 0.25, 0.25],
    );
    engine.maintain();
    engine.scope(() => {
      engine.acquireFloat32(128).fill(0);
    }); // 512 bytes
    stack = engine.getStats().stack;
    assert.deepEqual(
      [stack.peakBytes, stack.windowPeakBytes, stack.efficiency, stack.windowEfficiency],
      [2048, 512, 0.25, 0.0625],
    );
    engine.maintain();
    assert.equal(engine.getStats().stack.windowPeakBytes, 0);
    engine.scope(() => {
      engine.acquireFloat32(128).fill(0);
    });
    engine.resetPeaks();
    stack = engine.getStats().stack;
    assert.deepEqual([stack.peakBytes, stack.windowPeakBytes], [0, 0]);
  });

  it("restarts the window per-class buffer peaks at each pass, not the lifetime ones", () => {
    const pool = new SizeClassPool(new AllocationCounters(), {
      maxBytes: 1 << 20,
      maxBuffersPerClass: 8,
    });
    const held = [pool.acquire(4, 1000)!, pool.acquire(4, 1000)!];
    for (const buffer of held) pool.release(buffer);
    assert.equal(pool.windowPeakInUse[12], 2);
    pool.startWindow();
    assert.equal(pool.windowPeakInUse[12], 0);
    assert.equal(pool.levels().peakInUseBuffers[12], 2);
  });

  it("keeps the lifetime per-class peak of an engine across maintenance passes", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const held = [engine.acquireFloat32(1000), engine.acquireFloat32(1000)];
    for (const buffer of held) engine.release(buffer);
    engine.maintain();
    assert.equal(engine.poolLevels().peakInUseBuffers[12], 2);
    engine.resetPeaks();
    assert.equal(engine.poolLevels().peakInUseBuffers[12], 0);
  });

  it("is exported on /metrics next to the autoTune adjustments", async () => {
    const engine = createEngine({
      stackBytes: 4096,
      maintenanceIntervalMs: 0,
      autoTune: true,
    });
    const ws = engine.beginOperation();
    for (let i = 0; i < 3; i++) ws.takeFloat64(256); // 6 KiB into a 4 KiB arena
    engine.endOperation();
    engine.maintain(); // grows the stack to 16 KiB
    engine.scope(() => {
      engine.acquireFloat32(256).fill(0);
    }); // 1 KiB in the new window
    const text = await (await createMetricsHandler({ engine })(
      new Request("http://127.0.0.1/metrics"),
    )).text();
    assert.equal(sample(text, "convpool_stack_window_peak_bytes"), 1024);
    assert.equal(sample(text, "convpool_stack_window_utilization_ratio"), 1024 / 16384);
    assert.equal(
      sample(
        text,
        'convpool_autotune_adjustments_total{convpool_setting="stack_bytes",convpool_direction="up"',
      ),
      1,
    );
    assert.equal(
      sample(
        text,
        'convpool_autotune_adjustments_total{convpool_setting="stack_bytes",convpool_direction="down"',
      ),
      0,
    );
    engine.close();
  });
});
