import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ENGINE_ENV_VARS,
  engineConfigFromEnv,
  engineConfigFromProcessEnv,
  readEngineEnv,
} from "../src/alloc/env_config.ts";

describe("engineConfigFromEnv", () => {
  it("parses every variable into its engine key", () => {
    const config = engineConfigFromEnv({
      CONVPOOL_STACK_BYTES: "64KiB",
      CONVPOOL_POOL_MAX_BYTES: "128MiB",
      CONVPOOL_STACK_THRESHOLD: "512",
      CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS: "48",
      CONVPOOL_MAINTENANCE_INTERVAL_MS: "0",
      CONVPOOL_TELEMETRY: "off",
      CONVPOOL_AUTOTUNE: "on",
      CONVPOOL_AUTOTUNE_MAX_STACK_BYTES: "256KiB",
      CONVPOOL_DEBUG: "1",
    });
    assert.deepEqual(config, {
      stackBytes: 65536,
      poolMaxBytes: 128 * 1024 * 1024,
      stackThreshold: 512,
      poolMaxBuffersPerClass: 48,
      maintenanceIntervalMs: 0,
      telemetry: false,
      autoTune: { maxStackBytes: 262144 },
      debug: true,
    });
    assert.deepEqual(
      [...new Set(Object.values(ENGINE_ENV_VARS))].sort(),
      Object.keys(config).sort(),
    );
  });

  it("turns autoTune on or off, and takes its stack bound only with it on", () => {
    assert.deepEqual(engineConfigFromEnv({ CONVPOOL_AUTOTUNE: "yes" }), { autoTune: true });
    assert.deepEqual(engineConfigFromEnv({ CONVPOOL_AUTOTUNE: "off" }), { autoTune: false });
    assert.throws(
      () => engineConfigFromEnv({ CONVPOOL_AUTOTUNE: "sometimes" }),
      (error: unknown) =>
        error instanceof RangeError &&
        /^engineConfigFromEnv: CONVPOOL_AUTOTUNE must be/.test(error.message) &&
        error.message.includes('"sometimes"'),
    );
    assert.throws(
      () => engineConfigFromEnv({ CONVPOOL_AUTOTUNE_MAX_STACK_BYTES: "64KiB" }),
      /^RangeError: engineConfigFromEnv: CONVPOOL_AUTOTUNE_MAX_STACK_BYTES must be unset unless CONVPOOL_AUTOTUNE is on \(it is unset\), received "64KiB"$/,
    );
    assert.throws(
      () =>
        engineConfigFromEnv({ CONVPOOL_AUTOTUNE: "0", CONVPOOL_AUTOTUNE_MAX_STACK_BYTES: "64KiB" }),
      /\(it is "0"\), received "64KiB"$/,
    );
    assert.throws(
      () =>
        engineConfigFromEnv({ CONVPOOL_AUTOTUNE: "1", CONVPOOL_AUTOTUNE_MAX_STACK_BYTES: "100" }),
      /multiple of 8.*"100"/,
    );
  });

  it("leaves unset and empty variables out", () => {
    assert.deepEqual(engineConfigFromEnv({ CONVPOOL_STACK_BYTES: "", OTHER: "1" }), {});
  });

  it("reads an environment with a get method, like Deno.env", () => {
    const env = new Map([["CONVPOOL_TELEMETRY", "yes"]]);
    assert.deepEqual(engineConfigFromEnv({ get: (name: string) => env.get(name) }), {
      telemetry: true,
    });
  });

  it("rejects invalid values with a RangeError that quotes them", () => {
    assert.throws(
      () => engineConfigFromEnv({ CONVPOOL_STACK_BYTES: "lots" }),
      (error: unknown) =>
        error instanceof RangeError && error.message.includes("CONVPOOL_STACK_BYTES") &&
        error.message.includes('"lots"'),
    );
    assert.throws(
      () => engineConfigFromEnv({ CONVPOOL_STACK_BYTES: "100" }),
      /multiple of 8.*"100"/,
    );
    assert.throws(() => engineConfigFromEnv({ CONVPOOL_STACK_THRESHOLD: "-1" }), /"-1"/);
    assert.throws(
      () => engineConfigFromEnv({ CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS: "2.5" }),
      /"2\.5"/,
    );
    assert.throws(() => engineConfigFromEnv({ CONVPOOL_TELEMETRY: "maybe" }), /"maybe"/);
  });

  it("rejects a non-object environment with a TypeError", () => {
    assert.throws(() => engineConfigFromEnv(null as never), TypeError);
  });
});

describe("readEngineEnv", () => {
  it("reads the running process's variables without throwing", () => {
    const env = readEngineEnv();
    assert.equal(typeof env, "object");
    assert.doesNotThrow(() => engineConfigFromEnv(env));
  });

  it("sees a variable set in the running process", () => {
    process.env.CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS = "7";
    try {
      assert.equal(readEngineEnv().CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS, "7");
      assert.deepEqual(engineConfigFromProcessEnv(), { poolMaxBuffersPerClass: 7 });
    } finally {
      delete process.env.CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS;
    }
  });
});
