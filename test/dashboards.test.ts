import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  DASHBOARDS,
  overviewDashboard,
  renderDashboard,
  SELECTOR,
  tuningDashboard,
} from "../dashboards/convpool_dashboards.ts";
import { staleDashboards } from "../dashboards/generate.ts";
import { ATTRIBUTES, METRICS } from "../src/telemetry/names.ts";
import { prometheusName } from "../src/telemetry/prometheus_names.ts";
import { GC_CYCLES_METRIC, RUNTIME_ATTRIBUTES } from "../src/telemetry/runtime_metrics.ts";
import { ENGINE_ENV_VARS } from "../src/alloc/env_config.ts";
import { ALWAYS_TIME_WORK, SAMPLE_INTERVAL } from "../src/metrics/record.ts";

const DIR = fileURLToPath(new URL("../dashboards/", import.meta.url));

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}

interface Panel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query?: unknown;
  datasource?: { uid?: string };
}

interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

function asJson(build: () => unknown): Dashboard {
  return JSON.parse(renderDashboard(build() as never)) as Dashboard;
}

const BUILT: Dashboard[] = DASHBOARDS.map(({ build }) => asJson(build));

/** Every panel except rows (which hold no queries), including panels in collapsed rows. */
function panelsOf(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  const visit = (panels: Panel[] | undefined): void => {
    for (const panel of panels ?? []) {
      if (panel.type !== "row") out.push(panel);
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

function exprsOf(dashboard: Dashboard): string[] {
  return panelsOf(dashboard).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ""));
}

/** The Prometheus family names convpool serves, with histogram series. */
function servedConvpoolSeries(): Set<string> {
  const names = new Set<string>();
  for (const metric of [...Object.values(METRICS), GC_CYCLES_METRIC]) {
    if (metric.kind === "histogram") {
      const base = prometheusName(metric.name, metric.unit, "histogram");
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(base + suffix);
    } else {
      const kind = metric.kind === "counter" ? "counter" : "gauge";
      names.add(prometheusName(metric.name, metric.unit, kind));
    }
  }
  return names;
}

describe("the committed dashboards", () => {
  it("equal the generator's output", async () => {
    assert.deepEqual(await staleDashboards(), []);
    for (const { file, build } of DASHBOARDS) {
      assert.equal(await readFile(`${DIR}${file}`, "utf8"), renderDashboard(build()), file);
    }
  });

  it("are the overview and the tuning dashboard, with stable uids", () => {
    assert.deepEqual(BUILT.map((d) => [d.uid, d.title]), [
      ["convpool-overview", "convpool overview"],
      ["convpool-tuning", "convpool tuning"],
    ]);
    assert.equal(asJson(overviewDashboard).uid, "convpool-overview");
    assert.equal(asJson(tuningDashboard).uid, "convpool-tuning");
  });
});

for (const dashboard of BUILT) {
  describe(`the ${dashboard.title} dashboard`, () => {
    const panels = panelsOf(dashboard);

    it("has the datasource, job and instance variables", () => {
      const variables = dashboard.templating.list;
      assert.deepEqual(variables.map((v) => [v.name, v.type]), [
        ["datasource", "datasource"],
        ["job", "query"],
        ["instance", "query"],
      ]);
      assert.equal(variables[0].query, "prometheus");
      assert.equal(variables[1].datasource?.uid, "${datasource}");
      assert.match(String(variables[2].query), /\{job=~"\$job"\}/);
    });

    it("gives every panel a unit and a description that names a setting", () => {
      assert.ok(panels.length >= 8, `only ${panels.length} panels`);
      for (const panel of panels) {
        assert.ok(panel.fieldConfig?.defaults?.unit, `${panel.title} has no unit`);
        assert.ok((panel.description ?? "").length > 80, `${panel.title} has no real description`);
        assert.match(
          panel.description!,
          /CONVPOOL_[A-Z_]+|configure key/,
          `${panel.title}: the description does not say which setting to change`,
        );
      }
    });

    it("names only environment variables that the engine reads", () => {
      for (const panel of panels) {
        for (const name of panel.description!.match(/CONVPOOL_[A-Z_]+/g) ?? []) {
          assert.ok(name in ENGINE_ENV_VARS, `${panel.title} mentions unknown ${name}`);
        }
      }
    });

    it("queries the $datasource variable and filters on $job and $instance everywhere", () => {
      for (const panel of panels) {
        assert.equal(panel.datasource?.uid, "${datasource}", `${panel.title}`);
        assert.ok((panel.targets ?? []).length > 0, `${panel.title} has no query`);
        for (const target of panel.targets!) {
          assert.equal(target.datasource?.uid, "${datasource}", `${panel.title}`);
          // Every selector of the query carries the job/instance filter.
          const selectors = target.expr!.match(/[a-z_:]+\{[^}]*\}/g) ?? [];
          assert.ok(selectors.length > 0, `${panel.title}: ${target.expr}`);
          for (const selector of selectors) {
            assert.ok(selector.includes(SELECTOR), `${panel.title}: ${selector}`);
          }
        }
      }
    });

    it("uses $__rate_interval for every range", () => {
      for (const expr of exprsOf(dashboard)) {
        for (const range of expr.match(/\[[^\]]*\]/g) ?? []) {
          assert.equal(range, "[$__rate_interval]", expr);
        }
      }
    });

    it("queries only metric families and labels that the /metrics endpoint serves", () => {
      const served = servedConvpoolSeries();
      const labels = new Set([
        ...[...Object.values(ATTRIBUTES), ...Object.values(RUNTIME_ATTRIBUTES)]
          .map((key) => key.replace(/[^a-zA-Z0-9_]/g, "_")),
        "job",
        "instance",
        "le",
        "kind",
      ]);
      for (const expr of exprsOf(dashboard)) {
        for (const name of expr.match(/\bconvpool_[a-z_]+(?=\{)/g) ?? []) {
          assert.ok(served.has(name), `${name} is not served (in ${expr})`);
        }
        for (const group of expr.match(/by \(([^)]*)\)/g) ?? []) {
          for (const label of group.slice(4, -1).split(",").map((l) => l.trim())) {
            assert.ok(labels.has(label), `unknown label ${label} in ${expr}`);
          }
        }
      }
    });

    it("numbers its panels uniquely and titles them uniquely", () => {
      const ids = dashboard.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length);
      const titles = panels.map((p) => p.title);
      assert.equal(new Set(titles).size, titles.length);
    });
  });
}

describe("the panels cover issue 6", () => {
  it("overview: ops/s, latency quantiles and heatmap, stack, pool, sources, pressure, misuse, heap, GC", () => {
    const exprs = exprsOf(BUILT[0]).join("\n");
    const types = panelsOf(BUILT[0]).map((p) => p.type);
    assert.ok(types.includes("heatmap"));
    for (
      const needle of [
        "convpool_operations_total",
        "histogram_quantile(0.5,",
        "histogram_quantile(0.95,",
        "histogram_quantile(0.99,",
        "convpool_stack_window_utilization_ratio",
        'convpool_pool_result="hit"',
        "sum by (convpool_source) (rate(convpool_allocation_count_total",
        "convpool_memory_pressure_events_total",
        "convpool_buffer_misuse_total",
        "nodejs_heap_size_used_bytes",
        "nodejs_gc_duration_seconds",
        "convpool_runtime_gc_cycles_total",
      ]
    ) {
      assert.ok(exprs.includes(needle), needle);
    }
  });

  it("tuning: per-class requests, heap fallbacks, drops, buffers, limits, recommendations, evictions, kernel memory", () => {
    const exprs = exprsOf(BUILT[1]).join("\n");
    for (
      const needle of [
        "sum by (convpool_size_class, convpool_pool_result) (rate(convpool_pool_requests_total",
        "convpool_pool_releases_total",
        "sum by (instance, convpool_size_class, convpool_pool_state) (convpool_pool_buffers",
        "convpool_pool_memory_usage_bytes",
        "convpool_pool_memory_limit_bytes",
        "convpool_stack_memory_peak_bytes",
        "convpool_stack_memory_limit_bytes",
        "convpool_stack_recommended_limit_bytes",
        "convpool_pool_recommended_buffers",
        "convpool_pool_memory_evicted_bytes_total",
        "convpool_kernel_memory_usage_bytes",
      ]
    ) {
      assert.ok(exprs.includes(needle), needle);
    }
  });
});

describe("the panels cover issue 15", () => {
  it("stack efficiency uses the windowed peak, which recovers; the lifetime one is not plotted there", () => {
    const panel = panelsOf(BUILT[0]).find((p) => p.title === "Stack efficiency");
    const exprs = (panel?.targets ?? []).map((t) => t.expr ?? "").join("\n");
    assert.ok(exprs.includes("convpool_stack_window_utilization_ratio"));
    assert.ok(!exprs.includes("convpool_stack_utilization_ratio"));
    assert.ok(exprsOf(BUILT[1]).join("\n").includes("convpool_stack_window_peak_bytes"));
  });

  it("tuning shows the autoTune adjustments by setting and direction", () => {
    const panel = panelsOf(BUILT[1]).find((p) => p.title === "autoTune adjustments");
    assert.match(
      panel?.targets?.[0].expr ?? "",
      /^sum by \(convpool_setting, convpool_direction\) \(increase\(convpool_autotune_adjustments_total\{/,
    );
    assert.match(panel?.description ?? "", /CONVPOOL_AUTOTUNE/);
  });
});

describe("dashboard prose", () => {
  it("quotes the latency sampling from the constants the recorder uses", () => {
    const panel = panelsOf(BUILT[0]).find((p) => p.title === "Operation latency p50 / p95 / p99");
    const description = panel?.description ?? "";
    assert.ok(
      description.includes(`1 in ${SAMPLE_INTERVAL} `),
      `sampling rate missing: ${description}`,
    );
    assert.ok(
      description.includes(`(${ALWAYS_TIME_WORK}) multiply-accumulates`),
      `always-timed threshold missing: ${description}`,
    );
  });
});
