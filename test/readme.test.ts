import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ENGINE_ENV_VARS } from "../src/alloc/env_config.ts";
import { METRICS } from "../src/telemetry/names.ts";
import { prometheusNameOf } from "../src/telemetry/prometheus_names.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("the README", () => {
  it("lists every metric under its Prometheus and OpenTelemetry names", () => {
    for (const metric of Object.values(METRICS)) {
      assert.ok(readme.includes(`\`${prometheusNameOf(metric)}\``), metric.name);
      assert.ok(readme.includes(metric.name), metric.name);
    }
  });

  it("documents every CONVPOOL_* environment variable", () => {
    for (const variable of Object.keys(ENGINE_ENV_VARS)) {
      assert.ok(readme.includes(variable), variable);
    }
  });

  it("points the AudioWorklet recipe at the processor file the browser test renders with", () => {
    assert.ok(readme.includes("](examples/worklet/convolver_processor.ts)"));
    const test = readFileSync(new URL("./browser_worklet.test.ts", import.meta.url), "utf8");
    assert.ok(test.includes('"examples/worklet/convolver_processor.ts"'));
  });

  it("keeps the two quick-start commands", () => {
    assert.ok(readme.includes("npm install && npm start"));
    assert.ok(readme.includes("npm test"));
  });
});
