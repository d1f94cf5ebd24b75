/**
 * The Prometheus alerting rules of convpool and their unit tests, as data.
 * `dashboards/generate.ts` writes them as `dashboards/convpool.rules.yml` and
 * `dashboards/convpool.rules.test.yml` (for `promtool test rules`); the committed
 * files are its output and a test keeps them equal.
 *
 * Every rule has a severity label and three annotations: a summary, a description
 * that names the setting to change (config key and environment variable), and the
 * dashboard panel that explains it. Templates use only `{{ $labels.<name> }}`, so
 * the expected annotations of the tests are the same text with the labels filled in.
 *
 * @example
 * ```ts
 * import { RULES, renderRules } from "./convpool_rules.ts";
 * console.log(RULES.map((r) => r.alert).join(", "));
 * console.log(renderRules().length > 0); // true
 * ```
 *
 * @module
 */

import { toYaml, type YamlValue } from "./yaml.ts";

/** How urgent an alert is: its `severity` label. */
export type Severity = "critical" | "warning" | "info";

/** One input series of a rule test: `values` in promtool's expanding notation. */
export interface TestSeries {
  series: string;
  values: string;
}

/** One check of a rule test: at `at`, exactly these alerts (their labels) fire. */
export interface AlertCheck {
  /** Evaluation time since the start of the input, e.g. `30m`. */
  at: string;
  /** The labels of each expected alert, without `alertname` and `severity` (added). */
  alerts: Record<string, string>[];
}

/** A unit test of one rule: input series and the alerts expected at given times. */
export interface RuleTest {
  /** What the test shows (a YAML comment is not possible in the output; it names the group). */
  name: string;
  /** Sample interval of the input series (default `1m`). */
  interval?: string;
  series: TestSeries[];
  checks: AlertCheck[];
}

/** One alerting rule with its documentation and tests. */
export interface AlertRule {
  alert: string;
  expr: string;
  /** How long the condition must hold before the alert fires (omitted: at once). */
  for?: string;
  severity: Severity;
  summary: string;
  /** Names the setting to change: config key and environment variable. */
  description: string;
  /** The threshold in words, for the README's table. */
  threshold: string;
  /** The dashboard and panel that explain the alert: `dashboard / panel title`. */
  panel: string;
  tests: RuleTest[];
}

const J = 'job="convpool"';
const A = `${J},instance="a:9464"`;
const B = `${J},instance="b:9464"`;
const C = `${J},instance="c:9464"`;
const D = `${J},instance="d:9464"`;
const labelsOf = (instance: string, extra: Record<string, string> = {}) => ({
  job: "convpool",
  instance,
  ...extra,
});

/** Pool requests of the 4 KiB class with `result` (hit or miss). */
const requests = (selector: string, result: string, values: string): TestSeries => ({
  series: `convpool_pool_requests_total{${selector},convpool_pool_result="${result}",` +
    'convpool_size_class="4096"}',
  values,
});

/** autoTune changes of stack_bytes in `direction` (up or down). */
const adjustments = (selector: string, direction: string, values: string): TestSeries => ({
  series: `convpool_autotune_adjustments_total{${selector},convpool_setting="stack_bytes",` +
    `convpool_direction="${direction}"}`,
  values,
});

const WHERE = "on {{ $labels.instance }} (job {{ $labels.job }})";

/**
 * Every alerting rule, in the order of the rules file.
 *
 * @example
 * ```ts
 * import { RULES } from "./convpool_rules.ts";
 * const down = RULES.find((r) => r.alert === "ConvpoolTargetDown")!;
 * console.log(down.expr, down.severity); // up{job="convpool"} == 0 critical
 * ```
 */
export const RULES: readonly AlertRule[] = [
  {
    alert: "ConvpoolBufferLeaked",
    expr:
      'sum by (job, instance) (increase(convpool_buffer_misuse_total{error_type="leaked"}[15m])) > 0',
    severity: "warning",
    summary: `convpool pool buffers leaked ${WHERE}`,
    description:
      "Pool buffers were garbage-collected without being released in the last 15 minutes: the caller " +
      "drops results instead of giving them back with engine.release() / BufferUtils.releaseBuffer(). " +
      "No limit fixes this; fix the caller. To find the use, run with the config key debug: true " +
      "(CONVPOOL_DEBUG=on), which poisons released buffers with NaN.",
    threshold: "any leak in 15 min",
    panel: "convpool overview / Misuse and leaks per interval",
    tests: [{
      name: "a leak on a fires and clears 15 minutes later; a double release on b is not a leak",
      series: [
        { series: `convpool_buffer_misuse_total{${A},error_type="leaked"}`, values: "0x9 1x20" },
        { series: `convpool_buffer_misuse_total{${B},error_type="leaked"}`, values: "0x30" },
        {
          series: `convpool_buffer_misuse_total{${B},error_type="double_release"}`,
          values: "0x9 3x20",
        },
      ],
      checks: [
        { at: "5m", alerts: [] },
        { at: "12m", alerts: [labelsOf("a:9464")] },
        { at: "28m", alerts: [] },
      ],
    }],
  },
  {
    alert: "ConvpoolBufferMisuse",
    expr: "sum by (job, instance, error_type) (increase(convpool_buffer_misuse_total" +
      '{error_type=~"double_release|foreign_release"}[15m])) > 0',
    severity: "warning",
    summary: `convpool buffer misuse ({{ $labels.error_type }}) ${WHERE}`,
    description:
      "A buffer was released twice or was never handed out by the engine ({{ $labels.error_type }}) in the " +
      "last 15 minutes. The release threw and the pool was left unchanged, so this is a caller bug, not a " +
      "tuning problem. Run with the config key debug: true (CONVPOOL_DEBUG=on) to poison released buffers " +
      "with NaN and find the use after release.",
    threshold: "any double or foreign release in 15 min",
    panel: "convpool overview / Misuse and leaks per interval",
    tests: [{
      name: "a double release on b fires; a leak on a does not",
      series: [
        { series: `convpool_buffer_misuse_total{${A},error_type="leaked"}`, values: "0x9 1x20" },
        {
          series: `convpool_buffer_misuse_total{${B},error_type="double_release"}`,
          values: "0x9 3x20",
        },
        {
          series: `convpool_buffer_misuse_total{${B},error_type="foreign_release"}`,
          values: "0x30",
        },
      ],
      checks: [
        { at: "5m", alerts: [] },
        { at: "12m", alerts: [labelsOf("b:9464", { error_type: "double_release" })] },
      ],
    }],
  },
  {
    alert: "ConvpoolPoolHitRatioLow",
    expr: [
      "(",
      '  sum by (job, instance) (rate(convpool_pool_requests_total{convpool_pool_result="hit"}[10m]))',
      "    / sum by (job, instance) (rate(convpool_pool_requests_total[10m]))",
      ") < 0.95",
      "and sum by (job, instance) (rate(convpool_pool_requests_total[10m])) > 1",
    ].join("\n"),
    for: "15m",
    severity: "warning",
    summary: `convpool pool hit ratio below 95% ${WHERE}`,
    description:
      "Fewer than 95% of pool requests found an idle buffer over 10 minutes, for 15 minutes, with more than " +
      "one request per second. Raise poolMaxBuffersPerClass (CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS) to the " +
      "largest convpool_pool_recommended_buffers, or poolMaxBytes (CONVPOOL_POOL_MAX_BYTES) if pooled bytes sit " +
      "at the limit; or turn on autoTune (CONVPOOL_AUTOTUNE=on). Misses right after trims: raise " +
      "maintenanceIntervalMs (CONVPOOL_MAINTENANCE_INTERVAL_MS).",
    threshold: "hit ratio < 95% over 10 min, > 1 request/s, for 15 min",
    panel:
      "convpool overview / Pool hit ratio; convpool tuning / Pool hits and misses per size class",
    tests: [{
      name: "a at 50% fires after 15 minutes; b at 99% and c at 50% with little traffic do not",
      series: [
        requests(A, "hit", "0+60x60"),
        requests(A, "miss", "0+60x60"),
        requests(B, "hit", "0+600x60"),
        requests(B, "miss", "0+6x60"),
        requests(C, "hit", "0+6x60"),
        requests(C, "miss", "0+6x60"),
      ],
      checks: [
        { at: "10m", alerts: [] },
        { at: "30m", alerts: [labelsOf("a:9464")] },
      ],
    }],
  },
  ...heapFallbackRules(),
  {
    alert: "ConvpoolMemoryPressureCritical",
    expr: "sum by (job, instance) (increase(convpool_memory_pressure_events_total" +
      '{convpool_pressure_level="critical",convpool_pressure_trigger!="manual"}[5m])) > 0',
    severity: "critical",
    summary: `convpool critical memory pressure ${WHERE}`,
    description:
      "The engine's automatic check (every maintenanceIntervalMs) found critical memory pressure in the last 5 " +
      "minutes: it evicted every idle pooled " +
      "buffer and drops releases until the level falls, so the pool stops working. Lower poolMaxBytes " +
      "(CONVPOOL_POOL_MAX_BYTES) so the pool fits under the thresholds, or raise the config keys " +
      "pressureCriticalRssBytes / pressureCriticalHeapBytes (no environment variable) if the process may use " +
      "more memory.",
    threshold: "any automatic critical event in 5 min",
    panel: "convpool overview / Memory-pressure events",
    tests: [pressureTest([
      { at: "5m", alerts: [] },
      { at: "12m", alerts: [labelsOf("a:9464")] },
      { at: "19m", alerts: [] },
    ])],
  },
  {
    alert: "ConvpoolMemoryPressureModerate",
    expr: "sum by (job, instance) (increase(convpool_memory_pressure_events_total" +
      '{convpool_pressure_level="moderate",convpool_pressure_trigger!="manual"}[10m])) > 0',
    for: "10m",
    severity: "warning",
    summary: `convpool sustained moderate memory pressure ${WHERE}`,
    description:
      "The automatic check keeps finding moderate memory pressure (events in every 10-minute window for 10 " +
      "minutes; manual handleMemoryPressure() calls do not count): each evicts " +
      "half of the idle pooled buffers, so misses and heap fallbacks follow. Lower poolMaxBytes " +
      "(CONVPOOL_POOL_MAX_BYTES), or raise the config keys pressureModerateRssBytes / " +
      "pressureModerateHeapBytes (no environment variable) if the process may use more memory.",
    threshold: "automatic moderate events in every 10 min window, for 10 min",
    panel: "convpool overview / Memory-pressure events",
    tests: [pressureTest([
      { at: "5m", alerts: [] },
      { at: "12m", alerts: [labelsOf("b:9464")] },
      { at: "19m", alerts: [labelsOf("b:9464")] },
    ])],
  },
  {
    alert: "ConvpoolStackOverflows",
    expr: "sum by (job, instance) (rate(convpool_stack_overflows_total[10m])) > 1",
    for: "15m",
    severity: "info",
    summary: `convpool stack arena overflowing ${WHERE}`,
    description:
      "More than one stack-eligible request per second did not fit in the stack arena over 10 minutes, for 15 " +
      "minutes; they went to the pool or the heap. Raise stackBytes (CONVPOOL_STACK_BYTES) to " +
      "convpool_stack_recommended_limit_bytes, or turn on autoTune (CONVPOOL_AUTOTUNE=on, bounded by " +
      "CONVPOOL_AUTOTUNE_MAX_STACK_BYTES). If memory is short, lower stackThreshold (CONVPOOL_STACK_THRESHOLD).",
    threshold: "> 1 overflow/s over 10 min, for 15 min",
    panel: "convpool tuning / Stack overflows; convpool overview / Stack efficiency",
    tests: [{
      name: "a at 2 overflows/s fires after 15 minutes; b at 0.5/s does not",
      series: [
        { series: `convpool_stack_overflows_total{${A}}`, values: "0+120x60" },
        { series: `convpool_stack_overflows_total{${B}}`, values: "0+30x60" },
      ],
      checks: [
        { at: "10m", alerts: [] },
        { at: "30m", alerts: [labelsOf("a:9464")] },
      ],
    }],
  },
  {
    alert: "ConvpoolLatencyP99Regression",
    expr: [
      "histogram_quantile(0.99,",
      "  sum by (job, convpool_operation, le) (rate(convpool_operation_duration_seconds_bucket[10m])))",
      "> 2 * histogram_quantile(0.99,",
      "  sum by (job, convpool_operation, le) (rate(convpool_operation_duration_seconds_bucket[10m] offset 1d)))",
      "and sum by (job, convpool_operation) (rate(convpool_operations_total[10m])) > 1",
    ].join("\n"),
    for: "15m",
    severity: "warning",
    summary:
      "convpool {{ $labels.convpool_operation }} p99 latency doubled (job {{ $labels.job }})",
    description:
      "The p99 of {{ $labels.convpool_operation }} over the last 10 minutes is more than twice the p99 at the " +
      "same time one day earlier, for 15 minutes, with more than one operation per second (a job without a day " +
      "of history never fires). If heap fallbacks or GC rose with it, buffers are allocated on the hot path: " +
      "raise poolMaxBuffersPerClass (CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS) or stackBytes (CONVPOOL_STACK_BYTES), " +
      "or turn on autoTune (CONVPOOL_AUTOTUNE=on). If allocation is clean, the signal sizes or the kernel " +
      "method changed: force one with convolve(..., { method }).",
    threshold: "p99 over 10 min > 2x the p99 1 day earlier, > 1 op/s, for 15 min",
    panel: "convpool overview / p99 latency by operation and method",
    tests: [latencyTest()],
  },
  {
    alert: "ConvpoolTargetDown",
    expr: 'up{job="convpool"} == 0',
    for: "2m",
    severity: "critical",
    summary: `convpool /metrics target down ${WHERE}`,
    description:
      "Prometheus cannot scrape this convpool process: it stopped, or its metrics server moved. Check the " +
      "process and the serveMetrics({ port, hostname }) options (the examples' --port and --host) against the " +
      'scrape config. This rule matches job="convpool" (the job of dashboards/prometheus.yml): change the ' +
      "selector to your job name.",
    threshold: "up == 0 for 2 min",
    panel: "convpool overview / Operations per second by operation and method (no data)",
    tests: [{
      name: "a down for 2 minutes fires; b up and another job down do not",
      series: [
        { series: `up{${A}}`, values: "1x5 0x10" },
        { series: `up{${B}}`, values: "1x15" },
        { series: 'up{job="other",instance="c:9100"}', values: "0x15" },
      ],
      checks: [
        { at: "6m", alerts: [] },
        { at: "10m", alerts: [labelsOf("a:9464")] },
      ],
    }],
  },
  {
    alert: "ConvpoolAutoTuneFlapping",
    expr: [
      "sum by (job, instance, convpool_setting) (increase(convpool_autotune_adjustments_total" +
      '{convpool_direction="up"}[1h])) >= 2',
      "and sum by (job, instance, convpool_setting) (increase(convpool_autotune_adjustments_total" +
      '{convpool_direction="down"}[1h])) >= 2',
    ].join("\n"),
    severity: "warning",
    summary: `convpool autoTune flapping on {{ $labels.convpool_setting }} ${WHERE}`,
    description:
      "autoTune moved {{ $labels.convpool_setting }} up at least twice and down at least twice within an hour: " +
      "the workload swings between sizes. Raise the autoTune option shrinkAfterPasses (config key autoTune: " +
      "{ shrinkAfterPasses }), or turn autoTune off (CONVPOOL_AUTOTUNE=off) and set stackBytes " +
      "(CONVPOOL_STACK_BYTES) / poolMaxBuffersPerClass (CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS) to the larger value.",
    threshold: ">= 2 ups and >= 2 downs of one setting in 1 h",
    panel: "convpool tuning / autoTune adjustments",
    tests: [{
      name: "a goes up and down twice each and fires; b converges (ups only) and does not",
      series: [
        adjustments(A, "up", "0x4 1x4 2x4 3x20"),
        adjustments(A, "down", "0x6 1x4 2x20"),
        adjustments(B, "up", "0x4 1x4 2x4 3x20"),
        adjustments(B, "down", "0x32"),
      ],
      checks: [
        { at: "5m", alerts: [] },
        { at: "20m", alerts: [labelsOf("a:9464", { convpool_setting: "stack_bytes" })] },
      ],
    }],
  },
];

/** The three heap-fallback rules (one per reason), sharing one test input. */
function heapFallbackRules(): AlertRule[] {
  const reasons = [
    {
      reason: "stack_full",
      alert: "ConvpoolHeapFallbackStackFull",
      severity: "warning" as const,
      fix:
        "the stack overflowed and the pool could not serve the request either. Raise stackBytes " +
        "(CONVPOOL_STACK_BYTES) to convpool_stack_recommended_limit_bytes, or turn on autoTune " +
        "(CONVPOOL_AUTOTUNE=on).",
      instance: "a:9464",
    },
    {
      reason: "pool_exhausted",
      alert: "ConvpoolHeapFallbackPoolExhausted",
      severity: "warning" as const,
      fix: "the size class had no idle buffer and no room to grow. Raise poolMaxBuffersPerClass " +
        "(CONVPOOL_POOL_MAX_BUFFERS_PER_CLASS) to the largest convpool_pool_recommended_buffers, or poolMaxBytes " +
        "(CONVPOOL_POOL_MAX_BYTES) if pooled bytes sit at the limit; or turn on autoTune (CONVPOOL_AUTOTUNE=on).",
      instance: "b:9464",
    },
    {
      reason: "too_large",
      alert: "ConvpoolHeapFallbackTooLarge",
      severity: "info" as const,
      fix:
        "the requests are larger than the whole pool may hold. Raise poolMaxBytes (CONVPOOL_POOL_MAX_BYTES) " +
        "if memory allows, or cut huge signals into blocks (StreamingConvolver).",
      instance: "c:9464",
    },
  ];
  const series: TestSeries[] = [];
  const rates: Record<string, Record<string, string>> = {
    "a:9464": { stack_full: "0+60x60", pool_exhausted: "0x60", too_large: "0x60" },
    "b:9464": { stack_full: "0x60", pool_exhausted: "0+60x60", too_large: "0x60" },
    "c:9464": { stack_full: "0x60", pool_exhausted: "0x60", too_large: "0+60x60" },
    "d:9464": { stack_full: "0+3x60", pool_exhausted: "0+3x60", too_large: "0+3x60" },
  };
  for (const [selector, instance] of [[A, "a:9464"], [B, "b:9464"], [C, "c:9464"], [D, "d:9464"]]) {
    series.push({
      series:
        `convpool_allocation_count_total{${selector},convpool_source="pool",convpool_size_class="4096"}`,
      values: "0+600x60",
    });
    for (const { reason } of reasons) {
      series.push({
        series: `convpool_heap_fallbacks_total{${selector},convpool_heap_reason="${reason}"}`,
        values: rates[instance][reason],
      });
    }
  }
  return reasons.map(({ reason, alert, severity, fix, instance }) => ({
    alert,
    expr: [
      "sum by (job, instance) (rate(convpool_heap_fallbacks_total" +
      `{convpool_heap_reason="${reason}"}[10m]))`,
      "  / sum by (job, instance) (rate(convpool_allocation_count_total[10m]))",
      "> 0.01",
    ].join("\n"),
    for: "15m",
    severity,
    summary: `convpool heap fallbacks (${reason}) above 1% of allocations ${WHERE}`,
    description:
      `More than 1% of allocations fell back to the heap with reason ${reason} over 10 minutes, ` +
      `for 15 minutes: ${fix}`,
    threshold: `${reason} fallbacks > 1% of allocations over 10 min, for 15 min`,
    panel: "convpool tuning / Heap fallbacks per size class",
    tests: [{
      name:
        `${reason} at 10% of allocations on ${instance} fires; every reason at 0.5% on d does not`,
      series,
      checks: [
        { at: "10m", alerts: [] },
        { at: "30m", alerts: [labelsOf(instance)] },
      ],
    }],
  }));
}

/**
 * Critical on a once; moderate on b every minute; a single moderate event on c;
 * manual critical and moderate events on d every minute (the application's own calls).
 */
function pressureTest(checks: AlertCheck[]): RuleTest {
  const series = (selector: string, level: string, trigger: string, values: string) => ({
    series:
      `convpool_memory_pressure_events_total{${selector},convpool_pressure_level="${level}",` +
      `convpool_pressure_trigger="${trigger}"}`,
    values,
  });
  return {
    name: "critical on a fires at once; moderate every minute on b fires after 10 minutes; " +
      "one moderate event on c and manual events on d never fire",
    series: [
      series(A, "critical", "rss", "0x9 1x20"),
      series(A, "moderate", "rss", "0x30"),
      series(B, "moderate", "heap_usage", "0+1x30"),
      series(B, "critical", "heap_usage", "0x30"),
      series(C, "moderate", "rss", "0x9 1x20"),
      series(D, "moderate", "manual", "0+1x30"),
      series(D, "critical", "manual", "0+1x30"),
    ],
    checks,
  };
}

/** convolve slows from under 10 us to under 100 us after a day; correlate stays fast. */
function latencyTest(): RuleTest {
  const bucket = (operation: string, le: string, values: string) => ({
    series: `convpool_operation_duration_seconds_bucket{${A},convpool_operation="${operation}",` +
      `convpool_method="direct",le="${le}"}`,
    values,
  });
  const ops = (operation: string) => ({
    series:
      `convpool_operations_total{${A},convpool_operation="${operation}",convpool_method="direct"}`,
    values: "0+600x310",
  });
  return {
    name: "convolve's p99 grows tenfold after a day and fires; correlate's stays and does not",
    interval: "5m",
    series: [
      bucket("convolve", "1e-05", "0+600x288 172800x22"),
      bucket("convolve", "0.0001", "0+600x310"),
      bucket("convolve", "+Inf", "0+600x310"),
      ops("convolve"),
      bucket("correlate", "1e-05", "0+600x310"),
      bucket("correlate", "0.0001", "0+600x310"),
      bucket("correlate", "+Inf", "0+600x310"),
      ops("correlate"),
    ],
    checks: [
      { at: "12h", alerts: [] },
      { at: "24h10m", alerts: [] },
      { at: "25h30m", alerts: [{ job: "convpool", convpool_operation: "convolve" }] },
    ],
  };
}

/**
 * Fills `{{ $labels.name }}` placeholders the way Prometheus's template engine does;
 * throws on an unknown label or any other template.
 *
 * @example
 * ```ts
 * import { expandTemplate } from "./convpool_rules.ts";
 * expandTemplate("down on {{ $labels.instance }}", { instance: "a:9464" }); // "down on a:9464"
 * ```
 */
export function expandTemplate(text: string, labels: Record<string, string>): string {
  const out = text.replace(/\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}/g, (_, name: string) => {
    const value = labels[name];
    if (value === undefined) throw new Error(`template label ${name} is not an alert label`);
    return value;
  });
  if (out.includes("{{")) throw new Error(`unsupported template in ${JSON.stringify(text)}`);
  return out;
}

const HEADER = [
  "Generated by dashboards/generate.ts from dashboards/convpool_rules.ts: do not edit by hand.",
];

/**
 * The rules file (`dashboards/convpool.rules.yml`).
 *
 * @example
 * ```ts
 * import { renderRules } from "./convpool_rules.ts";
 * console.log(renderRules().includes("alert: \"ConvpoolTargetDown\"")); // true
 * ```
 */
export function renderRules(): string {
  return toYaml({
    groups: [{
      name: "convpool",
      rules: RULES.map((rule) => ({
        alert: rule.alert,
        expr: rule.expr,
        for: rule.for,
        labels: { severity: rule.severity },
        annotations: { summary: rule.summary, description: rule.description, panel: rule.panel },
      })),
    }],
  }, [
    ...HEADER,
    "",
    "convpool's alerting rules. Load them with rule_files in prometheus.yml (see the README),",
    "check them with `promtool check rules dashboards/convpool.rules.yml`.",
  ]);
}

/**
 * The unit tests (`dashboards/convpool.rules.test.yml`) for `promtool test rules`,
 * reading the rules from `rulesFile` (relative to the test file).
 *
 * @example
 * ```ts
 * import { renderRuleTests } from "./convpool_rules.ts";
 * console.log(renderRuleTests().split("\n")[3]); // rule_files:
 * ```
 */
export function renderRuleTests(rulesFile = "convpool.rules.yml"): string {
  const tests: YamlValue[] = [];
  for (const rule of RULES) {
    for (const test of rule.tests) {
      tests.push({
        name: `${rule.alert}: ${test.name}`,
        interval: test.interval ?? "1m",
        input_series: test.series.map((s) => ({ series: s.series, values: s.values })),
        alert_rule_test: test.checks.map((check) => ({
          eval_time: check.at,
          alertname: rule.alert,
          exp_alerts: check.alerts.map((labels) => ({
            exp_labels: { ...labels, severity: rule.severity },
            exp_annotations: {
              summary: expandTemplate(rule.summary, labels),
              description: expandTemplate(rule.description, labels),
              panel: rule.panel,
            },
          })),
        })),
      });
    }
  }
  return toYaml({ rule_files: [rulesFile], evaluation_interval: "1m", tests }, [
    ...HEADER,
    "",
    "Run: promtool test rules dashboards/convpool.rules.test.yml",
  ]);
}

/** A generated file under `dashboards/` and its text. */
export interface RulesFile {
  file: string;
  render: () => string;
}

/**
 * The files the generator writes for the rules.
 *
 * @example
 * ```ts
 * import { RULE_FILES } from "./convpool_rules.ts";
 * console.log(RULE_FILES.map((f) => f.file)); // ["convpool.rules.yml", "convpool.rules.test.yml"]
 * ```
 */
export const RULE_FILES: readonly RulesFile[] = [
  { file: "convpool.rules.yml", render: renderRules },
  { file: "convpool.rules.test.yml", render: () => renderRuleTests() },
];
