/**
 * The registry of the runtime's default metrics for `convpool/prometheus`:
 * prom-client's `collectDefaultMetrics`, with its event-loop-delay family
 * (`nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`) computed more
 * cheaply. prom-client reads those from `monitorEventLoopDelay`, whose histogram
 * walks its whole bucket array for `mean` and again for `stddev` at every scrape:
 * those two reads were most of a scrape's main-thread CPU. Here a 10 ms timer (the
 * resolution prom-client uses) records the delay between its ticks; the mean and
 * standard deviation are kept as running sums, and the percentiles come from a
 * histogram of 2 significant digits. Names, help texts and units are prom-client's.
 * On runtimes where prom-client leaves that family out (Bun), nothing is replaced.
 *
 * On Bun, `v8.getHeapSpaceStatistics()`, which prom-client's
 * `nodejs_heap_space_size_{total,used,available}_bytes` read, costs milliseconds, most
 * of a scrape: there that family is refreshed at most every
 * {@linkcode BUN_HEAP_SPACES_REFRESH_MS} and repeats its last values in between.
 *
 * @example
 * ```ts
 * import { createRuntimeRegistry } from "./prometheus_runtime.ts";
 * const registry = createRuntimeRegistry();
 * const text = await registry.metrics();
 * console.log(text.includes("nodejs_eventloop_lag_seconds")); // true
 * ```
 *
 * @module
 */

import { createHistogram } from "node:perf_hooks";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** How often, at most, Bun's heap-space statistics are read again (milliseconds). */
export const BUN_HEAP_SPACES_REFRESH_MS = 10_000;

/** prom-client's default `eventLoopMonitoringPrecision`, in milliseconds. */
const RESOLUTION_MS = 10;

const LAG = "nodejs_eventloop_lag_seconds";
const STATISTICS = ["min", "max", "mean", "stddev", "p50", "p90", "p99"] as const;
type Statistic = typeof STATISTICS[number];

/** The event-loop delays recorded since the last scrape. */
class DelayRecorder {
  // Delays are recorded in nanoseconds, as monitorEventLoopDelay does.
  private readonly histogram = createHistogram({ lowest: 1_000, highest: 60e9, figures: 2 });
  private count = 0;
  private mean = 0;
  private squares = 0;
  private last = performance.now();

  constructor() {
    const timer = setInterval(() => this.tick(), RESOLUTION_MS) as unknown as {
      unref?: () => void;
    };
    timer.unref?.();
  }

  private tick(): void {
    const now = performance.now();
    const delay = Math.min(Math.max(Math.round((now - this.last) * 1e6), 1_000), 60e9);
    this.last = now;
    this.histogram.record(delay);
    // Welford's running mean and sum of squared deviations.
    this.count++;
    const step = delay - this.mean;
    this.mean += step / this.count;
    this.squares += step * (delay - this.mean);
  }

  /** The statistics in seconds (as prom-client reports an empty histogram when none). */
  read(): Record<Statistic, number> {
    const h = this.histogram;
    const empty = this.count === 0;
    return {
      min: h.min / 1e9,
      max: h.max / 1e9,
      mean: empty ? NaN : this.mean / 1e9,
      stddev: empty ? NaN : Math.sqrt(this.squares / this.count) / 1e9,
      p50: h.percentile(50) / 1e9,
      p90: h.percentile(90) / 1e9,
      p99: h.percentile(99) / 1e9,
    };
  }

  reset(): void {
    this.histogram.reset();
    this.count = 0;
    this.mean = 0;
    this.squares = 0;
  }
}

/** Reads the heap-space family at most every BUN_HEAP_SPACES_REFRESH_MS. */
function throttleHeapSpaces(registry: Registry): void {
  // prom-client sets the whole family from this one gauge's collect().
  const total = registry.getSingleMetric("nodejs_heap_space_size_total_bytes") as
    | { collect?: () => unknown }
    | undefined;
  const collect = total?.collect;
  if (total === undefined || typeof collect !== "function") return;
  let next = -Infinity;
  total.collect = function (this: unknown) {
    const now = performance.now();
    if (now < next) return;
    next = now + BUN_HEAP_SPACES_REFRESH_MS;
    return collect.call(this);
  };
}

/**
 * A new registry with prom-client's default metrics, the event-loop-delay family
 * computed as described in the module notes.
 */
export function createRuntimeRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (typeof (globalThis as { Bun?: unknown }).Bun === "object") throttleHeapSpaces(registry);
  const lag = registry.getSingleMetric(LAG) as Gauge | undefined;
  const statisticMetric = (s: Statistic) =>
    registry.getSingleMetric(`nodejs_eventloop_lag_${s}_seconds`);
  if (lag === undefined || STATISTICS.some((s) => statisticMetric(s) === undefined)) {
    return registry;
  }
  const helps = Object.fromEntries(
    STATISTICS.map((s) => [s, (statisticMetric(s) as unknown as { help: string }).help]),
  ) as Record<Statistic, string>;
  const lagHelp = (lag as unknown as { help: string }).help;
  registry.removeSingleMetric(LAG);
  for (const s of STATISTICS) registry.removeSingleMetric(`nodejs_eventloop_lag_${s}_seconds`);

  const recorder = new DelayRecorder();
  const gauges = {} as Record<Statistic, Gauge>;
  new Gauge({
    name: LAG,
    help: lagHelp,
    registers: [registry],
    collect() {
      // As prom-client: the time until the loop runs a callback queued now (the value
      // appears at the next scrape), and the delays recorded since the last scrape.
      const start = performance.now();
      setImmediate(() => this.set((performance.now() - start) / 1000));
      const values = recorder.read();
      for (const s of STATISTICS) gauges[s].set(values[s]);
      recorder.reset();
    },
  });
  for (const s of STATISTICS) {
    gauges[s] = new Gauge({
      name: `nodejs_eventloop_lag_${s}_seconds`,
      help: helps[s],
      registers: [registry],
    });
  }
  return registry;
}
