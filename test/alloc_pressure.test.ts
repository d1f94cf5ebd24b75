import assert from "node:assert/strict";
import { test } from "node:test";
import { pressureLevelOf, runtimeMemoryUsage } from "../src/alloc/pressure.ts";
import { runtimeMemoryUsage as adapterMemoryUsage } from "../src/runtime/memory.ts";

const THRESHOLDS = {
  pressureModerateRssBytes: 1000,
  pressureCriticalRssBytes: 2000,
  pressureModerateHeapBytes: 100,
  pressureCriticalHeapBytes: 200,
};

test("the memory usage comes from the runtime adapter", () => {
  assert.equal(runtimeMemoryUsage, adapterMemoryUsage);
});

test("levels follow the thresholds and name their trigger", () => {
  assert.deepEqual(pressureLevelOf({ rss: 10, heapUsed: 10 }, THRESHOLDS), {
    level: 0,
    trigger: 0,
  });
  assert.deepEqual(pressureLevelOf({ rss: 1500, heapUsed: 10 }, THRESHOLDS), {
    level: 1,
    trigger: 2,
  });
  assert.deepEqual(pressureLevelOf({ rss: 10, heapUsed: 250 }, THRESHOLDS), {
    level: 2,
    trigger: 1,
  });
  assert.deepEqual(pressureLevelOf({ rss: 2500, heapUsed: 250 }, THRESHOLDS), {
    level: 2,
    trigger: 2,
  });
});

test("infinite thresholds never raise pressure", () => {
  const off = {
    pressureModerateRssBytes: Infinity,
    pressureCriticalRssBytes: Infinity,
    pressureModerateHeapBytes: Infinity,
    pressureCriticalHeapBytes: Infinity,
  };
  assert.equal(pressureLevelOf({ rss: 1e15, heapUsed: 1e15 }, off).level, 0);
});
