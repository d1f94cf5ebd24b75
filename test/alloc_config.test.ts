import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_ENGINE_CONFIG, resolveConfig } from "../src/alloc/config.ts";

test("resolveConfig applies a partial configuration onto the base", () => {
  const config = resolveConfig({ stackBytes: 65536, debug: true }, DEFAULT_ENGINE_CONFIG);
  assert.equal(config.stackBytes, 65536);
  assert.equal(config.debug, true);
  assert.equal(config.stackThreshold, 256);
  assert.equal(DEFAULT_ENGINE_CONFIG.stackBytes, 32768, "the base is not modified");
});

test("the defaults match the documented values", () => {
  assert.equal(DEFAULT_ENGINE_CONFIG.stackBytes, 32768);
  assert.equal(DEFAULT_ENGINE_CONFIG.stackThreshold, 256);
  assert.equal(DEFAULT_ENGINE_CONFIG.telemetry, true);
  assert.equal(DEFAULT_ENGINE_CONFIG.debug, false);
  assert.equal(resolveConfig(undefined, DEFAULT_ENGINE_CONFIG).poolMaxBytes, 64 * 1024 * 1024);
});

test("resolveConfig rejects bad values with the key and the value quoted", () => {
  const cases: [unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    [null, TypeError, /received null/],
    [[1], TypeError, /Array\(length 1\)/],
    [{ stackBytes: "1" }, TypeError, /stackBytes.*"1"/],
    [{ stackBytes: 12 }, RangeError, /multiple of 8, received number 12/],
    [{ stackThreshold: -1 }, RangeError, /stackThreshold.*-1/],
    [{ poolMaxBytes: 1.5 }, RangeError, /1\.5/],
    [{ maintenanceIntervalMs: NaN }, RangeError, /NaN/],
    [{ pressureModerateRssBytes: 0 }, RangeError, /received number 0/],
    [
      { pressureModerateRssBytes: 10, pressureCriticalRssBytes: 5 },
      RangeError,
      /^createEngine: config\.pressureCriticalRssBytes must be >= pressureModerateRssBytes \(10\), received number 5$/,
    ],
    [{ readMemoryUsage: 5 }, TypeError, /readMemoryUsage.*5/],
    [{ telemetry: 1 }, TypeError, /telemetry.*1/],
    [
      { toString: 1 },
      TypeError,
      /^createEngine: a config key must be one of stackBytes, .*, received "toString"$/,
    ],
  ];
  for (const [partial, type, pattern] of cases) {
    assert.throws(
      () => resolveConfig(partial, DEFAULT_ENGINE_CONFIG),
      (e: Error) => e instanceof type && pattern.test(e.message),
    );
  }
});
