/**
 * The live check of the dashboards: a real Prometheus (Debian's `prometheus`
 * binary) scrapes `examples/workload.ts` every second, and every panel query of
 * both committed dashboards, with the Grafana variables substituted, must return
 * data through Prometheus's HTTP API. The variable queries (`label_values`) must
 * find the job and the instance too.
 *
 * The workload runs on Deno, on Bun and on Node at once, one process per runtime,
 * each its own scrape target (instance) of one job, so one Prometheus and one wait
 * cover the three runtimes' HTTP servers and runtime metrics. Every panel must return
 * data for every runtime's instance, and every query too, except that prom-client's
 * `nodejs_gc_*` families exist only on Node (Deno and Bun report no GC events to it):
 * on Deno and Bun the GC panel's data comes from `convpool_runtime_gc_cycles_total`.
 * Without the binary (set `PROMETHEUS_BIN` to use another one) the test warns loudly
 * and is skipped.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { DASHBOARDS } from "../dashboards/convpool_dashboards.ts";
import { ROOT, RUNTIMES } from "./helpers/runtimes.ts";

const SCRAPE_SECONDS = 1;
/** Grafana's `$__rate_interval` is at least four scrape intervals. */
const RATE_INTERVAL = `${4 * SCRAPE_SECONDS}s`;
/** Scrapes to wait for before querying: enough for every 4 s rate window to hold 4 samples. */
const SCRAPES_BEFORE_QUERYING = 6;
const JOB = "convpool";

type Runtime = keyof typeof RUNTIMES;
const ALL_RUNTIMES = Object.keys(RUNTIMES) as Runtime[];

function findPrometheus(): string | undefined {
  const explicit = process.env.PROMETHEUS_BIN;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, "prometheus"))) return join(dir, "prometheus");
  }
  return existsSync("/usr/bin/prometheus") ? "/usr/bin/prometheus" : undefined;
}

const PROMETHEUS = findPrometheus();

if (PROMETHEUS === undefined) {
  console.warn(
    `\n!!!!! dashboards_live.test.ts SKIPPED: ${
      process.env.PROMETHEUS_BIN
        ? `PROMETHEUS_BIN=${process.env.PROMETHEUS_BIN} does not exist`
        : "no prometheus binary on PATH"
    } (apt-get install -y prometheus, or set PROMETHEUS_BIN). The dashboards' queries were NOT ` +
      "checked against Prometheus. !!!!!\n",
  );
}

/** The command that runs a TypeScript file under `runtime`. */
function runtimeCommand(runtime: Runtime, file: string): [string, string[]] {
  const [command, ...args] = RUNTIMES[runtime];
  return [command, [...args, file]];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child process with its output kept for the failure message. */
interface Child {
  process: ChildProcess;
  output: () => string;
}

function start(command: string, args: string[]): Child {
  const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: unknown): void => {
    output += String(chunk);
    // Only the tail matters for diagnosis; keep memory bounded.
    if (output.length > 20_000) output = output.slice(-10_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { process: child, output: () => output };
}

async function stop(child: Child | undefined): Promise<void> {
  if (child === undefined) return;
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
  p.kill("SIGTERM");
  const timer = setTimeout(() => p.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns true or `deadline` (ms since epoch) passes. */
async function waitFor(
  what: string,
  deadline: number,
  probe: () => Promise<boolean>,
  children: Child[],
): Promise<void> {
  while (Date.now() < deadline) {
    for (const child of children) {
      if (child.process.exitCode !== null) {
        throw new Error(`a child exited early while waiting for ${what}:\n${child.output()}`);
      }
    }
    try {
      if (await probe()) return;
    } catch {
      // Not up yet.
    }
    await sleep(250);
  }
  throw new Error(
    `timed out waiting for ${what}:\n${children.map((c) => c.output()).join("\n---\n")}`,
  );
}

/** One result of Prometheus's instant query API. */
interface QueryResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

async function instantQuery(prometheus: string, expr: string): Promise<QueryResponse> {
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    signal: AbortSignal.timeout(5000),
  });
  return await response.json() as QueryResponse;
}

function hasData(response: QueryResponse): boolean {
  if (response.status !== "success" || response.data === undefined) return false;
  const result = response.data.result;
  // Scalars and strings are a [time, value] pair; vectors and matrices a list of series.
  if (response.data.resultType === "scalar" || response.data.resultType === "string") return true;
  return Array.isArray(result) && result.length > 0;
}

/** A query of a dashboard panel or variable. */
interface DashboardQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

interface PanelJson {
  type?: string;
  title?: string;
  targets?: { expr?: string }[];
  panels?: PanelJson[];
}

interface DashboardJson {
  title: string;
  panels?: PanelJson[];
  templating?: { list?: { name: string; type: string; query?: unknown }[] };
}

async function committedDashboards(): Promise<DashboardJson[]> {
  return await Promise.all(
    DASHBOARDS.map(async ({ file }) =>
      JSON.parse(await readFile(join(ROOT, "dashboards", file), "utf8")) as DashboardJson
    ),
  );
}

function panelQueries(dashboard: DashboardJson): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panels: PanelJson[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined) {
          queries.push({
            dashboard: dashboard.title,
            panel: panel.title ?? "?",
            expr: target.expr,
          });
        }
      }
      visit(panel.panels); // panels inside collapsed rows
    }
  };
  visit(dashboard.panels);
  return queries;
}

/** Substitutes the Grafana variables the way Grafana would for this job and instance. */
function substitute(expr: string, instance: string): string {
  return expr
    .replaceAll("$__rate_interval", RATE_INTERVAL)
    .replaceAll("$__interval", `${SCRAPE_SECONDS}s`)
    .replaceAll("$job", JOB)
    .replaceAll("$instance", instance.replaceAll(".", "\\\\."));
}

/** Metric families a runtime does not serve at all (prom-client gets no GC events there). */
function absentOnRuntime(runtime: Runtime, expr: string): boolean {
  return runtime !== "node" && expr.includes("nodejs_gc_");
}

/** One workload process: its runtime and its scrape target. */
interface Workload {
  runtime: Runtime;
  instance: string;
}

test(
  `every panel query of both dashboards returns data from a live Prometheus (workload on ${
    ALL_RUNTIMES.join(", ")
  } at once)`,
  {
    skip: PROMETHEUS === undefined ? "no prometheus binary (see the warning above)" : false,
    timeout: 120_000,
  },
  async () => {
    const deadline = Date.now() + 90_000;
    const children: Child[] = [];
    let prometheus: Child | undefined;
    const dir = await mkdtemp(join(tmpdir(), "convpool-prometheus-"));
    try {
      const workloads: Workload[] = [];
      for (const runtime of ALL_RUNTIMES) {
        const port = await freePort();
        const [command, args] = runtimeCommand(runtime, "examples/workload.ts");
        children.push(start(command, [...args, "--port", String(port), "--duration", "120"]));
        workloads.push({ runtime, instance: `127.0.0.1:${port}` });
      }
      const prometheusPort = await freePort();
      await writeFile(
        join(dir, "prometheus.yml"),
        [
          "global:",
          `  scrape_interval: ${SCRAPE_SECONDS}s`,
          `  scrape_timeout: ${SCRAPE_SECONDS}s`,
          "scrape_configs:",
          `  - job_name: ${JOB}`,
          "    static_configs:",
          `      - targets: [${workloads.map((w) => `"${w.instance}"`).join(", ")}]`,
          "",
        ].join("\n"),
      );
      for (const { runtime, instance } of workloads) {
        await waitFor(`the ${runtime} workload's /metrics endpoint`, deadline, async () => {
          const response = await fetch(`http://${instance}/metrics`, {
            signal: AbortSignal.timeout(2000),
          });
          await response.body?.cancel();
          return response.ok;
        }, children);
      }

      prometheus = start(PROMETHEUS!, [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        "--log.level=warn",
      ]);
      children.push(prometheus);
      const api = `http://127.0.0.1:${prometheusPort}`;
      await waitFor("Prometheus to be ready", deadline, async () => {
        const response = await fetch(`${api}/-/ready`, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        return response.ok;
      }, children);
      await waitFor(
        `${SCRAPES_BEFORE_QUERYING} scrapes of the ${workloads.length} workloads`,
        deadline,
        async () => {
          const response = await instantQuery(
            api,
            `count(count_over_time(up{job="${JOB}"}[1m]) >= ${SCRAPES_BEFORE_QUERYING} and up{job="${JOB}"} == 1) == ${workloads.length}`,
          );
          return hasData(response);
        },
        children,
      );

      const dashboards = await committedDashboards();
      const failures: string[] = [];
      const warnings: string[] = [];
      let checked = 0;
      for (const { runtime, instance } of workloads) {
        for (const dashboard of dashboards) {
          const queries = panelQueries(dashboard);
          assert.ok(queries.length > 0, `${dashboard.title} has no panel queries`);
          /** Panels with at least one query that returned data for this runtime. */
          const panelsWithData = new Set<string>();
          for (const query of queries) {
            const expr = substitute(query.expr, instance);
            assert.doesNotMatch(expr, /\$/, `unsubstituted variable in ${expr}`);
            const response = await instantQuery(api, expr);
            checked++;
            if (hasData(response)) {
              panelsWithData.add(query.panel);
              continue;
            }
            const line = `${runtime}: ${query.dashboard} / ${query.panel}: ${expr} -> ${
              response.error ?? `empty ${response.data?.resultType}`
            }`;
            if (absentOnRuntime(runtime, expr)) warnings.push(line);
            else failures.push(line);
          }
          for (const panel of new Set(queries.map((query) => query.panel))) {
            if (!panelsWithData.has(panel)) {
              failures.push(`${runtime}: ${dashboard.title} / ${panel}: no query returned data`);
            }
          }
          for (const variable of dashboard.templating?.list ?? []) {
            if (variable.type !== "query" || typeof variable.query !== "string") continue;
            // label_values(metric{matchers}, label) is Grafana's; ask the series API the same.
            const match = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.query);
            assert.ok(match, `unexpected variable query ${variable.query}`);
            const selector = substitute(match[1], instance).replaceAll('=~"convpool"', `="${JOB}"`);
            const url = `${api}/api/v1/label/${match[2]}/values?match[]=${
              encodeURIComponent(selector)
            }`;
            const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
            const body = await response.json() as { data?: string[] };
            checked++;
            const expected = match[2] === "job" ? JOB : instance;
            if (!body.data?.includes(expected)) {
              failures.push(
                `${runtime}: ${dashboard.title} / variable ${variable.name}: ${variable.query} -> ${
                  JSON.stringify(body.data)
                }, expected ${expected}`,
              );
            }
          }
        }
      }
      if (warnings.length > 0) {
        console.warn(
          `dashboards_live: ${warnings.length} queries of prom-client's nodejs_gc_* families ` +
            "returned no data on runtimes that report no GC events to prom-client (the GC panel " +
            `shows convpool_runtime_gc_cycles_total there):\n  ${warnings.join("\n  ")}`,
        );
      }
      console.log(
        `dashboards_live (${ALL_RUNTIMES.join(", ")}): ${checked} queries checked, ${
          checked - failures.length - warnings.length
        } returned data`,
      );
      assert.deepEqual(failures, [], `queries without data:\n${failures.join("\n")}`);
    } finally {
      await stop(prometheus);
      for (const child of children) await stop(child);
      await rm(dir, { recursive: true, force: true });
    }
  },
);
