import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createEngine, DISPOSE } from "../src/alloc/engine.ts";
import {
  HEAP_REASONS,
  SIZE_CLASS_COUNT,
  sizeClassOf,
  SOURCE_INDEX,
} from "../src/alloc/counters.ts";

const QUIET = { maintenanceIntervalMs: 0 } as const;

test("acquired results have exactly the requested length and element type", () => {
  const engine = createEngine(QUIET);
  for (const n of [0, 1, 7, 100, 1000, 4097]) {
    const a = engine.acquireFloat32(n);
    const b = engine.acquireFloat64(n);
    assert.ok(a instanceof Float32Array && a.length === n);
    assert.ok(b instanceof Float64Array && b.length === n);
    engine.release(a);
    engine.release(b);
  }
});

test("after k pool hits getStats reports exactly k hits and one miss", () => {
  const engine = createEngine(QUIET);
  const first = engine.acquireFloat32(1000);
  engine.release(first);
  for (let i = 0; i < 25; i++) {
    const again = engine.acquireFloat32(1000);
    assert.equal(again, first, "the same exact-length view is reused");
    engine.release(again);
  }
  const stats = engine.getStats();
  assert.equal(stats.pool.hits, 25);
  assert.equal(stats.pool.misses, 1);
  assert.equal(stats.pool.releases, 26);
  assert.equal(stats.pool.buffers, 1);
  assert.equal(stats.pool.bytes, 4096);
  assert.equal(stats.pool.sizeClasses, 1);
  assert.equal(stats.pool.hitRate, 25 / 26);
  assert.equal(engine.counters.poolHits[sizeClassOf(4000)], 25);
  assert.equal(
    engine.counters.allocations[SOURCE_INDEX.pool * SIZE_CLASS_COUNT + sizeClassOf(4000)],
    26,
  );
});

test("a pooled buffer is reused for another length of the same class", () => {
  const engine = createEngine(QUIET);
  const a = engine.acquireFloat32(600);
  engine.release(a);
  const b = engine.acquireFloat64(300);
  assert.equal(b.length, 300);
  assert.equal(b.buffer, a.buffer);
  assert.equal(engine.getStats().pool.hits, 1);
});

test("results inside a scope come from the stack and are reclaimed at its end", () => {
  const engine = createEngine(QUIET);
  let inside: Float32Array | undefined;
  engine.scope(() => {
    inside = engine.acquireFloat32(64);
    assert.equal(engine.getStats().stack.usedBytes, 256);
    engine.release(inside); // a no-op inside the live scope
  });
  const stats = engine.getStats();
  assert.equal(stats.stack.usedBytes, 0);
  assert.equal(stats.stack.peakBytes, 256);
  assert.equal(stats.stack.allocations, 1);
  assert.equal(stats.pool.hits + stats.pool.misses, 0);
  assert.throws(() => engine.release(inside!), RangeError);
  assert.equal(engine.getStats().misuse.doubleRelease, 1);
});

test("results outside a scope never come from the stack", () => {
  const engine = createEngine(QUIET);
  const a = engine.acquireFloat32(16);
  assert.equal(engine.getStats().stack.allocations, 0);
  engine.beginOperation();
  const b = engine.acquireFloat32(16); // inside an operation: results still escape it
  engine.endOperation();
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(engine.getStats().stack.allocations, 0);
});

test("a scope callback that returns stack memory is refused", () => {
  const engine = createEngine(QUIET);
  assert.throws(() => engine.scope(() => engine.acquireFloat32(8)), /stack arena/);
  assert.equal(engine.scope(() => 42), 42);
  assert.equal(engine.getStats().stack.usedBytes, 0);
});

test("a disposable scope works with Symbol.dispose and closes once", () => {
  const engine = createEngine(QUIET);
  const scope = engine.scope();
  engine.acquireFloat64(10);
  assert.equal(engine.getStats().stack.usedBytes, 80);
  scope[DISPOSE]();
  scope[DISPOSE]();
  assert.equal(engine.getStats().stack.usedBytes, 0);
  assert.equal(DISPOSE, Symbol.dispose ?? Symbol.for("Symbol.dispose"));
});

test("a scope that throws still reclaims its stack memory and open operations", () => {
  const engine = createEngine(QUIET);
  assert.throws(() =>
    engine.scope(() => {
      engine.acquireFloat32(10);
      engine.beginOperation().takeFloat64(10);
      throw new Error("boom");
    }), /boom/);
  assert.equal(engine.getStats().stack.usedBytes, 0);
  assert.throws(() => engine.endOperation(), /^Error: endOperation: no operation is open/);
});

test("operation scratch is distinct per take and comes back at endOperation", () => {
  const engine = createEngine(QUIET);
  const ws = engine.beginOperation();
  const a = ws.takeFloat64(100);
  const b = ws.takeFloat64(100);
  const big = ws.takeFloat64(1000);
  a.fill(1, 0, 100);
  b.fill(2, 0, 100);
  assert.equal(a[99], 1);
  assert.ok(big.length >= 1000);
  engine.endOperation();
  const stats = engine.getStats();
  assert.equal(stats.stack.allocations, 2);
  assert.equal(stats.stack.usedBytes, 0);
  assert.equal(stats.pool.misses, 1);
  assert.equal(stats.pool.releases, 1);
  const ws2 = engine.beginOperation();
  assert.equal(ws2.takeFloat64(100), a, "stack views are cached per offset and class");
  assert.equal(ws2.takeFloat64(100), b);
  assert.equal(ws2.takeFloat64(1000), big);
  engine.endOperation();
});

test("takeFloat64 outside an operation throws", () => {
  const engine = createEngine(QUIET);
  assert.throws(() => engine.takeFloat64(4), /beginOperation/);
});

test("a stack overflow falls back to the pool and is counted", () => {
  const engine = createEngine({ ...QUIET, stackBytes: 1024 });
  const ws = engine.beginOperation();
  ws.takeFloat64(100);
  ws.takeFloat64(100); // 800 + 800 > 1024
  engine.endOperation();
  const stats = engine.getStats();
  assert.equal(stats.stack.overflows, 1);
  assert.equal(stats.stack.allocations, 1);
  assert.equal(stats.pool.misses, 1);
});

test("heap fallbacks are counted with their reason", () => {
  const engine = createEngine({
    ...QUIET,
    stackBytes: 0,
    poolMaxBytes: 4096,
    poolMaxBuffersPerClass: 1,
  });
  const large = engine.acquireFloat32(2048); // 8 KiB class > 4 KiB pool
  const a = engine.acquireFloat32(1000);
  const b = engine.acquireFloat32(1000); // class full
  // Stack-eligible but the arena is empty-sized and the pool is full: stack_full.
  engine.scope(() => engine.acquireFloat32(10).length);
  engine.beginOperation().takeFloat64(200);
  engine.endOperation();
  const reasons = engine.counters.heapReasons;
  assert.equal(reasons[HEAP_REASONS.indexOf("too_large")], 1);
  assert.equal(reasons[HEAP_REASONS.indexOf("pool_exhausted")], 1);
  assert.equal(reasons[HEAP_REASONS.indexOf("stack_full")], 2);
  const stats = engine.getStats();
  assert.equal(stats.heap.allocations, 4);
  assert.equal(stats.heap.bytes, 8192 + 4000 + 40 + 1600);
  assert.equal(stats.stack.overflows, 2);
  engine.release(large);
  engine.release(b);
  engine.release(a);
  assert.equal(engine.getStats().pool.drops, 2);
});

test("releasing twice throws, is counted and leaves the pool unchanged", () => {
  const engine = createEngine(QUIET);
  const a = engine.acquireFloat32(100);
  engine.release(a);
  const before = engine.getStats();
  assert.throws(
    () => engine.release(a),
    (e: Error) =>
      e instanceof RangeError &&
      /^release: buf must be a buffer that is not released yet, received Float32Array\(length 100\)$/
        .test(e.message),
  );
  const after = engine.getStats();
  assert.equal(after.misuse.doubleRelease, 1);
  assert.deepEqual({ ...after.pool }, { ...before.pool });
  const heap = engine.acquireFloat32(1 << 26); // too large for the default pool
  engine.release(heap);
  assert.throws(() => engine.release(heap), /buf must be a buffer that is not released yet/);
  assert.equal(engine.getStats().misuse.doubleRelease, 2);
});

test("releasing a buffer the engine never handed out throws and is counted", () => {
  const engine = createEngine(QUIET);
  const before = engine.getStats();
  assert.throws(
    () => engine.release(new Float64Array(3)),
    (e: Error) =>
      e instanceof RangeError &&
      /^release: buf must be a buffer this engine handed out, received Float64Array\(length 3\)$/
        .test(e.message),
  );
  assert.throws(
    () => engine.release([1, 2] as unknown as Float32Array),
    (e: Error) => e instanceof TypeError && /Array\(length 2\)/.test(e.message),
  );
  assert.throws(
    () => engine.release(new Int32Array(2) as unknown as Float32Array),
    /Int32Array\(length 2\)/,
  );
  const other = createEngine(QUIET).acquireFloat32(10);
  assert.throws(() => engine.release(other), /buf must be a buffer this engine handed out/);
  const after = engine.getStats();
  assert.equal(after.misuse.foreignRelease, 4);
  assert.deepEqual({ ...after.pool }, { ...before.pool });
});

test("bad sizes throw TypeError or RangeError quoting the value and corrupt nothing", () => {
  const engine = createEngine(QUIET);
  const cases: [unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ["16", TypeError, /"16"/],
    [undefined, TypeError, /undefined/],
    [NaN, RangeError, /NaN/],
    [-1, RangeError, /-1/],
    [1.5, RangeError, /1\.5/],
    [Infinity, RangeError, /Infinity/],
    [2 ** 40, RangeError, /1099511627776/],
  ];
  for (const [value, type, pattern] of cases) {
    assert.throws(
      () => engine.acquireFloat32(value as number),
      (e: Error) => e instanceof type && pattern.test(e.message),
    );
    assert.throws(() => engine.acquireFloat64(value as number), type);
    engine.beginOperation();
    assert.throws(() => engine.takeFloat64(value as number), type);
    engine.endOperation();
  }
  assert.throws(() => engine.preWarm([16, -3]), /-3/);
  assert.throws(() => engine.preWarm("16" as unknown as number[]), TypeError);
  assert.throws(() => engine.preWarm([16], { dtype: "int8" as "float32" }), /"int8"/);
  const stats = engine.getStats();
  assert.equal(stats.pool.buffers, 0, "a failed preWarm adds nothing");
  assert.equal(
    stats.pool.hits + stats.pool.misses + stats.heap.allocations + stats.stack.allocations,
    0,
  );
});

test("bad config is refused with the key and value quoted", () => {
  assert.throws(() => createEngine({ stackBytes: 100 }), /multiple of 8, received number 100/);
  assert.throws(() => createEngine({ poolMaxBytes: -1 } as never), /received number -1/);
  assert.throws(() => createEngine({ debug: "yes" } as never), TypeError);
  assert.throws(
    () => createEngine({ nope: 1 } as never),
    /^TypeError: createEngine: a config key must be one of .*, received "nope"$/,
  );
  const engine = createEngine(QUIET);
  assert.throws(() => engine.configure({ poolMaxBytes: 10, stackThreshold: NaN }), RangeError);
  assert.equal(engine.config.poolMaxBytes, 64 * 1024 * 1024, "nothing half-applied");
});

test("preWarm fills the pool so that first requests hit, for either dtype", () => {
  const engine = createEngine(QUIET);
  assert.equal(engine.preWarm([100, 100, 5000]), 3);
  assert.equal(engine.preWarm([300], { dtype: "float64", count: 2 }), 2);
  const a = engine.acquireFloat32(100);
  const b = engine.acquireFloat32(100);
  const c = engine.acquireFloat32(5000);
  const d = engine.acquireFloat64(300);
  const stats = engine.getStats();
  assert.equal(stats.pool.hits, 4);
  assert.equal(stats.pool.misses, 0);
  for (const x of [a, b, c, d]) engine.release(x);
});

test("handleMemoryPressure frees idle pooled memory and returns the bytes", () => {
  const engine = createEngine(QUIET);
  engine.preWarm([1000, 1000, 10]);
  const held = engine.acquireFloat32(1000);
  const freed = engine.handleMemoryPressure();
  assert.equal(freed, 4096 + 64);
  const stats = engine.getStats();
  assert.equal(stats.pool.bytes, 4096);
  assert.equal(stats.pool.evictions, 2);
  assert.equal(stats.pressure.events, 1);
  engine.release(held);
  assert.equal(engine.handleMemoryPressure({ level: "moderate" }), 4096);
  assert.throws(() => engine.handleMemoryPressure({ level: "high" as "critical" }), /"high"/);
});

test("automatic pressure handling reads memory usage against the thresholds", () => {
  let rss = 100;
  const engine = createEngine({
    ...QUIET,
    pressureModerateRssBytes: 1000,
    pressureCriticalRssBytes: 2000,
    readMemoryUsage: () => ({ rss, heapUsed: 0 }),
  });
  engine.preWarm([1000, 1000, 1000, 1000]);
  assert.equal(engine.checkMemoryPressure(), "none");
  rss = 1500;
  assert.equal(engine.checkMemoryPressure(), "moderate");
  assert.equal(engine.getStats().pool.buffers, 2);
  rss = 2500;
  const held = engine.acquireFloat32(1000);
  assert.equal(engine.checkMemoryPressure(), "critical");
  assert.equal(engine.getStats().pressure.level, "critical");
  engine.release(held);
  const stats = engine.getStats();
  assert.equal(stats.pool.buffers, 0, "under critical pressure releases are dropped");
  assert.equal(stats.pool.drops, 1);
  assert.equal(stats.pressure.events, 2);
  rss = 10;
  assert.equal(engine.checkMemoryPressure(), "none");
});

test("configure shrinking the pool limit evicts idle buffers and keeps the bound", () => {
  const engine = createEngine(QUIET);
  engine.preWarm([1000, 1000, 1000, 1000]);
  const held = engine.acquireFloat32(1000);
  engine.configure({ poolMaxBytes: 8192 });
  let stats = engine.getStats();
  assert.ok(stats.pool.bytes <= 8192);
  assert.equal(stats.pool.limitBytes, 8192);
  engine.configure({ poolMaxBytes: 1024 });
  stats = engine.getStats();
  assert.equal(stats.pool.bytes, 0, "in-use buffers are detached when they alone exceed the limit");
  assert.equal(held.length, 1000);
  engine.release(held);
  assert.equal(engine.getStats().pool.bytes, 0);
  engine.configure({ stackBytes: 1024, stackThreshold: 16, maintenanceIntervalMs: 0 });
  assert.equal(engine.getStats().stack.capacityBytes, 1024);
});

test("configure refuses to resize the stack inside a scope", () => {
  const engine = createEngine(QUIET);
  engine.scope(() => {
    assert.throws(() => engine.configure({ stackBytes: 1024 }), RangeError);
  });
});

test("debug mode poisons released buffers and popped stack memory with NaN", () => {
  const engine = createEngine({ ...QUIET, debug: true });
  const a = engine.acquireFloat32(100).fill(1);
  engine.release(a);
  assert.ok(Number.isNaN(a[0]) && Number.isNaN(a[99]));
  const ws = engine.beginOperation();
  const s = ws.takeFloat64(8).fill(1, 0, 8);
  engine.endOperation();
  assert.ok(Number.isNaN(s[0]));
  let f: Float32Array | undefined;
  engine.scope(() => {
    f = engine.acquireFloat32(3).fill(2);
  });
  assert.ok(Number.isNaN(f![0]));
});

test("maintenance trims idle classes and pre-warms the sizes that missed", () => {
  const engine = createEngine({ ...QUIET, trimAfterIdlePasses: 2 });
  engine.preWarm([10000]);
  // A workload holding 4 buffers of one size at a time.
  const run = () => {
    const held = [0, 1, 2, 3].map(() => engine.acquireFloat32(700));
    for (const h of held) engine.release(h);
  };
  run();
  engine.maintain();
  assert.ok(engine.getStats().pool.buffers >= 5);
  engine.maintain();
  const stats = engine.getStats();
  assert.equal(
    engine.poolLevels().idleBuffers[sizeClassOf(40000)],
    0,
    "the unused class was trimmed",
  );
  assert.equal(engine.counters.evictedBytes[0], 65536);
  assert.ok(stats.pool.evictions >= 1);
});

test("a workload repeating a few sizes reaches a hit rate near 100% on its own", () => {
  const engine = createEngine(QUIET);
  const sizes = [256, 1000, 4096, 1000, 77];
  for (let round = 0; round < 2000; round++) {
    const held = sizes.map((n) => engine.acquireFloat32(n));
    for (const h of held) engine.release(h);
    if (round % 200 === 0) engine.maintain();
  }
  assert.ok(engine.getStats().pool.hitRate > 0.999, String(engine.getStats().pool.hitRate));
});

test("poolLevels() is a snapshot of idle and in-use buffers per class that the caller owns", () => {
  const engine = createEngine(QUIET);
  const cls = sizeClassOf(4000);
  const held = engine.acquireFloat32(1000);
  engine.release(engine.acquireFloat32(1000));
  const levels = engine.poolLevels();
  assert.equal(levels.inUseBuffers[cls], 1);
  assert.equal(levels.idleBuffers[cls], 1);
  assert.equal(levels.peakInUseBuffers[cls], 2);
  levels.inUseBuffers[cls] = 99; // the caller's copy: the pool's books are untouched
  assert.equal(engine.poolLevels().inUseBuffers[cls], 1);
  engine.release(held);
  assert.deepEqual(
    [engine.poolLevels().inUseBuffers[cls], engine.poolLevels().idleBuffers[cls]],
    [0, 2],
  );
});

test("the engine's metrics time operations exactly while telemetry is on", () => {
  const engine = createEngine(QUIET);
  assert.equal(engine.metrics.timing, true);
  engine.configure({ telemetry: false });
  assert.equal(engine.metrics.timing, false);
  assert.equal(createEngine({ ...QUIET, telemetry: false }).metrics.timing, false);
});

test("peak in-use buffers per class are tracked", () => {
  const engine = createEngine(QUIET);
  const held = [1, 2, 3].map(() => engine.acquireFloat32(1000));
  for (const h of held) engine.release(h);
  engine.release(engine.acquireFloat32(1000));
  assert.equal(engine.poolLevels().peakInUseBuffers[sizeClassOf(4000)], 3);
  engine.resetPeaks();
  assert.equal(engine.poolLevels().peakInUseBuffers[sizeClassOf(4000)], 0);
});

test("pooled bytes never exceed poolMaxBytes under any sequence of operations", () => {
  type Command =
    | { kind: "acquire"; size: number; f64: boolean }
    | { kind: "release"; index: number }
    | { kind: "doubleRelease"; index: number }
    | { kind: "preWarm"; size: number }
    | { kind: "pressure" }
    | { kind: "maintain" }
    | { kind: "limit"; bytes: number }
    | { kind: "scratch"; size: number };
  const command: fc.Arbitrary<Command> = fc.oneof(
    fc.record({
      kind: fc.constant("acquire" as const),
      size: fc.integer({ min: 0, max: 20000 }),
      f64: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("release" as const), index: fc.nat() }),
    fc.record({ kind: fc.constant("doubleRelease" as const), index: fc.nat() }),
    fc.record({ kind: fc.constant("preWarm" as const), size: fc.integer({ min: 0, max: 20000 }) }),
    fc.record({ kind: fc.constant("pressure" as const) }),
    fc.record({ kind: fc.constant("maintain" as const) }),
    fc.record({ kind: fc.constant("limit" as const), bytes: fc.integer({ min: 0, max: 1 << 18 }) }),
    fc.record({ kind: fc.constant("scratch" as const), size: fc.integer({ min: 0, max: 20000 }) }),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1 << 18 }),
      fc.integer({ min: 0, max: 8 }),
      fc.array(command, { maxLength: 60 }),
      (limit, perClass, commands) => {
        const engine = createEngine({
          ...QUIET,
          poolMaxBytes: limit,
          poolMaxBuffersPerClass: perClass,
        });
        const held: (Float32Array | Float64Array)[] = [];
        const released: (Float32Array | Float64Array)[] = [];
        let expectedMisuse = 0;
        for (const c of commands) {
          if (c.kind === "acquire") {
            held.push(
              c.f64 ? engine.acquireFloat64(c.size) : engine.acquireFloat32(c.size),
            );
          } else if (c.kind === "release" && held.length > 0) {
            const [buf] = held.splice(c.index % held.length, 1);
            engine.release(buf);
            released.push(buf);
          } else if (c.kind === "doubleRelease" && released.length > 0) {
            const before = engine.getStats().pool;
            assert.throws(() => engine.release(released[c.index % released.length]));
            expectedMisuse++;
            assert.deepEqual(engine.getStats().pool, before);
          } else if (c.kind === "preWarm") engine.preWarm([c.size]);
          else if (c.kind === "pressure") engine.handleMemoryPressure();
          else if (c.kind === "maintain") engine.maintain();
          else if (c.kind === "limit") engine.configure({ poolMaxBytes: c.bytes });
          else if (c.kind === "scratch") {
            engine.beginOperation().takeFloat64(c.size);
            engine.endOperation();
          }
          const stats = engine.getStats();
          assert.ok(
            stats.pool.bytes <= stats.pool.limitBytes,
            `${stats.pool.bytes} > ${stats.pool.limitBytes}`,
          );
          assert.ok(stats.pool.bytes >= 0 && stats.pool.buffers >= 0);
          let idle = 0, inUse = 0;
          for (let k = 0; k < 32; k++) {
            idle += engine.poolLevels().idleBuffers[k];
            inUse += engine.poolLevels().inUseBuffers[k];
            assert.ok(engine.poolLevels().idleBuffers[k] <= perClass);
          }
          assert.equal(idle + inUse, stats.pool.buffers);
          assert.equal(stats.misuse.doubleRelease, expectedMisuse);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test("using a scope reclaims its stack memory at the end of the block", () => {
  const engine = createEngine(QUIET);
  {
    using _scope = engine.scope();
    engine.acquireFloat32(32);
    assert.equal(engine.getStats().stack.usedBytes, 128);
  }
  assert.equal(engine.getStats().stack.usedBytes, 0);
  {
    using closing = createEngine({ maintenanceIntervalMs: 10_000 });
    assert.equal(closing.maintenanceTimerUnrefed, true);
  }
});
