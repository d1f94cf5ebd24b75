import assert from "node:assert/strict";
import { test } from "node:test";
import { createEngine } from "../src/alloc/engine.ts";
import { measureHeapGrowth } from "./helpers/heap_probe.ts";

// A real allocation costs at least 16 bytes; the probe's own noise is below 2
// bytes per call (Bun's reader moves in 16 KiB blocks over 25000-call chunks).
const MAX_BYTES_PER_CALL = 4;
const CALLS = 100_000;

let sink: unknown;

test("the heap probe sees an allocating action", async () => {
  // Four rounds (each a second chance for the JIT), and the least growth is still a
  // real allocation: the probe's rounds cannot hide one.
  const result = await measureHeapGrowth(() => {
    sink = new Float32Array(16);
  }, { calls: 20_000, maxRounds: 4 });
  assert.equal(result.roundBytesPerCall.length, 4);
  assert.ok(result.bytesPerCall > 16, `${result.bytesPerCall} bytes/call via ${result.reader}`);
});

for (const [label, length] of [["small", 16], ["medium", 4096], ["large", 1 << 18]] as const) {
  test(`acquire and release of a ${label} buffer (${length} elements) allocate nothing after warm-up`, async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0, poolMaxBytes: 1 << 24 });
    const result = await measureHeapGrowth(() => {
      engine.release(engine.acquireFloat32(length));
      engine.release(engine.acquireFloat64(length));
    }, { calls: CALLS });
    assert.ok(
      result.bytesPerCall < MAX_BYTES_PER_CALL,
      `${result.bytesPerCall} bytes/call via ${result.reader}`,
    );
    const stats = engine.getStats();
    assert.equal(stats.heap.allocations, 0);
    assert.ok(stats.pool.hitRate > 0.9999);
  });
}

test("beginOperation, takeFloat64 and endOperation allocate nothing after warm-up", async () => {
  const engine = createEngine({ maintenanceIntervalMs: 0 });
  const result = await measureHeapGrowth(() => {
    const ws = engine.beginOperation();
    ws.takeFloat64(16);
    ws.takeFloat64(256);
    ws.takeFloat64(5000);
    ws.takeFloat64(1 << 16);
    engine.endOperation();
  }, { calls: CALLS });
  assert.ok(
    result.bytesPerCall < MAX_BYTES_PER_CALL,
    `${result.bytesPerCall} bytes/call via ${result.reader}`,
  );
  assert.equal(engine.getStats().heap.allocations, 0);
});

test("scoped stack results with a hoisted callback allocate nothing after warm-up", async () => {
  const engine = createEngine({ maintenanceIntervalMs: 0 });
  const body = () => {
    engine.acquireFloat32(64);
    engine.acquireFloat64(200);
  };
  const result = await measureHeapGrowth(() => engine.scope(body), { calls: CALLS });
  assert.ok(
    result.bytesPerCall < MAX_BYTES_PER_CALL,
    `${result.bytesPerCall} bytes/call via ${result.reader}`,
  );
  assert.equal(engine.getStats().pool.misses, 0);
  assert.ok(sink === undefined || sink instanceof Float32Array);
});
