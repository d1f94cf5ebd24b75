/**
 * The OpenTelemetry-to-Prometheus metric name translation convpool uses: dots and
 * other invalid characters to underscores, the unit as a suffix (`By` -> `bytes`,
 * `s` -> `seconds`, `1` -> `ratio` on gauges, `{annotations}` dropped) and `_total`
 * on monotonic counters.
 *
 * @example
 * ```ts
 * import { prometheusName } from "./prometheus_names.ts";
 * console.log(prometheusName("convpool.pool.requests", "{request}", "counter"));
 * // "convpool_pool_requests_total"
 * console.log(prometheusName("convpool.stack.utilization", "1", "gauge"));
 * // "convpool_stack_utilization_ratio"
 * ```
 *
 * @module
 */

/** How Prometheus types a metric: monotonic sums are counters, the rest gauges or histograms. */
import type { MetricDefinition } from "./names.ts";

export type PrometheusKind = "counter" | "gauge" | "histogram";

const UNIT_WORDS: Readonly<Record<string, string>> = {
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  "%": "percent",
};

function sanitize(text: string): string {
  return text.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/_{2,}/g, "_").replace(/^_+|_+$/g, "");
}

/**
 * The Prometheus suffix for an OpenTelemetry unit: `""` when the unit adds none
 * (annotations such as `{buffer}`, or `1` on anything but a gauge).
 */
export function prometheusUnit(unit: string, kind: PrometheusKind): string {
  const bare = unit.replace(/\{[^}]*\}/g, "").trim();
  if (bare === "") return "";
  if (bare === "1") return kind === "gauge" ? "ratio" : "";
  return UNIT_WORDS[bare] ?? sanitize(bare.replace("/", "_per_"));
}

/**
 * The Prometheus family name without the `_total` suffix: the sanitized name plus
 * the unit suffix (unless the name already ends with it).
 */
export function prometheusBaseName(name: string, unit: string, kind: PrometheusKind): string {
  let base = sanitize(name);
  if (/^[0-9]/.test(base)) base = `_${base}`;
  const suffix = prometheusUnit(unit, kind);
  if (suffix !== "" && !base.endsWith(`_${suffix}`)) base = `${base}_${suffix}`;
  return base;
}

/** The Prometheus family name of a metric, with `_total` on counters. */
export function prometheusName(name: string, unit: string, kind: PrometheusKind): string {
  const base = prometheusBaseName(name, unit, kind);
  return kind === "counter" && !base.endsWith("_total") ? `${base}_total` : base;
}

/**
 * The Prometheus family name of one metric of the contract: counters stay counters,
 * histograms histograms, and every other kind (gauges, up-down counters) is a gauge.
 */
export function prometheusNameOf(metric: MetricDefinition): string {
  const kind: PrometheusKind = metric.kind === "counter" || metric.kind === "histogram"
    ? metric.kind
    : "gauge";
  return prometheusName(metric.name, metric.unit, kind);
}
