import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createEngine } from "../mod.ts";
import { acquireResultFloat32 } from "../src/result_buffer.ts";
import { overwriteStack } from "./helpers/stack_fill.ts";

describe("acquireResultFloat32", () => {
  it("takes a caller's result from the pool even inside a scope, and it outlives the scope", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    let result!: Float32Array;
    engine.scope(() => {
      result = acquireResultFloat32(engine, 16).fill(1);
    });
    const stats = engine.getStats();
    assert.equal(stats.stack.allocations, 0);
    assert.equal(stats.pool.misses + stats.pool.hits, 1);
    overwriteStack(engine);
    assert.deepEqual([...result], new Array(16).fill(1));
    engine.release(result);
    assert.equal(acquireResultFloat32(engine, 16), result, "given back, it is reused");
    engine.close();
  });

  it("leaves the engine's frames balanced when the length is bad", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    assert.throws(() => acquireResultFloat32(engine, -1), { name: "RangeError" });
    assert.throws(() => engine.endOperation(), /endOperation: no operation is open/);
    assert.equal(acquireResultFloat32(engine, 4).length, 4, "a normal call right after works");
    engine.close();
  });
});
