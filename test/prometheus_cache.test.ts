import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSingleFlightCache } from "../src/prometheus_cache.ts";

/** A computation that resolves when told to, counting its runs. */
function controlled() {
  let runs = 0;
  const waiting: Array<(value: number) => void> = [];
  const failing: Array<(error: Error) => void> = [];
  return {
    compute: () =>
      new Promise<number>((resolve, reject) => {
        runs++;
        waiting.push(resolve);
        failing.push(reject);
      }),
    finish: (value: number) => waiting.shift()!(value),
    fail: (error: Error) => {
      waiting.shift();
      failing.shift()!(error);
    },
    get runs() {
      return runs;
    },
  };
}

describe("createSingleFlightCache", () => {
  it("gives callers that arrive during a computation that computation", async () => {
    const c = controlled();
    const cache = createSingleFlightCache(c.compute, 0);
    const all = Promise.all(Array.from({ length: 100 }, () => cache.get()));
    await Promise.resolve();
    assert.equal(c.runs, 1);
    c.finish(7);
    assert.deepEqual(new Set(await all), new Set([7]));
    // ttl 0: the next caller starts a new computation.
    const next = cache.get();
    assert.equal(c.runs, 2);
    c.finish(8);
    assert.equal(await next, 8);
  });

  it("keeps a result for ttlMs on the given clock, then computes again", async () => {
    const c = controlled();
    let now = 1000;
    const cache = createSingleFlightCache(c.compute, 250, () => now);
    const first = cache.get();
    c.finish(1);
    assert.equal(await first, 1);
    now += 249;
    assert.equal(await cache.get(), 1);
    assert.equal(c.runs, 1);
    now += 1;
    const second = cache.get();
    assert.equal(c.runs, 2);
    c.finish(2);
    assert.equal(await second, 2);
    cache.clear();
    const third = cache.get();
    assert.equal(c.runs, 3);
    c.finish(3);
    assert.equal(await third, 3);
  });

  it("shares a failure with the callers that waited for it and does not keep it", async () => {
    const c = controlled();
    const cache = createSingleFlightCache(c.compute, 10_000, () => 0);
    const a = cache.get();
    const b = cache.get();
    c.fail(new Error("boom"));
    await assert.rejects(a, /boom/);
    await assert.rejects(b, /boom/);
    const after = cache.get();
    assert.equal(c.runs, 2);
    c.finish(5);
    assert.equal(await after, 5);
  });
});
