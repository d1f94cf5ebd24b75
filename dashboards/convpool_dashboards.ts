/**
 * The Grafana dashboards of convpool, built with `@grafana/grafana-foundation-sdk`:
 * "convpool overview" (is the engine healthy and fast?) and "convpool tuning" (which
 * setting should change?). `dashboards/generate.ts` writes them as JSON; the
 * committed JSON files are its output and a test keeps them equal.
 *
 * Every panel queries Prometheus through the `$datasource` variable and filters on
 * `job=~"$job", instance=~"$instance"`; rate windows use `$__rate_interval`, so
 * that they always span at least four scrapes whatever the scrape interval is.
 * Every panel has a unit and a description that names the setting to change
 * (an environment variable of `src/telemetry/env_config.ts` or an
 * `engine.configure()` key) and when.
 *
 * @example
 * ```ts
 * import { DASHBOARDS, renderDashboard } from "./convpool_dashboards.ts";
 * for (const { file, build } of DASHBOARDS) console.log(file, renderDashboard(build()).length);
 * ```
 *
 * @module
 */

import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { ALWAYS_TIME_WORK, SAMPLE_INTERVAL } from "../src/metrics/record.ts";

/** `2^k (value)` for a power of two, else the value: how dashboard prose quotes a threshold. */
function powerOfTwoText(value: number): string {
  const exponent = Math.log2(value);
  return Number.isInteger(exponent) ? `2^${exponent} (${value})` : String(value);
}

/** The label filter every query carries (the `job` and `instance` variables). */
export const SELECTOR = 'job=~"$job",instance=~"$instance"';

/** The data source every panel and variable uses: the `$datasource` variable. */
const DATASOURCE: common.DataSourceRef = { type: "prometheus", uid: "${datasource}" };

/** A metric that every convpool endpoint serves from its first scrape on. */
const ANCHOR_METRIC = "convpool_stack_memory_limit_bytes";

/** One Prometheus query of a panel. */
interface Query {
  /** PromQL; `S` in `{S}` or `{S,...}` stands for {@linkcode SELECTOR}. */
  expr: string;
  /** Grafana legend template. */
  legend: string;
}

/** What every panel states. */
interface PanelSpec {
  title: string;
  /** What the panel shows, which setting it points to, and when to change it. */
  description: string;
  /** A Grafana unit id (`s`, `bytes`, `percentunit`, `ops`, ...). */
  unit: string;
  queries: Query[];
  /** Grid width out of 24 (default 12). */
  width?: number;
  /** Grid height (default 8). */
  height?: number;
}

/** Options of time-series panels beyond {@linkcode PanelSpec}. */
interface TimeseriesSpec extends PanelSpec {
  /** Stack the series (parts of a whole, e.g. idle + in use). */
  stacked?: boolean;
  /** Draw bars: for counts of rare events per interval. */
  bars?: boolean;
  min?: number;
  max?: number;
}

/** Replaces the `S` placeholder with the job/instance selector. */
function withSelector(expr: string): string {
  return expr.replaceAll("{S}", `{${SELECTOR}}`).replaceAll("{S,", `{${SELECTOR},`);
}

function targets(queries: Query[], format?: prometheus.PromQueryFormat) {
  return queries.map((query, i) => {
    const target = new prometheus.DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + i))
      .expr(withSelector(query.expr))
      .legendFormat(query.legend)
      .range();
    return format === undefined ? target : target.format(format);
  });
}

function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Bottom)
    .showLegend(true)
    .calcs(["lastNotNull", "max"]);
}

function timeseriesPanel(spec: TimeseriesSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .targets(targets(spec.queries))
    .height(spec.height ?? 8)
    .span(spec.width ?? 12)
    .fillOpacity(spec.stacked ? 40 : 10)
    .lineWidth(1)
    .showPoints(common.VisibilityMode.Never)
    .legend(legend())
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi));
  if (spec.stacked) {
    panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  }
  if (spec.bars) panel.drawStyle(common.GraphDrawStyle.Bars);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  return panel;
}

function statPanel(spec: PanelSpec): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .targets(targets(spec.queries))
    .height(spec.height ?? 8)
    .span(spec.width ?? 12)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]));
}

function heatmapPanel(spec: PanelSpec): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .targets(targets(spec.queries, prometheus.PromQueryFormat.Heatmap))
    .height(spec.height ?? 8)
    .span(spec.width ?? 12)
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(spec.unit))
    .cellGap(1)
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme("Oranges")
        .scale(heatmap.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64)
        .fill("dark-orange")
        .reverse(false),
    )
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le));
}

function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

function variables(): cog.Builder<dashboard.VariableModel>[] {
  return [
    new dashboard.DatasourceVariableBuilder("datasource")
      .label("Data source")
      .type("prometheus")
      .description("The Prometheus that scrapes convpool's /metrics endpoint."),
    new dashboard.QueryVariableBuilder("job")
      .label("Job")
      .description(
        "Prometheus job of the processes to show (dashboards/prometheus.yml uses convpool).",
      )
      .datasource(DATASOURCE)
      .query(`label_values(${ANCHOR_METRIC}, job)`)
      .definition(`label_values(${ANCHOR_METRIC}, job)`)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .includeAll(true)
      .allValue(".*")
      .multi(true),
    new dashboard.QueryVariableBuilder("instance")
      .label("Instance")
      .description("Process (host:port of its /metrics endpoint) to show.")
      .datasource(DATASOURCE)
      .query(`label_values(${ANCHOR_METRIC}{job=~"$job"}, instance)`)
      .definition(`label_values(${ANCHOR_METRIC}{job=~"$job"}, instance)`)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .includeAll(true)
      .allValue(".*")
      .multi(true),
  ];
}

function baseDashboard(
  uid: string,
  title: string,
  description: string,
): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(["convpool"])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh("10s")
    .time({ from: "now-30m", to: "now" })
    .timezone("browser")
    .variables(variables())
    .link(
      new dashboard.DashboardLinkBuilder("convpool dashboards")
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(["convpool"])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    );
}

/** Panel ids in build order, so that the JSON is stable and Grafana's links work. */
function numberPanels(built: dashboard.Dashboard): dashboard.Dashboard {
  let id = 1;
  for (const panel of built.panels ?? []) panel.id = id++;
  return built;
}

/**
 * The dashboard schema version the JSON declares. The SDK writes 42 (the latest of
 * Grafana's v1 dashboard schema); Grafana migrates dashboards only upward, so
 * declaring 39 lets every release that knows schema 39 or later load them, and the
 * newer ones run their migrations 40 to 42 over them (which change nothing in these
 * dashboards; `test/dashboards_grafana.test.ts` checks that).
 */
export const SCHEMA_VERSION = 39;

/**
 * Declares {@linkcode SCHEMA_VERSION} and drops the SDK's default link placement
 * ("inControlsMenu": recent Grafana releases would tuck the link into the controls
 * menu, some of them without rendering it at all; without it the link shows above the
 * panels in every release).
 */
function portable(built: dashboard.Dashboard): dashboard.Dashboard {
  built.schemaVersion = SCHEMA_VERSION;
  for (const link of built.links ?? []) delete link.placement;
  return built;
}

const LATENCY_BY_QUANTILE = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(convpool_operation_duration_seconds_bucket{S}[$__rate_interval])))`;

/** Builds the "convpool overview" dashboard. */
export function overviewDashboard(): dashboard.Dashboard {
  const builder = baseDashboard(
    "convpool-overview",
    "convpool overview",
    "Throughput, latency and allocation health of convpool engines. Tune settings from the convpool tuning dashboard.",
  )
    .withRow(row("Operations"))
    .withPanel(timeseriesPanel({
      title: "Operations per second by operation and method",
      description:
        "Convolutions, correlations, batch and stream calls per second, by kernel method (direct, fft, overlap_add). " +
        'The method comes from the cost model when method is "auto": a workload of small signals should be mostly direct. ' +
        "Nothing to tune here; read it next to latency: if ops/s drops while latency rises, look at GC and heap fallbacks below " +
        "and at the tuning dashboard (CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS, CONVPOOL_POOL_MAX_BYTES).",
      unit: "ops",
      queries: [{
        expr:
          "sum by (convpool_operation, convpool_method) (rate(convpool_operations_total{S}[$__rate_interval]))",
        legend: "{{convpool_operation}} / {{convpool_method}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Operation latency p50 / p95 / p99",
      description:
        "Latency quantiles over all operations, from the convpool.operation.duration histogram (buckets 100 ns to 1 s; " +
        `operations under ${
          powerOfTwoText(ALWAYS_TIME_WORK)
        } multiply-accumulates are sampled 1 in ${SAMPLE_INTERVAL} ` +
        "and weighted). A p99 far above p50 with heap " +
        "allocations or GC pauses at the same time means buffers are allocated on the hot path: raise " +
        "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS (configure key poolMaxBuffersPerClass) or pre-warm the sizes you use " +
        "(BufferUtils.preWarm). Set CONVPOOL_TELEMETRY=off only if you do not need this panel.",
      unit: "s",
      queries: [
        { expr: LATENCY_BY_QUANTILE(0.5), legend: "p50" },
        { expr: LATENCY_BY_QUANTILE(0.95), legend: "p95" },
        { expr: LATENCY_BY_QUANTILE(0.99), legend: "p99" },
      ],
    }))
    .withPanel(heatmapPanel({
      title: "Operation latency heatmap",
      description:
        "Operations per latency bucket over time (all operations and methods). Two bands usually mean two workloads " +
        "(small direct kernels and large FFTs); a band that drifts upward while pool misses rise points to " +
        "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS or CONVPOOL_POOL_MAX_BYTES being too small for the working set.",
      unit: "s",
      queries: [{
        expr:
          "sum by (le) (increase(convpool_operation_duration_seconds_bucket{S}[$__rate_interval]))",
        legend: "{{le}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "p99 latency by operation and method",
      description:
        "The 99th percentile per operation and kernel method. If one method is slow for the sizes you use, force " +
        "another with the method option of convolve(). Allocation settings do not change kernel speed, only the " +
        "tail caused by heap fallbacks and GC: if the p99 of every method rises together, raise " +
        "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS or CONVPOOL_STACK_BYTES as the tuning dashboard recommends.",
      unit: "s",
      queries: [{
        expr:
          "histogram_quantile(0.99, sum by (le, convpool_operation, convpool_method) (rate(convpool_operation_duration_seconds_bucket{S}[$__rate_interval])))",
        legend: "{{convpool_operation}} / {{convpool_method}}",
      }],
    }))
    .withRow(row("Allocation engine"))
    .withPanel(timeseriesPanel({
      title: "Stack efficiency",
      description: "Peak stack-arena use since the last maintenance pass divided by its capacity " +
        "(convpool_stack_window_utilization_ratio; it falls back after a spike, unlike the lifetime " +
        "convpool_stack_utilization_ratio, which engine.resetPeaks() restarts). Near 100% with stack " +
        "overflows (tuning dashboard): the arena is too small, raise CONVPOOL_STACK_BYTES (configure key stackBytes) " +
        "to convpool_stack_recommended_limit_bytes, or let CONVPOOL_AUTOTUNE do it. Below about 25% for a long time: " +
        "lower CONVPOOL_STACK_BYTES to save memory, or raise CONVPOOL_STACK_THRESHOLD (stackThreshold) so that more " +
        "small requests use the stack.",
      unit: "percentunit",
      min: 0,
      max: 1,
      width: 8,
      queries: [{
        expr: "max by (instance) (convpool_stack_window_utilization_ratio{S})",
        legend: "{{instance}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Pool hit ratio",
      description:
        "Share of pool requests served by an idle pooled buffer. In steady state it should be close to 100%. " +
        "Persistently lower: raise CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS (poolMaxBuffersPerClass) to the recommended " +
        "value on the tuning dashboard, or CONVPOOL_POOL_MAX_BYTES (poolMaxBytes) if the pool sits at its byte limit. " +
        "Dips right after trims: raise CONVPOOL_MAINTENANCE_INTERVAL_MS so idle classes are trimmed less eagerly.",
      unit: "percentunit",
      min: 0,
      max: 1,
      width: 8,
      queries: [{
        expr:
          'sum by (instance) (rate(convpool_pool_requests_total{S,convpool_pool_result="hit"}[$__rate_interval])) / sum by (instance) (rate(convpool_pool_requests_total{S}[$__rate_interval]))',
        legend: "{{instance}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Allocations by source",
      description:
        "Allocations per second served by the stack arena, the pool and the heap. Heap allocations are the GC's " +
        "work: steady heap traffic for pool-sized buffers means the pool is exhausted (raise " +
        "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS or CONVPOOL_POOL_MAX_BYTES); for small buffers it means the stack is full " +
        "(raise CONVPOOL_STACK_BYTES). Very large requests always go to the heap.",
      unit: "cps",
      stacked: true,
      width: 8,
      queries: [{
        expr:
          "sum by (convpool_source) (rate(convpool_allocation_count_total{S}[$__rate_interval]))",
        legend: "{{convpool_source}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Allocated bytes by source",
      description:
        "Bytes per second handed out by each source. The heap line is memory the garbage collector will have to " +
        "reclaim; if it dominates, use the tuning dashboard to find the size classes that fall back to the heap and " +
        "raise CONVPOOL_POOL_MAX_BYTES (poolMaxBytes) or CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS.",
      unit: "Bps",
      stacked: true,
      width: 8,
      queries: [{
        expr:
          "sum by (convpool_source) (rate(convpool_allocation_size_bytes_total{S}[$__rate_interval]))",
        legend: "{{convpool_source}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Memory-pressure events",
      description:
        "Pressure events per interval by level (moderate evicts half the idle buffers, critical all of them and " +
        "drops releases) and trigger (manual: handleMemoryPressure(); heap_usage/rss: the automatic check every " +
        "CONVPOOL_MAINTENANCE_INTERVAL_MS). Frequent automatic events: the process is near its memory thresholds " +
        "(configure keys pressureModerateHeapBytes, pressureCriticalHeapBytes, pressureModerateRssBytes, " +
        "pressureCriticalRssBytes); lower CONVPOOL_POOL_MAX_BYTES so the pool stays below them.",
      unit: "short",
      bars: true,
      width: 8,
      queries: [{
        expr:
          "sum by (convpool_pressure_level, convpool_pressure_trigger) (increase(convpool_memory_pressure_events_total{S}[$__rate_interval]))",
        legend: "{{convpool_pressure_level}} / {{convpool_pressure_trigger}}",
      }],
    }))
    .withPanel(statPanel({
      title: "Misuse and leaks (total)",
      description:
        "Buffer misuse since the process started, by error.type: double_release and foreign_release are bugs in the " +
        "calling code (the release throws and the pool is left unchanged); leaked counts pool buffers garbage-collected " +
        "without release (call BufferUtils.releaseBuffer / engine.release). No setting fixes these: fix the caller, and " +
        "run with the configure key debug: true to poison released buffers with NaN while you look.",
      unit: "short",
      width: 8,
      queries: [{
        expr: "sum by (error_type) (convpool_buffer_misuse_total{S})",
        legend: "{{error_type}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Misuse and leaks per interval",
      description:
        "New double releases, foreign releases and leaks per interval; the time tells you which deploy or phase " +
        "introduced them. Any non-zero value is a caller bug (see the total panel), not a tuning problem: " +
        "turn on the configure key debug (released buffers are poisoned with NaN) to find the use after release.",
      unit: "short",
      bars: true,
      width: 8,
      queries: [{
        expr: "sum by (error_type) (increase(convpool_buffer_misuse_total{S}[$__rate_interval]))",
        legend: "{{error_type}}",
      }],
    }))
    .withRow(row("Runtime"))
    .withPanel(timeseriesPanel({
      title: "JS heap used vs total, and pooled bytes",
      description:
        "The runtime's JS heap (prom-client default metrics) next to the bytes convpool's pool holds. If the heap " +
        "grows with the pool, the pool is the working set; if the heap grows while the pool stays flat, memory goes " +
        "elsewhere (heap fallbacks or the application). Keep CONVPOOL_POOL_MAX_BYTES well below the heap size you can afford.",
      unit: "bytes",
      queries: [
        {
          expr: "sum by (instance) (nodejs_heap_size_used_bytes{S})",
          legend: "heap used {{instance}}",
        },
        {
          expr: "sum by (instance) (nodejs_heap_size_total_bytes{S})",
          legend: "heap total {{instance}}",
        },
        {
          expr: "sum by (instance) (convpool_pool_memory_usage_bytes{S})",
          legend: "pooled {{instance}}",
        },
      ],
    }))
    .withPanel(
      timeseriesPanel({
        title: "GC cycles, GC time and event-loop lag p99",
        description:
          "Garbage collections per second on every runtime (convpool_runtime_gc_cycles_total, right axis), GC " +
          "seconds per second by GC kind where the runtime reports them, and the event loop's p99 lag. What each " +
          "runtime measures: Node counts every V8 minor and major GC from PerformanceObserver gc entries " +
          "(convpool_gc_signal=performance_observer) and also gives GC time (prom-client's " +
          "nodejs_gc_duration_seconds); Deno (V8) and Bun (JavaScriptCore) deliver no gc entries, so there " +
          "convpool counts the collections that reclaim a FinalizationRegistry sentinel (finalization_sentinel): " +
          "a lower bound, minor and major together, and no GC time line. The engine exists to keep these low: " +
          "GC cycles or GC time rising together with heap allocations on the allocations panel means buffers " +
          "are not reused; raise CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS or CONVPOOL_POOL_MAX_BYTES.",
        unit: "s",
        queries: [
          {
            expr:
              "sum by (instance, convpool_runtime, convpool_gc_signal) (rate(convpool_runtime_gc_cycles_total{S}[$__rate_interval]))",
            legend: "GC cycles/s {{convpool_runtime}} ({{convpool_gc_signal}}) {{instance}}",
          },
          {
            expr:
              "sum by (instance, kind) (rate(nodejs_gc_duration_seconds_sum{S}[$__rate_interval]))",
            legend: "GC time {{kind}} {{instance}}",
          },
          {
            expr: "max by (instance) (nodejs_eventloop_lag_p99_seconds{S})",
            legend: "event-loop lag p99 {{instance}}",
          },
        ],
      })
        // GC cycles are a rate of events, not seconds: their own unit on the right axis.
        .overrideByQuery("A", [
          { id: "unit", value: "cps" },
          { id: "custom.axisPlacement", value: "right" },
        ]),
    );
  return portable(numberPanels(builder.build()));
}

/** Builds the "convpool tuning" dashboard. */
export function tuningDashboard(): dashboard.Dashboard {
  const builder = baseDashboard(
    "convpool-tuning",
    "convpool tuning",
    "Which convpool setting to change: per-size-class pool behaviour, stack and pool limits, and the engine's own recommendations.",
  )
    .withRow(row("Pool per size class"))
    .withPanel(timeseriesPanel({
      title: "Pool hits and misses per size class",
      description:
        "Pool requests per second by size class (bytes, a power of two) and result. A class with steady misses " +
        "after warm-up needs more buffers: raise CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS (poolMaxBuffersPerClass) to " +
        "the recommendation below, or pre-warm that size with BufferUtils.preWarm. Misses only in bursts are " +
        "normal; if they follow trims, raise CONVPOOL_MAINTENANCE_INTERVAL_MS.",
      unit: "reqps",
      queries: [{
        expr:
          "sum by (convpool_size_class, convpool_pool_result) (rate(convpool_pool_requests_total{S}[$__rate_interval]))",
        legend: "{{convpool_size_class}} B {{convpool_pool_result}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Heap fallbacks per size class",
      description:
        "Requests per second that neither the stack nor the pool could serve, by size class. For classes up to a " +
        "few KiB this is stack overflow: raise CONVPOOL_STACK_BYTES. For pool-sized classes it is a missing or " +
        "exhausted pool: raise CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS, or CONVPOOL_POOL_MAX_BYTES if pooled bytes sit at " +
        "the limit. The largest classes may simply be too large to pool. The reason series say which: stack_full " +
        "(raise CONVPOOL_STACK_BYTES), pool_exhausted (raise CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS or " +
        "CONVPOOL_POOL_MAX_BYTES), too_large (larger than CONVPOOL_POOL_MAX_BYTES allows).",
      unit: "cps",
      queries: [
        {
          expr:
            'sum by (convpool_size_class) (rate(convpool_allocation_count_total{S,convpool_source="heap"}[$__rate_interval]))',
          legend: "{{convpool_size_class}} B",
        },
        {
          expr:
            "sum by (convpool_heap_reason) (rate(convpool_heap_fallbacks_total{S}[$__rate_interval]))",
          legend: "reason {{convpool_heap_reason}}",
        },
      ],
    }))
    .withPanel(timeseriesPanel({
      title: "Releases by outcome (drops)",
      description:
        "Buffers given back per second: pooled (kept for reuse), dropped_full (the class reached " +
        "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS or the pool reached CONVPOOL_POOL_MAX_BYTES: raise the one that binds, " +
        "see the pooled-bytes panel), dropped_pressure (critical memory pressure: lower the pool or raise the " +
        "pressure thresholds) and rejected (misuse, a caller bug). Drops are not broken down by size class.",
      unit: "ops",
      stacked: true,
      queries: [{
        expr:
          "sum by (convpool_pool_outcome) (rate(convpool_pool_releases_total{S}[$__rate_interval]))",
        legend: "{{convpool_pool_outcome}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Idle vs in-use buffers per size class",
      description:
        "Buffers the pool holds per class: in_use (handed out, not yet released) and idle (ready for reuse). " +
        "In-use peaks that reach CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS cause misses: raise it. Many idle buffers " +
        "for a long time waste memory: lower the bound, or lower CONVPOOL_MAINTENANCE_INTERVAL_MS so idle classes " +
        "are trimmed sooner.",
      unit: "short",
      stacked: true,
      queries: [{
        expr:
          "sum by (instance, convpool_size_class, convpool_pool_state) (convpool_pool_buffers{S})",
        legend: "{{convpool_size_class}} B {{convpool_pool_state}} {{instance}}",
      }],
    }))
    .withRow(row("Limits"))
    .withPanel(timeseriesPanel({
      title: "Pooled bytes vs limit",
      description:
        "Bytes the pool holds (idle and in use) against CONVPOOL_POOL_MAX_BYTES (configure key poolMaxBytes). " +
        "Usage pressed against the limit while releases are dropped_full and misses rise: raise " +
        "CONVPOOL_POOL_MAX_BYTES. Usage far below the limit: the limit is not what binds (look at buffers per class).",
      unit: "bytes",
      width: 8,
      queries: [
        {
          expr: "sum by (instance) (convpool_pool_memory_usage_bytes{S})",
          legend: "pooled {{instance}}",
        },
        {
          expr: "sum by (instance) (convpool_pool_memory_limit_bytes{S})",
          legend: "limit {{instance}}",
        },
      ],
    }))
    .withPanel(timeseriesPanel({
      title: "Stack peak vs limit",
      description:
        "Stack-arena use now, its peak since the last maintenance pass (window peak, it recovers after a spike) and " +
        "its lifetime peak, against the capacity CONVPOOL_STACK_BYTES (configure key stackBytes). Window peak at the " +
        "limit (and overflows in the next panel): raise CONVPOOL_STACK_BYTES to the recommendation. Window peak far " +
        "below for a long time: lower it, or raise CONVPOOL_STACK_THRESHOLD (stackThreshold) so more small requests " +
        "go to the stack.",
      unit: "bytes",
      width: 8,
      queries: [
        {
          expr: "sum by (instance) (convpool_stack_memory_usage_bytes{S})",
          legend: "in use {{instance}}",
        },
        {
          expr: "sum by (instance) (convpool_stack_window_peak_bytes{S})",
          legend: "window peak {{instance}}",
        },
        {
          expr: "sum by (instance) (convpool_stack_memory_peak_bytes{S})",
          legend: "lifetime peak {{instance}}",
        },
        {
          expr: "sum by (instance) (convpool_stack_memory_limit_bytes{S})",
          legend: "limit {{instance}}",
        },
      ],
    }))
    .withPanel(timeseriesPanel({
      title: "Stack overflows",
      description:
        "Requests eligible for the stack (at most CONVPOOL_STACK_THRESHOLD elements) that did not fit in the arena, " +
        "per second; they went to the pool or the heap instead. Steady overflows: raise CONVPOOL_STACK_BYTES. If you " +
        "cannot spare the memory, lower CONVPOOL_STACK_THRESHOLD so only the smallest requests try the stack.",
      unit: "cps",
      width: 8,
      queries: [{
        expr: "sum by (instance) (rate(convpool_stack_overflows_total{S}[$__rate_interval]))",
        legend: "{{instance}}",
      }],
    }))
    .withRow(row("Recommendations"))
    .withPanel(statPanel({
      title: "Stack size: recommended vs configured",
      description:
        "convpool_stack_recommended_limit_bytes (peak demand plus 25% headroom, a power of two; doubled while " +
        "overflows happen) next to the configured capacity. Set CONVPOOL_STACK_BYTES (configure key stackBytes) to " +
        "the recommendation when they differ by more than a factor of two, or when overflows happen.",
      unit: "bytes",
      width: 8,
      queries: [
        {
          expr: "max by (instance) (convpool_stack_recommended_limit_bytes{S})",
          legend: "recommended {{instance}}",
        },
        {
          expr: "max by (instance) (convpool_stack_memory_limit_bytes{S})",
          legend: "configured {{instance}}",
        },
      ],
    }))
    .withPanel(statPanel({
      title: "Buffers per class: largest recommendation",
      description:
        "The largest convpool_pool_recommended_buffers over all size classes (peak in-use buffers plus 25% headroom; " +
        "doubled where a class hit its bound and fell back to the heap): the value for " +
        "CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS (configure key poolMaxBuffersPerClass, default 32). Next to it, the " +
        "configured bound and the most buffers any class holds now.",
      unit: "short",
      width: 8,
      queries: [
        {
          expr: "max by (instance) (convpool_pool_recommended_buffers{S})",
          legend: "recommended {{instance}}",
        },
        {
          expr: "max by (instance) (convpool_pool_buffers_limit{S})",
          legend: "configured {{instance}}",
        },
        {
          expr:
            "max by (instance) (sum by (instance, convpool_size_class) (convpool_pool_buffers{S}))",
          legend: "held now (largest class) {{instance}}",
        },
      ],
    }))
    .withPanel(timeseriesPanel({
      title: "Recommended vs held buffers per size class",
      description:
        "Per size class, the recommended buffer count next to the buffers held now (idle plus in use). A class " +
        "whose recommendation exceeds CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS needs a higher bound; the sum over classes " +
        "of recommended buffers times class bytes is a floor for CONVPOOL_POOL_MAX_BYTES.",
      unit: "short",
      width: 8,
      queries: [
        {
          expr: "max by (instance, convpool_size_class) (convpool_pool_recommended_buffers{S})",
          legend: "recommended {{convpool_size_class}} B {{instance}}",
        },
        {
          expr: "sum by (instance, convpool_size_class) (convpool_pool_buffers{S})",
          legend: "held {{convpool_size_class}} B {{instance}}",
        },
      ],
    }))
    .withPanel(timeseriesPanel({
      title: "autoTune adjustments",
      description:
        "Changes the engine made to its own settings per interval, by setting (stack_bytes: stackBytes; " +
        "pool_buffers_per_class: poolMaxBuffersPerClass) and direction (convpool_autotune_adjustments_total). Zero " +
        "unless CONVPOOL_AUTOTUNE is on (configure key autoTune). A few ups after a deploy are it converging; " +
        "ups and downs that keep alternating mean the workload swings: raise the autoTune option " +
        "shrinkAfterPasses. Growth stops at CONVPOOL_AUTOTUNE_MAX_STACK_BYTES (autoTune.maxStackBytes), " +
        "autoTune.maxBuffersPerClass and what CONVPOOL_POOL_MAX_BYTES can hold: the panels above show where it stopped.",
      unit: "short",
      bars: true,
      width: 24,
      queries: [{
        expr:
          "sum by (convpool_setting, convpool_direction) (increase(convpool_autotune_adjustments_total{S}[$__rate_interval]))",
        legend: "{{convpool_setting}} {{convpool_direction}}",
      }],
    }))
    .withPanel(timeseriesPanel({
      title: "Evicted bytes by reason",
      description:
        "Pooled bytes freed per second by trim (classes idle for trimAfterIdlePasses maintenance passes, run every " +
        "CONVPOOL_MAINTENANCE_INTERVAL_MS) and by pressure (memory-pressure events). Trims followed by misses in the " +
        "same class: raise CONVPOOL_MAINTENANCE_INTERVAL_MS (or the configure key trimAfterIdlePasses). Frequent " +
        "pressure evictions: lower CONVPOOL_POOL_MAX_BYTES or raise the pressure thresholds.",
      unit: "Bps",
      width: 24,
      queries: [{
        expr:
          "sum by (convpool_eviction_reason) (rate(convpool_pool_memory_evicted_bytes_total{S}[$__rate_interval]))",
        legend: "{{convpool_eviction_reason}}",
      }],
    }))
    .withRow(row("Kernels"))
    .withPanel(timeseriesPanel({
      title: "WebAssembly kernel memory",
      description:
        "Bytes of the WebAssembly SIMD kernels' linear memory (convpool_kernel_memory_usage_bytes): their scratch and " +
        "cached FFT tables, one memory per process shared by every engine (worker threads have their own). It grows to " +
        "the working set of the largest recent convolution; WebAssembly memory cannot shrink, so above 16 MiB the " +
        "kernels drop their instance once 5 to 10 s pass without a call needing that much, and the value falls back " +
        "to its starting size. A step up is one larger convolution; a value that stays high means huge convolutions " +
        "keep coming, not a leak. It is outside the allocation engine: it does not count against " +
        "CONVPOOL_POOL_MAX_BYTES or CONVPOOL_STACK_BYTES; to keep it small, cut huge signals into blocks " +
        "(StreamingConvolver). On the typescript kernel set it is 0: those kernels take their scratch from the engine " +
        "instead.",
      unit: "bytes",
      width: 24,
      queries: [{
        expr: "max by (instance, convpool_kernel_set) (convpool_kernel_memory_usage_bytes{S})",
        legend: "{{convpool_kernel_set}} {{instance}}",
      }],
    }));
  return portable(numberPanels(builder.build()));
}

/** A dashboard and the file under `dashboards/` it is committed as. */
export interface DashboardFile {
  /** File name inside `dashboards/`. */
  file: string;
  /** Builds the dashboard. */
  build: () => dashboard.Dashboard;
}

/** Every dashboard the generator writes. */
export const DASHBOARDS: readonly DashboardFile[] = [
  { file: "convpool-overview.json", build: overviewDashboard },
  { file: "convpool-tuning.json", build: tuningDashboard },
];

/** The committed JSON text of a dashboard: two-space indentation and a final newline. */
export function renderDashboard(built: dashboard.Dashboard): string {
  return `${JSON.stringify(built, null, 2)}\n`;
}
