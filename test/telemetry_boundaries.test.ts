import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const telemetry = join(root, "src", "telemetry");
const kernels = join(root, "src", "kernels");
const metrics = join(root, "src", "metrics");

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
}

describe("the telemetry core", () => {
  it("imports only @opentelemetry/api and local modules, never the SDK or prom-client", () => {
    const files = readdirSync(telemetry).filter((name) => name.endsWith(".ts"));
    assert.ok(files.length > 5);
    for (const name of files) {
      for (const specifier of importsOf(join(telemetry, name))) {
        assert.ok(
          specifier.startsWith("./") || specifier.startsWith("../alloc/") ||
            specifier.startsWith("../metrics/") || specifier.startsWith("../runtime/") ||
            specifier === "../types.ts" || specifier === "../validate.ts" ||
            specifier === "../kernels/dispatch.ts" || specifier === "@opentelemetry/api",
          `${name} imports ${specifier}`,
        );
      }
    }
  });

  it("is never imported by the kernels, which read no allocation or telemetry module", () => {
    const files = readdirSync(kernels, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".ts"));
    assert.ok(files.length > 5);
    for (const name of files) {
      for (const specifier of importsOf(join(kernels, name))) {
        assert.doesNotMatch(specifier, /\/(alloc|telemetry)\//, `${name} imports ${specifier}`);
      }
    }
  });

  it("never writes to what it reads: no counter, level or metric is assigned in src/telemetry", () => {
    const files = readdirSync(telemetry).filter((name) => name.endsWith(".ts"));
    for (const name of files) {
      const text = readFileSync(join(telemetry, name), "utf8");
      assert.doesNotMatch(
        text,
        /\b(counters|metrics|levels)\.\w+(\[[^\]]*\])?\s*(\+\+|--|[-+*/]?=(?!=))/,
        `${name} writes to an engine's counts`,
      );
    }
  });
});

describe("the metrics layer", () => {
  it("imports no allocation, telemetry, kernel or OpenTelemetry module", () => {
    const files = readdirSync(metrics).filter((name) => name.endsWith(".ts"));
    assert.ok(files.length >= 4);
    for (const name of files) {
      for (const specifier of importsOf(join(metrics, name))) {
        assert.ok(
          specifier.startsWith("./") || specifier === "../runtime/clock.ts" ||
            specifier === "../types.ts" || specifier === "../validate.ts" ||
            specifier === "../validate.ts",
          `${name} imports ${specifier}`,
        );
      }
    }
  });

  it("keeps the hot-path recorder free of any OpenTelemetry import", () => {
    const specifiers = importsOf(join(metrics, "record.ts"));
    assert.deepEqual(specifiers, ["../runtime/clock.ts", "./operation_metrics.ts"]);
  });
});
