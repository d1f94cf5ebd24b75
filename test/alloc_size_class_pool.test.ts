import assert from "node:assert/strict";
import { test } from "node:test";
import { AllocationCounters, sizeClassOf } from "../src/alloc/counters.ts";
import { AcquireFailure, ReleaseResult, SizeClassPool } from "../src/alloc/size_class_pool.ts";

function makePool(maxBytes = 1 << 20, maxBuffersPerClass = 4) {
  const counters = new AllocationCounters();
  return { counters, pool: new SizeClassPool(counters, { maxBytes, maxBuffersPerClass }) };
}

test("a released buffer is handed out again with the same view", () => {
  const { pool, counters } = makePool();
  const a = pool.acquire(4, 100)!;
  assert.equal(pool.release(a), ReleaseResult.Pooled);
  assert.equal(pool.acquire(4, 100), a);
  const cls = sizeClassOf(400);
  assert.equal(counters.poolHits[cls], 1);
  assert.equal(counters.poolMisses[cls], 1);
  assert.equal(pool.levels().inUseBuffers[cls], 1);
});

test("an idle buffer with a matching view is preferred", () => {
  const { pool } = makePool();
  const a = pool.acquire(4, 100)!;
  const b = pool.acquire(4, 120)!;
  pool.release(a);
  pool.release(b);
  assert.equal(pool.acquire(4, 100), a);
  assert.equal(pool.acquire(4, 120), b);
});

test("release reports double releases and foreign buffers without changing the pool", () => {
  const { pool } = makePool();
  const a = pool.acquire(8, 10)!;
  pool.release(a);
  const bytes = pool.bytes;
  assert.equal(pool.release(a), ReleaseResult.Double);
  assert.equal(pool.release(new Float32Array(3)), ReleaseResult.NotOwned);
  assert.equal(pool.bytes, bytes);
  assert.equal(pool.idleBuffers, 1);
});

test("limits refuse growth and say why", () => {
  const { pool } = makePool(1024, 1);
  assert.equal(pool.acquire(4, 1000), undefined);
  assert.equal(pool.lastFailure, AcquireFailure.TooLarge);
  assert.ok(pool.acquire(4, 100));
  assert.equal(pool.acquire(4, 100), undefined);
  assert.equal(pool.lastFailure, AcquireFailure.Exhausted);
});

test("preWarm stays within the limits and evictForPressure frees idle bytes", () => {
  const { pool, counters } = makePool(4096, 8);
  assert.equal(pool.preWarm(256, { bytesPerElement: 4, count: 10 }), 4);
  assert.equal(pool.bytes, 4096);
  assert.equal(pool.evictForPressure(0.5), 2048);
  assert.equal(pool.evictForPressure(1), 2048);
  assert.equal(pool.bytes, 0);
  assert.equal(counters.evictedBytes[1], 4096);
  assert.equal(pool.evictions, 4);
});

test("setLimits evicts idle buffers and detaches in-use ones that alone exceed the bound", () => {
  const { pool } = makePool(1 << 16, 8);
  pool.preWarm(256, { bytesPerElement: 4, count: 4 });
  const held = pool.acquire(4, 256)!;
  pool.setLimits({ maxBytes: 2048, maxBuffersPerClass: 8 });
  assert.equal(pool.bytes, 2048);
  pool.setLimits({ maxBytes: 512, maxBuffersPerClass: 8 });
  assert.equal(pool.bytes, 0);
  assert.equal(pool.levels().inUseBuffers[sizeClassOf(1024)], 0);
  assert.equal(pool.release(held), ReleaseResult.DroppedFull);
  assert.equal(pool.bytes, 0);
});

test("maintain trims classes idle for enough passes and pre-warms missed sizes", () => {
  const { pool } = makePool(1 << 20, 8);
  pool.preWarm(10_000, { bytesPerElement: 4, count: 2 });
  const held = [pool.acquire(4, 300)!, pool.acquire(4, 300)!];
  for (const h of held) pool.release(h);
  pool.maintain(2); // 2 misses in class 2^11 -> pre-warm 2 more of Float32Array(300)
  assert.equal(pool.buffersIn(sizeClassOf(1200)), 4);
  pool.maintain(2); // the 2^16 class has now been idle for two passes
  assert.equal(pool.buffersIn(sizeClassOf(40_000)), 0);
});

test("dropOnRelease drops instead of pooling", () => {
  const { pool } = makePool();
  const a = pool.acquire(4, 8)!;
  pool.dropOnRelease = true;
  assert.equal(pool.release(a), ReleaseResult.DroppedPressure);
  assert.equal(pool.buffers, 0);
});
