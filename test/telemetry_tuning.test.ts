import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createEngine } from "../src/alloc/engine.ts";
import {
  MIN_STACK_BYTES,
  recommendClassBuffers,
  recommendStackBytes,
  tuningHints,
} from "../src/telemetry/tuning.ts";

describe("recommendStackBytes", () => {
  it("adds 25% headroom to the peak and rounds up to a power of two", () => {
    assert.equal(
      recommendStackBytes({ peakBytes: 20000, capacityBytes: 32768, overflows: 0 }),
      32768,
    );
    assert.equal(
      recommendStackBytes({ peakBytes: 30000, capacityBytes: 32768, overflows: 0 }),
      65536,
    );
  });

  it("never recommends less than MIN_STACK_BYTES", () => {
    assert.equal(
      recommendStackBytes({ peakBytes: 0, capacityBytes: 32768, overflows: 0 }),
      MIN_STACK_BYTES,
    );
  });

  it("asks for more than twice the capacity when requests overflowed", () => {
    assert.equal(
      recommendStackBytes({ peakBytes: 32768, capacityBytes: 32768, overflows: 1 }),
      131072,
    );
  });
});

describe("recommendClassBuffers", () => {
  it("adds 25% headroom to the peak in-use count", () => {
    assert.equal(recommendClassBuffers(0), 0);
    assert.equal(recommendClassBuffers(1), 2);
    assert.equal(recommendClassBuffers(8), 10);
  });

  it("doubles the bound when the class hit it and the pool was exhausted", () => {
    assert.equal(recommendClassBuffers(4, { bound: 4, poolExhausted: true }), 10);
    assert.equal(recommendClassBuffers(3, { bound: 4, poolExhausted: true }), 4);
    assert.equal(recommendClassBuffers(4, { bound: 4, poolExhausted: false }), 5);
  });
});

describe("tuningHints", () => {
  it("derives the hints from a real engine's observed demand", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const held = Array.from({ length: 8 }, () => engine.acquireFloat32(1000)); // class 4096 B
    for (const buffer of held) engine.release(buffer);
    engine.scope(() => {
      engine.acquireFloat32(200); // 800 B on the stack
    });
    const hints = tuningHints(engine);
    assert.equal(hints.poolBuffersPerClass[12], 10);
    assert.equal(hints.poolMaxBuffersPerClass, 10);
    assert.equal(hints.poolBytes, 10 * 4096);
    assert.equal(hints.stackBytes, MIN_STACK_BYTES);
    engine.close();
  });
});
