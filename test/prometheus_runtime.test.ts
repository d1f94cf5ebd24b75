import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { collectDefaultMetrics, Registry } from "prom-client";
import v8 from "node:v8";
import { createRuntimeRegistry } from "../src/prometheus_runtime.ts";

const FAMILY = ["min", "max", "mean", "stddev", "p50", "p90", "p99"].map((s) =>
  `nodejs_eventloop_lag_${s}_seconds`
);

/** `# HELP` and `# TYPE` lines, and sample names, by family. */
function families(text: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const name = line.startsWith("# ") ? line.split(" ")[2] : line.split(/[{ ]/)[0];
    if (!name) continue;
    const lines = result.get(name) ?? [];
    lines.push(line.startsWith("# ") ? line : name);
    result.set(name, lines);
  }
  return result;
}

describe("createRuntimeRegistry", () => {
  it("serves the same families, help texts and types as prom-client's default metrics", async () => {
    const ours = new Registry();
    // prom-client's own set, for reference (a second registry; metrics are per registry).
    collectDefaultMetrics({ register: ours });
    const reference = families(await ours.metrics());
    const mine = families(await createRuntimeRegistry().metrics());
    assert.deepEqual([...mine.keys()].sort(), [...reference.keys()].sort());
    for (const name of reference.keys()) {
      const headers = (lines: string[]) => lines.filter((l) => l.startsWith("# "));
      assert.deepEqual(headers(mine.get(name)!), headers(reference.get(name)!), name);
    }
  });

  it("reports the event loop's delays since the last scrape, in seconds", async () => {
    const registry = createRuntimeRegistry();
    const values = async () => {
      const text = await registry.metrics();
      return Object.fromEntries(
        text.split("\n").filter((l) => l.startsWith("nodejs_eventloop_lag_")).map((l) => {
          const [name, value] = l.split(" ");
          return [name, Number(value)];
        }),
      );
    };
    await values();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const v = await values();
    if (!("nodejs_eventloop_lag_stddev_seconds" in v)) return; // Bun: prom-client has no such family
    for (const name of FAMILY) {
      assert.ok(Number.isFinite(v[name]) && v[name] >= 0, `${name} ${v[name]}`);
    }
    // The sampler ticks every 10 ms: each delay is about that long or longer.
    assert.ok(
      v.nodejs_eventloop_lag_min_seconds >= 0.005,
      String(v.nodejs_eventloop_lag_min_seconds),
    );
    assert.ok(v.nodejs_eventloop_lag_min_seconds <= v.nodejs_eventloop_lag_p50_seconds);
    assert.ok(v.nodejs_eventloop_lag_p50_seconds <= v.nodejs_eventloop_lag_p99_seconds);
    assert.ok(v.nodejs_eventloop_lag_p99_seconds <= v.nodejs_eventloop_lag_max_seconds * 1.02);
    assert.ok(v.nodejs_eventloop_lag_mean_seconds >= v.nodejs_eventloop_lag_min_seconds);
    assert.ok(v.nodejs_eventloop_lag_mean_seconds <= v.nodejs_eventloop_lag_max_seconds);
  });

  it("reads the heap-space statistics once per scrape, or once per 10 s on Bun", async () => {
    const original = v8.getHeapSpaceStatistics;
    let reads = 0;
    v8.getHeapSpaceStatistics = () => {
      reads++;
      return original();
    };
    try {
      const registry = createRuntimeRegistry();
      reads = 0;
      for (let scrape = 0; scrape < 3; scrape++) {
        assert.match(await registry.metrics(), /^nodejs_heap_space_size_used_bytes\{space="/m);
      }
      const onBun = typeof (globalThis as { Bun?: unknown }).Bun === "object";
      assert.equal(reads, onBun ? 1 : 3);
    } finally {
      v8.getHeapSpaceStatistics = original;
    }
  });
});
