import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  closeParallelWorkers,
  convolutionBatchParallel,
  type ConvolutionPair,
  convolve,
  createEngine,
  WorkerPool,
} from "../mod.ts";
import { crashNextBatchForTests } from "../src/internal/testing.ts";
import { OPERATION_INDEX, pairIndex } from "../src/metrics/operation_metrics.ts";
import { KERNEL_METHODS } from "../src/types.ts";
import { randomSignal } from "./helpers/reference.ts";
import { ROOT, RUNTIMES } from "./helpers/runtimes.ts";

function mixedPairs(count: number): ConvolutionPair[] {
  const k32 = randomSignal(Float32Array, 63, 1);
  const k64 = randomSignal(Float64Array, 17, 2);
  const long = randomSignal(Float32Array, 1500, 3);
  return Array.from({ length: count }, (_, i) => [
    randomSignal(Float32Array, 100 + 997 * (i % 7), i + 10),
    i % 3 === 0 ? k32 : i % 3 === 1 ? k64 : long,
  ]);
}

function batchOperations(engine: ReturnType<typeof createEngine>): number {
  let total = 0;
  for (let m = 0; m < KERNEL_METHODS.length; m++) {
    total += engine.metrics.operations[pairIndex(OPERATION_INDEX.batch, m)];
  }
  return total;
}

describe("WorkerPool and convolutionBatchParallel", () => {
  // One shared pool: under `deno test` every worker start type-checks the worker (seconds).
  it("gives the same results as convolve, in order, for mixed sizes and kernel types", async () => {
    const pairs = mixedPairs(20);
    const results = await convolutionBatchParallel(pairs, { workers: 2 });
    assert.equal(results.length, pairs.length);
    for (let i = 0; i < pairs.length; i++) {
      assert.deepEqual(results[i], convolve(pairs[i][0], pairs[i][1]), `pair ${i}`);
    }
    assert.deepEqual(await convolutionBatchParallel([]), []);
  });

  it("reuses result memory only with recycle: true, and under debug poisons it instead", async () => {
    const pairs = mixedPairs(6);
    const expected = pairs.map(([x, h]) => convolve(x, h));
    const owned = await convolutionBatchParallel(pairs, { workers: 2 });
    await convolutionBatchParallel(pairs, { workers: 2 });
    await convolutionBatchParallel(pairs, { workers: 2, recycle: true });
    assert.deepEqual(owned, expected, "a result without recycle is never reused");
    const recycled = await convolutionBatchParallel(pairs, { workers: 2, recycle: true });
    const debug = createEngine({ maintenanceIntervalMs: 0, debug: true });
    try {
      const next = await convolutionBatchParallel(pairs, {
        workers: 2,
        recycle: true,
        engine: debug,
      });
      assert.deepEqual(next, expected);
      assert.notEqual(next[0].buffer, recycled[0].buffer, "debug does not reuse it");
      assert.ok(recycled.every((r) => r.every(Number.isNaN)), "a stale read shows NaN");
      const again = await convolutionBatchParallel(pairs, { workers: 2, recycle: true });
      assert.equal(again[0].buffer, next[0].buffer, "without debug, recycle reuses the memory");
    } finally {
      debug.close();
    }
  });

  it("adds the workers' operation counts to the engine of the batch", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    try {
      await convolutionBatchParallel(mixedPairs(12), { engine });
      assert.equal(batchOperations(engine), 12);
      await convolutionBatchParallel(mixedPairs(5), { engine });
      assert.equal(batchOperations(engine), 17);
    } finally {
      closeParallelWorkers();
      engine.close();
    }
  });

  // Every way a worker can die, on every runtime: the batch rejects naming the worker
  // and how it died (never stays pending), and the next batch on the same pool is exact.
  const deaths = [
    ["throw", /worker 0 crashed: uncaught Error: worker crash requested by a test;/],
    ["exit", /worker 0 crashed: stopped with exit code 3 \(it exited, or was terminated/],
    ["close", /worker 0 crashed: stopped with exit code 0 \(it exited, or was terminated/],
    ["terminate", /worker 0 crashed: stopped with exit code \d+ \(it exited, or was terminated/],
  ] as const;
  it("rejects the batch with a clear error however a worker dies, then recovers", async () => {
    // One worker: under `deno test` each start type-checks the worker, and every death restarts all.
    const pool = new WorkerPool({ workers: 1 });
    try {
      const pairs = mixedPairs(16);
      const expected = pairs.map(([x, h]) => convolve(x, h));
      for (const [how, message] of deaths) {
        crashNextBatchForTests(pool, { after: 1, how });
        await assert.rejects(pool.run(pairs), (error: Error) => {
          assert.match(error.message, message, `${how}: ${error.message}`);
          assert.match(error.message, /will start fresh workers for the next one$/);
          return true;
        });
        assert.equal(pool.started, 0, `${how}: the pool dropped its workers`);
        assert.deepEqual(await pool.run(pairs), expected, `after a ${how} death`);
        assert.equal(pool.started, 1);
      }
    } finally {
      pool.close();
    }
  });

  it("rejects malformed pairs and bad worker counts before starting any worker", async () => {
    await assert.rejects(convolutionBatchParallel("x" as never), {
      name: "TypeError",
      message: /pairs must be an array, received "x"/,
    });
    await assert.rejects(convolutionBatchParallel([[new Float32Array(0), new Float32Array(1)]]), {
      name: "RangeError",
      message: /pairs\[0\]\[0\] \(the signal\) must be non-empty/,
    });
    assert.throws(() => new WorkerPool({ workers: 0 }), {
      name: "RangeError",
      message: /workers must be an integer from 1 to 256, received number 0/,
    });
    const pool = new WorkerPool({ workers: 1 });
    pool.close();
    await assert.rejects(pool.run([]), { message: /the worker pool is closed/ });
  });

  for (const runtime of ["deno", "bun", "node"] as const) {
    it(`lets a ${runtime} process exit on its own after a parallel batch`, () => {
      const [command, ...prefix] = RUNTIMES[runtime];
      const result = spawnSync(command, [...prefix, "test/fixtures/parallel_exit_script.ts"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(result.signal, null, `${runtime} did not exit by itself: ${result.stderr}`);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^ok 8 3/);
    });
  }
});
