import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { Counter, Registry } from "prom-client";
import { createEngine } from "../src/alloc/engine.ts";
import { convolve } from "../mod.ts";
import { createMetricsHandler, PROMETHEUS_CONTENT_TYPE } from "../src/prometheus.ts";
import { METHOD_INDEX, OPERATION_INDEX } from "../src/metrics/operation_metrics.ts";
import { recordOperation } from "../src/metrics/record.ts";

const promtool = spawnSync("promtool", ["--version"]).status === 0;
if (!promtool) {
  console.warn(
    "\n!!! promtool is not installed: the `promtool check metrics` tests are SKIPPED." +
      "\n!!! Install Debian's `prometheus` package (apt-get install -y prometheus) to run them.\n",
  );
}

const FAMILIES = [
  "convpool_allocation_count_total",
  "convpool_allocation_size_bytes_total",
  "convpool_pool_requests_total",
  "convpool_pool_releases_total",
  "convpool_pool_buffers",
  "convpool_pool_memory_usage_bytes",
  "convpool_pool_memory_limit_bytes",
  "convpool_pool_memory_evicted_bytes_total",
  "convpool_stack_memory_usage_bytes",
  "convpool_stack_memory_peak_bytes",
  "convpool_stack_memory_limit_bytes",
  "convpool_stack_utilization_ratio",
  "convpool_stack_window_peak_bytes",
  "convpool_stack_window_utilization_ratio",
  "convpool_stack_overflows_total",
  "convpool_memory_pressure_events_total",
  "convpool_operations_total",
  "convpool_operation_duration_seconds",
  "convpool_buffer_misuse_total",
  "convpool_stack_recommended_limit_bytes",
  "convpool_pool_recommended_buffers",
  "convpool_autotune_adjustments_total",
];

function workload(engine: ReturnType<typeof createEngine>, operations: number): void {
  const held = Array.from({ length: 4 }, () => engine.acquireFloat32(300));
  for (const buffer of held) engine.release(buffer);
  engine.scope(() => {
    engine.acquireFloat64(64);
  });
  for (let i = 0; i < operations; i++) {
    recordOperation(
      engine.metrics,
      OPERATION_INDEX.convolve,
      METHOD_INDEX.direct,
      i % 64 === 0 ? 4e-7 : -1,
      64,
    );
  }
  engine.handleMemoryPressure({ level: "moderate" });
}

/** The lines of `text` that belong to convpool's own families. */
function ownFamilies(text: string): string {
  return text.split("\n").filter((line) =>
    line.startsWith("convpool_") || line.startsWith("# HELP convpool_") ||
    line.startsWith("# TYPE convpool_")
  ).join("\n") + "\n";
}

function promtoolCheck(text: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output }));
    child.stdin.end(text);
  });
}

function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series));
  assert.ok(line, `a sample starting with ${series}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("createMetricsHandler", () => {
  it("serves every convpool family with its Prometheus name and the exact operation count", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    workload(engine, 1000);
    const handler = createMetricsHandler({ engine });
    const response = await handler(new Request("http://127.0.0.1/metrics"));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
    const text = await response.text();
    for (const family of FAMILIES) {
      assert.match(text, new RegExp(`^# TYPE ${family} `, "m"), family);
    }
    assert.match(text, /^convpool_operation_duration_seconds_bucket\{.*le="\+Inf"\} 1024$/m);
    assert.match(text, /^convpool_operation_duration_seconds_bucket\{.*le="5e-7"\} 1024$/m);
    assert.equal(
      sample(
        text,
        'convpool_operations_total{convpool_operation="convolve",convpool_method="direct"',
      ),
      1000,
    );
    assert.equal(sample(text, "convpool_stack_memory_peak_bytes"), 512);
    assert.equal(sample(text, "convpool_stack_utilization_ratio"), 512 / 32768);
    engine.close();
  });

  it("appends the runtime's default metrics unless told not to", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const withDefaults = await (await createMetricsHandler({ engine })(
      new Request("http://127.0.0.1/metrics"),
    )).text();
    assert.match(withDefaults, /^process_cpu_user_seconds_total /m);
    assert.match(withDefaults, /^nodejs_heap_size_used_bytes /m);
    const without = await (await createMetricsHandler({ engine, defaultMetrics: false })(
      new Request("http://127.0.0.1/metrics"),
    )).text();
    assert.doesNotMatch(without, /^process_cpu_user_seconds_total /m);
    assert.match(without, /^# TYPE convpool_operations_total counter$/m);
    engine.close();
  });

  it("appends a prom-client registry of the caller's and labels series with extra attributes", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const registry = new Registry();
    new Counter({ name: "app_jobs_total", help: "Jobs.", registers: [registry] }).inc(3);
    const handler = createMetricsHandler({
      engine,
      registry,
      defaultMetrics: false,
      attributes: { "convpool.engine": "main" },
    });
    const text = await (await handler(new Request("http://127.0.0.1/metrics"))).text();
    assert.match(text, /^app_jobs_total 3$/m);
    assert.match(text, /^convpool_operations_total\{convpool_engine="main",/m);
    engine.close();
  });

  it("rejects other paths with 404 and other methods with 405 and an Allow header", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const handler = createMetricsHandler({ engine, defaultMetrics: false });
    assert.equal((await handler(new Request("http://127.0.0.1/"))).status, 404);
    assert.equal((await handler(new Request("http://127.0.0.1/metrics/x"))).status, 404);
    const post = await handler(
      new Request("http://127.0.0.1/metrics", { method: "POST", body: "x" }),
    );
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    const head = await handler(new Request("http://127.0.0.1/metrics?x=1", { method: "HEAD" }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    engine.close();
  });

  it("serves the default engine when none is given, where convolve counts by default", async () => {
    convolve(new Float32Array(8), new Float32Array(3));
    const text = await (await createMetricsHandler({ defaultMetrics: false })(
      new Request("http://127.0.0.1/metrics"),
    )).text();
    const line = text.split("\n").find((l) =>
      l.startsWith("convpool_operations_total{") && l.includes('convpool_operation="convolve"') &&
      l.includes('convpool_method="direct"')
    );
    assert.ok(line !== undefined && Number(line.split(" ").at(-1)) >= 1, line);
  });

  it("rejects something that is not an engine or a bad path with a TypeError quoting the value", () => {
    assert.throws(
      () => createMetricsHandler({ engine: 42 as never }),
      /^TypeError: createMetricsHandler: engine must be an allocation engine .*, received number 42$/,
    );
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    assert.throws(() => createMetricsHandler({ engine, path: "metrics" }), /path must .*"metrics"/);
    engine.close();
  });

  it("rejects unknown options with a TypeError listing the known ones, and bad cacheMs", () => {
    assert.throws(
      () => createMetricsHandler({ defaultMetric: false } as never),
      {
        name: "TypeError",
        message:
          /^createMetricsHandler: an option must be one of engine, path, defaultMetrics, registry, attributes, cacheMs, resource, received "defaultMetric"$/,
      },
    );
    assert.throws(() => createMetricsHandler({ cacheMs: -5 }), {
      name: "RangeError",
      message: /cacheMs must be .* received number -5/,
    });
  });

  it("renders once for scrapes that arrive together, and reuses it for cacheMs", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    let renders = 0;
    const registry = {
      metrics: () => {
        renders++;
        return Promise.resolve("");
      },
    } as unknown as Registry;
    const scrape = (handler: (r: Request) => Promise<Response>) =>
      handler(new Request("http://127.0.0.1/metrics")).then((r) => r.text());
    const shared = createMetricsHandler({ engine, defaultMetrics: false, registry, cacheMs: 0 });
    const texts = await Promise.all(Array.from({ length: 50 }, () => scrape(shared)));
    assert.equal(renders, 1);
    assert.equal(new Set(texts).size, 1);
    // cacheMs 0: a scrape after the rendering finished renders again, with fresh values.
    workload(engine, 10);
    assert.match(await scrape(shared), /convpool_operations_total\{[^}]*direct[^}]*\} 10$/m);
    assert.equal(renders, 2);

    renders = 0;
    const cached = createMetricsHandler({
      engine,
      defaultMetrics: false,
      registry,
      cacheMs: 60_000,
    });
    const first = await scrape(cached);
    workload(engine, 10);
    assert.equal(await scrape(cached), first, "within cacheMs, the same rendering");
    assert.equal(renders, 1);
    engine.close();
  });

  it("names the service on target_info from `resource`, or from OTEL_SERVICE_NAME", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const saved = process.env.OTEL_SERVICE_NAME;
    try {
      process.env.OTEL_SERVICE_NAME = "from-env";
      const targetInfo = async (options: { resource?: Record<string, string> }) => {
        const handler = createMetricsHandler({ engine, defaultMetrics: false, ...options });
        const text = await (await handler(new Request("http://127.0.0.1/metrics"))).text();
        return text.split("\n").find((line) => line.startsWith("target_info{")) ?? "";
      };
      assert.match(await targetInfo({}), /service_name="from-env"/);
      assert.match(await targetInfo({}), /telemetry_sdk_language="nodejs"/);
      const explicit = await targetInfo({
        resource: { "service.name": "api", "service.instance.id": "pod-7" },
      });
      assert.match(explicit, /service_name="api"/);
      assert.match(explicit, /service_instance_id="pod-7"/);
    } finally {
      if (saved === undefined) delete process.env.OTEL_SERVICE_NAME;
      else process.env.OTEL_SERVICE_NAME = saved;
      engine.close();
    }
  });

  it("answers concurrent scrapes with the same values", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    workload(engine, 300);
    const handler = createMetricsHandler({ engine, defaultMetrics: false });
    const texts = await Promise.all(
      Array.from(
        { length: 8 },
        () => handler(new Request("http://127.0.0.1/metrics")).then((r) => r.text()),
      ),
    );
    for (const text of texts) {
      assert.equal(
        sample(
          text,
          'convpool_operations_total{convpool_operation="convolve",convpool_method="direct"',
        ),
        300,
      );
    }
    engine.close();
  });

  it("stays consistent when scraped while work runs", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const handler = createMetricsHandler({ engine, defaultMetrics: false, cacheMs: 0 });
    let running = true;
    let done = 0;
    const worker = (async () => {
      while (running) {
        workload(engine, 500);
        done += 500;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    let previous = -1;
    for (let scrape = 0; scrape < 20; scrape++) {
      const text = await (await handler(new Request("http://127.0.0.1/metrics"))).text();
      const count = text.includes("convpool_operations_total{")
        ? sample(
          text,
          'convpool_operations_total{convpool_operation="convolve",convpool_method="direct"',
        )
        : 0;
      assert.ok(count >= previous, `counter never goes back (${count} after ${previous})`);
      previous = count;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    running = false;
    await worker;
    const text = await (await handler(new Request("http://127.0.0.1/metrics"))).text();
    assert.equal(
      sample(
        text,
        'convpool_operations_total{convpool_operation="convolve",convpool_method="direct"',
      ),
      done,
    );
    assert.ok(done > 0);
    engine.close();
  });

  it("passes promtool check metrics for convpool's own families", { skip: !promtool }, async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0, poolMaxBytes: 4096 });
    workload(engine, 1000);
    engine.acquireFloat32(1 << 16); // a heap fallback
    const text =
      await (await createMetricsHandler({ engine })(new Request("http://127.0.0.1/metrics")))
        .text();
    const own = ownFamilies(text);
    assert.ok(own.split("\n").length > 100);
    const result = await promtoolCheck(own);
    assert.equal(result.output, "");
    assert.equal(result.status, 0);
    engine.close();
  });

  it(
    "leaves promtool only prom-client's _total gauges to flag in the whole exposition",
    { skip: !promtool },
    async () => {
      const engine = createEngine({ maintenanceIntervalMs: 0 });
      workload(engine, 10);
      const text =
        await (await createMetricsHandler({ engine })(new Request("http://127.0.0.1/metrics")))
          .text();
      const result = await promtoolCheck(text);
      const problems = result.output.split("\n").filter((line) => line.trim() !== "");
      const allowed =
        /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
      assert.deepEqual(problems.filter((line) => !allowed.test(line)), []);
      engine.close();
    },
  );
});
