// Fault tests: what a long-lived process does wrong or suffers (a worker killed from
// outside the pool, memory-pressure storms and pool shrinks in the middle of work,
// foreign and double releases, use after release, buffers dropped without release)
// must be noticed and counted, and must never change a result or corrupt the books.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AllocationEngine,
  BatchOperations,
  type ConvolutionPair,
  convolve,
  correlate,
  createEngine,
  type Method,
  type Mode,
  WorkerPool,
} from "../mod.ts";
import { crashNextBatchForTests } from "../src/internal/testing.ts";
import { exposeGc } from "./helpers/heap_probe.ts";
import { randomSignal } from "./helpers/reference.ts";

const gc = exposeGc();

function inUseBuffers(engine: AllocationEngine): number {
  return engine.poolLevels().inUseBuffers.reduce((sum, count) => sum + count, 0);
}

/** The pool's part of getStats(), which a refused release must leave as it was. */
function poolBooks(engine: AllocationEngine): unknown {
  const { bytes, buffers, sizeClasses, hits, misses, releases, drops, evictions } =
    engine.getStats().pool;
  return {
    bytes,
    buffers,
    sizeClasses,
    hits,
    misses,
    releases,
    drops,
    evictions,
    inUse: inUseBuffers(engine),
  };
}

const SIGNAL = randomSignal(Float32Array, 3000, 11);
const KERNEL = randomSignal(Float32Array, 101, 12);

describe("faults", () => {
  it("rejects every batch in flight when a worker is terminated from outside, then recovers", async () => {
    const pool = new WorkerPool({ workers: 1 });
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    try {
      const pairs: ConvolutionPair[] = Array.from(
        { length: 12 },
        (_, i) => [randomSignal(Float32Array, 500 + 211 * i, i), KERNEL],
      );
      const expected = pairs.map(([x, h]) => convolve(x, h));
      crashNextBatchForTests(pool, { after: 0, how: "terminate" });
      const killed = pool.run(pairs, { engine });
      const bystander = pool.run(pairs, { engine });
      const outcomes = await Promise.allSettled([killed, bystander]);
      assert.equal(outcomes[0].status, "rejected");
      assert.match(
        String((outcomes[0] as PromiseRejectedResult).reason),
        /worker 0 crashed: stopped with exit code \d+ \(it exited, or was terminated from outside/,
      );
      // The other batch either finished before the death was noticed (then exact) or was abandoned.
      if (outcomes[1].status === "fulfilled") assert.deepEqual(outcomes[1].value, expected);
      for (let round = 0; round < 3; round++) {
        assert.deepEqual(await pool.run(pairs, { engine }), expected, `round ${round}`);
      }
    } finally {
      pool.close();
      engine.close();
    }
  });

  it("keeps results exact and the books clean through pressure storms and pool shrinks", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0, poolMaxBytes: 4 * 1024 * 1024 });
    const calm = createEngine({ maintenanceIntervalMs: 0 });
    const cases: [Mode, Method, boolean][] = [];
    for (const mode of ["full", "same", "valid"] as const) {
      for (const method of ["auto", "direct", "fft"] as const) {
        cases.push([mode, method, false], [mode, method, true]);
      }
    }
    const run = (e: AllocationEngine, [mode, method, correlating]: [Mode, Method, boolean]) =>
      (correlating ? correlate : convolve)(SIGNAL, KERNEL, { mode, method, engine: e });
    const expected = cases.map((c) => run(calm, c));
    const pairs: ConvolutionPair[] = [[SIGNAL, KERNEL], [KERNEL, SIGNAL]];
    const expectedBatch = pairs.map(([x, h]) => convolve(x, h, { engine: calm }));
    let pressureCalls = 0;
    for (let round = 0; round < 300; round++) {
      const held = [engine.acquireFloat32(5000 + round), engine.acquireFloat64(700)];
      for (let i = 0; i < cases.length; i++) {
        engine.handleMemoryPressure({ level: (round + i) % 2 === 0 ? "critical" : "moderate" });
        pressureCalls++;
        assert.deepEqual(run(engine, cases[i]), expected[i], `round ${round} case ${i}`);
      }
      const batch = BatchOperations.convolutionBatch(pairs, { engine, reuseBuffers: true });
      engine.handleMemoryPressure();
      pressureCalls++;
      assert.deepEqual(batch, expectedBatch);
      if (round % 10 === 0) {
        engine.configure({ poolMaxBytes: 64 * 1024, poolMaxBuffersPerClass: 1 });
      }
      if (round % 10 === 5) {
        engine.configure({ poolMaxBytes: 4 * 1024 * 1024, poolMaxBuffersPerClass: 32 });
      }
      for (const result of batch) engine.release(result);
      for (const buffer of held) engine.release(buffer);
      const stats = engine.getStats();
      assert.ok(stats.pool.bytes <= stats.pool.limitBytes, `round ${round}: ${stats.pool.bytes}`);
    }
    const stats = engine.getStats();
    assert.equal(inUseBuffers(engine), 0);
    assert.deepEqual(stats.misuse, { doubleRelease: 0, foreignRelease: 0, leaked: 0 });
    assert.equal(stats.pressure.events, pressureCalls);
    engine.close();
    calm.close();
  });

  it("refuses a foreign release and a double release: an error, counted, the pool unchanged", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const other = createEngine({ maintenanceIntervalMs: 0 });
    const expected = convolve(SIGNAL, KERNEL, { engine });
    const kept = engine.acquireFloat32(4096);
    const released = engine.acquireFloat32(2048);
    engine.release(released);
    const before = poolBooks(engine);
    const fromOther = other.acquireFloat32(4096);
    assert.throws(() => engine.release(fromOther), {
      name: "RangeError",
      message:
        /^release: buf must be a buffer this engine handed out, received Float32Array\(length 4096\)$/,
    });
    assert.throws(() => engine.release(new Float64Array(16)), { name: "RangeError" });
    assert.throws(() => engine.release([1, 2] as never), {
      name: "TypeError",
      message:
        /^release: buf must be a Float32Array or Float64Array handed out by this engine, received Array\(length 2\)$/,
    });
    assert.throws(() => engine.release(released), {
      name: "RangeError",
      message: /buf must be a buffer that is not released yet/,
    });
    assert.deepEqual(engine.getStats().misuse, { doubleRelease: 1, foreignRelease: 3, leaked: 0 });
    assert.deepEqual(poolBooks(engine), before, "a refused release leaves the pool as it was");
    assert.deepEqual(convolve(SIGNAL, KERNEL, { engine }), expected, "the next call is exact");
    engine.release(kept);
    other.release(fromOther);
    assert.equal(inUseBuffers(engine), 0);
    assert.equal(inUseBuffers(other), 0);
    engine.close();
    other.close();
  });

  it("poisons released buffers with NaN under debug, so a use after release shows", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0, debug: true });
    const buffer = engine.acquireFloat64(1000);
    buffer.fill(1);
    engine.release(buffer);
    assert.ok(buffer.every(Number.isNaN), "the released buffer reads NaN");
    const [result] = BatchOperations.convolutionBatch([[SIGNAL, KERNEL]], {
      engine,
      reuseBuffers: true,
    });
    assert.deepEqual(result, convolve(SIGNAL, KERNEL));
    engine.release(result);
    const stale = convolve(result as Float32Array, KERNEL); // a use after release
    assert.ok(stale.every(Number.isNaN), "a computation on a released result is all NaN");
    engine.close();
  });

  it(
    "counts pool buffers dropped without release as leaked, exactly",
    { skip: gc === undefined },
    async () => {
      const engine = createEngine({ maintenanceIntervalMs: 0 });
      const DROPPED = 23;
      const kept = engine.acquireFloat32(3000);
      await dropBuffers(engine, DROPPED);
      for (let i = 0; i < 100 && engine.getStats().misuse.leaked < DROPPED; i++) {
        gc!();
        await new Promise((resolve) => setTimeout(resolve, 10));
        clobberStack(200);
      }
      const stats = engine.getStats();
      assert.equal(stats.misuse.leaked, DROPPED);
      assert.equal(stats.misuse.doubleRelease + stats.misuse.foreignRelease, 0);
      assert.equal(inUseBuffers(engine), 1, "only the kept buffer is still in use");
      engine.release(kept);
      assert.equal(inUseBuffers(engine), 0);
      engine.close();
    },
  );
});

/** Acquires buffers and drops them, in frames that are gone before the collection. */
async function dropBuffers(engine: AllocationEngine, count: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  for (let i = 0; i < count; i++) engine.acquireFloat32(1000 + 37 * i).fill(i);
}

/** Overwrites stack slots that a conservative scan (Bun's) could take for pointers. */
function clobberStack(depth: number): number {
  const filler = [depth, depth + 1, depth + 2, depth + 3];
  return depth === 0 ? filler.length : clobberStack(depth - 1) + filler[0] * 0;
}
