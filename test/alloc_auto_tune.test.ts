import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AutoTuner,
  autoTuneSettings,
  DEFAULT_AUTO_TUNE,
  type TuningWindow,
} from "../src/alloc/auto_tune.ts";
import { type AllocationEngine, createEngine } from "../src/alloc/engine.ts";

const STACK_UP = 0, STACK_DOWN = 1, POOL_UP = 2, POOL_DOWN = 3;

/** Scratch of `takes` x 256 float64 (2 KiB each) in one operation, `rounds` times. */
function stackWork(engine: AllocationEngine, takes: number, rounds: number): void {
  for (let r = 0; r < rounds; r++) {
    const ws = engine.beginOperation();
    try {
      for (let t = 0; t < takes; t++) ws.takeFloat64(256).fill(1);
    } finally {
      engine.endOperation();
    }
  }
}

/** Holds `small` 4 KiB-class and `large` 32 KiB-class results at once, then releases them. */
function poolWork(engine: AllocationEngine, small: number, large: number, rounds: number): void {
  const held: (Float32Array | Float64Array)[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < small; i++) held.push(engine.acquireFloat32(1000));
    for (let i = 0; i < large; i++) held.push(engine.acquireFloat64(3000));
    for (const buffer of held) engine.release(buffer);
    held.length = 0;
  }
}

function steady(engine: AllocationEngine): void {
  stackWork(engine, 6, 50); // 12 KiB of stack scratch per operation
  poolWork(engine, 8, 4, 50);
}

/** Figures of one window: pool hits and misses, stack overflows, heap allocations. */
function windowOf(engine: AllocationEngine, work: () => void) {
  const before = engine.getStats();
  work();
  const after = engine.getStats();
  const hits = after.pool.hits - before.pool.hits;
  const misses = after.pool.misses - before.pool.misses;
  return {
    hitRatio: hits / (hits + misses),
    overflows: after.stack.overflows - before.stack.overflows,
    heap: after.heap.allocations - before.heap.allocations,
  };
}

const MIS_SIZED = { stackBytes: 4096, poolMaxBuffersPerClass: 1, maintenanceIntervalMs: 0 };

describe("autoTune closes the loop", () => {
  it("takes a mis-sized engine to >= 99% pool hits and no stack overflow within a few passes", () => {
    const engine = createEngine({ ...MIS_SIZED, autoTune: true });
    const first = windowOf(engine, () => steady(engine));
    assert.ok(first.overflows > 0 && first.hitRatio < 0.9, JSON.stringify(first));
    let passes = 0;
    let window = first;
    while (passes < 6 && (window.overflows > 0 || window.hitRatio < 0.99)) {
      engine.maintain();
      passes++;
      window = windowOf(engine, () => steady(engine));
    }
    assert.ok(window.hitRatio >= 0.99, `hit ratio ${window.hitRatio} after ${passes} passes`);
    assert.equal(window.overflows, 0);
    assert.equal(window.heap, 0);
    assert.ok(passes <= 4, `${passes} passes`);
    // From here on the same workload stays all hits without overflow, and the
    // settings settle on the hints: 12 KiB of stack demand x1.25 as a power of two,
    // and 8 buffers of one class at once x1.25.
    const adjustments = engine.counters.autoTuneAdjustments;
    let settled: number[] = [];
    for (let pass = 0; pass < 20; pass++) {
      engine.maintain();
      if (pass === 2) settled = Array.from(adjustments);
      const steadyWindow = windowOf(engine, () => steady(engine));
      assert.ok(steadyWindow.hitRatio >= 0.99, `pass ${pass}: ${steadyWindow.hitRatio}`);
      assert.equal(steadyWindow.overflows, 0);
      assert.equal(steadyWindow.heap, 0);
    }
    assert.deepEqual(Array.from(adjustments), settled);
    assert.equal(engine.config.stackBytes, 16384);
    assert.equal(engine.config.poolMaxBuffersPerClass, 10);
    assert.ok(adjustments[STACK_UP] >= 1 && adjustments[POOL_UP] >= 1);
    assert.equal(adjustments[STACK_DOWN] + adjustments[POOL_DOWN], 0);
  });

  it("changes nothing without autoTune", () => {
    const engine = createEngine(MIS_SIZED);
    for (let pass = 0; pass < 6; pass++) {
      steady(engine);
      engine.maintain();
    }
    assert.equal(engine.config.stackBytes, 4096);
    assert.equal(engine.config.poolMaxBuffersPerClass, 1);
    assert.deepEqual(Array.from(engine.counters.autoTuneAdjustments), [0, 0, 0, 0]);
    assert.ok(windowOf(engine, () => steady(engine)).overflows > 0);
  });

  it("never passes maxStackBytes, maxBuffersPerClass or poolMaxBytes", () => {
    const engine = createEngine({
      ...MIS_SIZED,
      autoTune: { maxStackBytes: 8192, maxBuffersPerClass: 4 },
    });
    for (let pass = 0; pass < 8; pass++) {
      steady(engine);
      engine.maintain();
      assert.ok(engine.config.stackBytes <= 8192);
      assert.ok(engine.config.poolMaxBuffersPerClass <= 4);
    }
    assert.equal(engine.config.stackBytes, 8192);
    assert.equal(engine.config.poolMaxBuffersPerClass, 4);

    // Four 32 KiB buffers at once, but the pool may hold 64 KiB: two per class at most.
    const small = createEngine({ ...MIS_SIZED, poolMaxBytes: 65536, autoTune: true });
    for (let pass = 0; pass < 8; pass++) {
      poolWork(small, 0, 4, 20);
      small.maintain();
      assert.ok(small.getStats().pool.bytes <= 65536);
    }
    assert.equal(small.config.poolMaxBuffersPerClass, 2);
    assert.equal(small.config.poolMaxBytes, 65536);
  });

  it("does not flap under a workload that alternates between heavy and light passes", () => {
    const engine = createEngine({ ...MIS_SIZED, autoTune: true });
    const adjustments = engine.counters.autoTuneAdjustments;
    let settled: number[] = [];
    for (let pass = 0; pass < 40; pass++) {
      if (pass % 2 === 0) steady(engine);
      else {
        stackWork(engine, 1, 50);
        poolWork(engine, 1, 1, 50);
      }
      engine.maintain();
      if (pass === 5) settled = Array.from(adjustments);
    }
    assert.deepEqual(Array.from(adjustments), settled);
    assert.equal(adjustments[STACK_DOWN] + adjustments[POOL_DOWN], 0);
    assert.equal(engine.config.stackBytes, 16384);
    assert.equal(engine.config.poolMaxBuffersPerClass, 10);
  });

  it("shrinks after shrinkAfterPasses light passes, by at most half per step", () => {
    const engine = createEngine({
      stackBytes: 65536,
      poolMaxBuffersPerClass: 32,
      maintenanceIntervalMs: 0,
      autoTune: { shrinkAfterPasses: 3 },
    });
    const stacks: number[] = [];
    const bounds: number[] = [];
    for (let pass = 0; pass < 12; pass++) {
      stackWork(engine, 1, 10); // 2 KiB: hint 4096
      poolWork(engine, 2, 0, 10); // 2 at once: hint 3
      engine.maintain();
      stacks.push(engine.config.stackBytes);
      bounds.push(engine.config.poolMaxBuffersPerClass);
    }
    assert.deepEqual(stacks, [
      65536,
      65536,
      32768,
      32768,
      32768,
      16384,
      16384,
      16384,
      8192,
      8192,
      8192,
      4096,
    ]);
    assert.deepEqual(bounds, [32, 32, 16, 16, 16, 8, 8, 8, 4, 4, 4, 4]);
    assert.equal(engine.counters.autoTuneAdjustments[STACK_DOWN], 4);
    assert.equal(engine.counters.autoTuneAdjustments[POOL_DOWN], 3);
  });

  it("leaves settings alone over windows without traffic, and under memory pressure", () => {
    const engine = createEngine({ ...MIS_SIZED, autoTune: true });
    for (let pass = 0; pass < 20; pass++) engine.maintain();
    assert.equal(engine.config.stackBytes, 4096);
    assert.equal(engine.config.poolMaxBuffersPerClass, 1);

    const pressed = createEngine({
      ...MIS_SIZED,
      autoTune: true,
      pressureModerateHeapBytes: 1,
      readMemoryUsage: () => ({ rss: 10, heapUsed: 10 }),
    });
    steady(pressed);
    pressed.maintain();
    assert.equal(pressed.config.stackBytes, 4096);
    assert.deepEqual(Array.from(pressed.counters.autoTuneAdjustments), [0, 0, 0, 0]);
  });

  it("waits with the stack while a scope is open, and moves it on a later pass", () => {
    const engine = createEngine({ ...MIS_SIZED, autoTune: true });
    steady(engine);
    engine.scope(() => engine.maintain());
    assert.equal(engine.config.stackBytes, 4096);
    assert.equal(engine.config.poolMaxBuffersPerClass, 3); // the pool bound does not wait
    steady(engine);
    engine.maintain();
    assert.equal(engine.config.stackBytes, 16384);
  });

  it("turns on and off with configure(), keeping the tuned values", () => {
    const engine = createEngine(MIS_SIZED);
    steady(engine);
    engine.maintain();
    assert.equal(engine.config.stackBytes, 4096);
    engine.configure({ autoTune: { growAfterPasses: 1 } });
    steady(engine);
    engine.maintain();
    assert.equal(engine.config.stackBytes, 16384);
    engine.configure({ autoTune: false });
    stackWork(engine, 20, 5);
    engine.maintain();
    assert.equal(engine.config.stackBytes, 16384);
  });
});

describe("autoTune validation", () => {
  it("rejects bad values in the one error style and changes nothing", () => {
    const engine = createEngine({ ...MIS_SIZED, autoTune: { maxStackBytes: 65536 } });
    const before = engine.config;
    const cases: [unknown, RegExp, typeof TypeError | typeof RangeError][] = [
      [
        "yes",
        /^configure: config\.autoTune must be a boolean or an object of options, received "yes"$/,
        TypeError,
      ],
      [
        [],
        /^configure: config\.autoTune must be a boolean or an object of options, received/,
        TypeError,
      ],
      [
        { hysteresis: 2 },
        /^configure: a config\.autoTune key must be one of maxStackBytes, .*, received "hysteresis"$/,
        TypeError,
      ],
      [
        { maxStackBytes: 100 },
        /^configure: config\.autoTune\.maxStackBytes must be a multiple of 8, received number 100$/,
        RangeError,
      ],
      [
        { maxStackBytes: 2 ** 29 },
        /^configure: config\.autoTune\.maxStackBytes must be an integer in \[0, 268435456\]/,
        RangeError,
      ],
      [
        { maxBuffersPerClass: 0 },
        /^configure: config\.autoTune\.maxBuffersPerClass must be an integer in \[1, 1048576\], received number 0$/,
        RangeError,
      ],
      [
        { shrinkAfterPasses: 1.5 },
        /^configure: config\.autoTune\.shrinkAfterPasses must be an integer/,
        RangeError,
      ],
      [
        { growAfterPasses: "2" },
        /^configure: config\.autoTune\.growAfterPasses must be a number, received "2"$/,
        TypeError,
      ],
    ];
    for (const [value, message, type] of cases) {
      assert.throws(() => engine.configure({ autoTune: value as boolean }), (error: unknown) => {
        assert.ok(error instanceof type, String(error));
        assert.match((error as Error).message, message);
        return true;
      });
      assert.throws(() => createEngine({ autoTune: value as boolean }), type);
    }
    assert.deepEqual(engine.config, before);
    // A normal pass right after still tunes exactly.
    steady(engine);
    engine.maintain();
    assert.equal(engine.config.stackBytes, 16384);
  });

  it("keeps a private copy of the options object", () => {
    const options = { maxStackBytes: 8192 };
    const engine = createEngine({ ...MIS_SIZED, autoTune: options });
    options.maxStackBytes = 1 << 20;
    for (let pass = 0; pass < 4; pass++) {
      steady(engine);
      engine.maintain();
    }
    assert.equal(engine.config.stackBytes, 8192);
    assert.deepEqual(engine.config.autoTune, { maxStackBytes: 8192 });
  });

  it("resolves true and partial options onto the defaults", () => {
    assert.equal(autoTuneSettings(false), undefined);
    assert.deepEqual(autoTuneSettings(true), DEFAULT_AUTO_TUNE);
    assert.deepEqual(autoTuneSettings({ maxBuffersPerClass: 64 }), {
      ...DEFAULT_AUTO_TUNE,
      maxBuffersPerClass: 64,
    });
  });
});

describe("AutoTuner", () => {
  const idle = new Float64Array(32);
  const window = (overrides: Partial<TuningWindow>): TuningWindow => ({
    stackPeakBytes: 0,
    stackOverflows: 0,
    stackAllocations: 1,
    peakInUseBuffers: idle,
    poolExhausted: false,
    poolRequests: 0,
    ...overrides,
  });
  const limits = { stackBytes: 4096, poolMaxBuffersPerClass: 1, poolMaxBytes: 1 << 20 };

  it("grows only after growAfterPasses consecutive passes above", () => {
    const tuner = new AutoTuner(autoTuneSettings({ growAfterPasses: 2 })!);
    const overflowing = window({ stackPeakBytes: 4096, stackOverflows: 1 });
    assert.equal(tuner.next(overflowing, limits).stackBytes, 4096);
    assert.equal(tuner.next(window({ stackPeakBytes: 1024 }), limits).stackBytes, 4096);
    assert.equal(tuner.next(overflowing, limits).stackBytes, 4096);
    assert.equal(tuner.next(overflowing, limits).stackBytes, 16384);
  });

  it("leaves a disabled arena and a disabled pool disabled", () => {
    const tuner = new AutoTuner(autoTuneSettings(true)!);
    const peaks = new Float64Array(32);
    peaks[10] = 0;
    const next = tuner.next(
      window({
        stackOverflows: 10,
        poolRequests: 10,
        poolExhausted: true,
        peakInUseBuffers: peaks,
      }),
      { stackBytes: 0, poolMaxBuffersPerClass: 0, poolMaxBytes: 1 << 20 },
    );
    assert.equal(next.stackBytes, 0);
    assert.equal(next.poolMaxBuffersPerClass, 0);
  });
});
