/**
 * The `/metrics` endpoint under a hostile client, and the cost of one scrape:
 *
 * - a client pipelines 2,000 scrapes on one connection and never reads its
 *   replies. While it does, a 5 ms interval timer measures the longest gap in the
 *   event loop, a new client scrapes every 100 ms (median latency of 10), and RSS
 *   is sampled. The RSS baseline is taken 1 s after `gc()` (where the runtime
 *   exposes it), once the heap has settled;
 * - the main thread's CPU time per rendering through `createMetricsHandler` with
 *   the default runtime metrics and `cacheMs: 0` (every request renders), read
 *   from `/proc/thread-self/stat` (Linux; skipped elsewhere), median of 5 rounds
 *   of 300 scrapes.
 *
 * Targets: gap at most 100 ms, RSS growth at most 20 MiB, at most 1 ms of CPU per
 * scrape. Writes `bench/results/metrics_endpoint.<runtime>.json`.
 *
 * ```sh
 * node --expose-gc --import tsx bench/metrics_endpoint.bench.ts
 * node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/metrics_endpoint.bench.ts
 * node_modules/.bin/bun bench/metrics_endpoint.bench.ts
 * ```
 *
 * @module
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { connect } from "node:net";
import { loadavg } from "node:os";
import process from "node:process";
import { convolve, createEngine } from "../mod.ts";
import { createMetricsHandler, serveMetrics } from "../src/prometheus.ts";
import { runtimeName, runtimeVersion } from "./harness.ts";

const PIPELINED = 2_000;
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** One scrape on a new connection; resolves with the status code. */
function scrape(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    }).on("error", reject);
  });
}

async function pipeliningClient() {
  const engine = createEngine({ maintenanceIntervalMs: 0 });
  const server = await serveMetrics({ engine, port: 0 });
  const url = new URL(server.url);
  for (let i = 0; i < 20; i++) await scrape(server.url);
  collect();
  await sleep(1000);
  const rssBefore = process.memoryUsage().rss;
  let longestGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 5);
  const hostile = connect(Number(url.port), url.hostname);
  hostile.pause();
  hostile.on("error", () => {});
  await new Promise((resolve) => hostile.once("connect", resolve));
  hostile.write(`GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n`.repeat(PIPELINED));
  let rssPeak = rssBefore;
  const latencies: number[] = [];
  for (let i = 0; i < 10; i++) {
    await sleep(100);
    const start = performance.now();
    const status = await scrape(server.url);
    latencies.push(performance.now() - start);
    if (status !== 200) throw new Error(`a fresh client's scrape answered ${status}`);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }
  clearInterval(ticker);
  hostile.destroy();
  await server.close();
  engine.close();
  latencies.sort((a, b) => a - b);
  return {
    longestEventLoopGapMs: longestGap,
    freshScrapeMedianMs: latencies[latencies.length >> 1],
    rssGrowthMiB: (rssPeak - rssBefore) / MiB,
  };
}

/** User plus system CPU time of the calling thread, in milliseconds (Linux). */
function threadCpuMs(): number {
  const fields = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function cpuPerScrape() {
  if (!existsSync("/proc/thread-self/stat")) return { cpuMsPerScrape: null };
  const engine = createEngine({ maintenanceIntervalMs: 0 });
  for (let i = 0; i < 100; i++) {
    convolve(new Float32Array(300 + i), new Float32Array(17), { engine });
  }
  const handler = createMetricsHandler({ engine, cacheMs: 0 });
  const render = async () => {
    await (await handler(new Request("http://bench/metrics"))).arrayBuffer();
  };
  for (let i = 0; i < 200; i++) await render();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const scrapes = 300;
    const start = threadCpuMs();
    for (let i = 0; i < scrapes; i++) await render();
    rounds.push((threadCpuMs() - start) / scrapes);
  }
  engine.close();
  rounds.sort((a, b) => a - b);
  return { cpuMsPerScrape: rounds[2] };
}

const pipelining = await pipeliningClient();
const cpu = await cpuPerScrape();
const result = {
  runtime: runtimeVersion,
  date: new Date().toISOString(),
  loadAverage: loadavg()[0],
  pipelinedRequests: PIPELINED,
  ...pipelining,
  ...cpu,
};
console.log(
  `${runtimeVersion}, load average ${result.loadAverage.toFixed(2)}: ${PIPELINED} pipelined ` +
    `scrapes never read; longest event-loop gap ${
      pipelining.longestEventLoopGapMs.toFixed(1)
    } ms ` +
    `(target 100), a fresh client's scrape ${pipelining.freshScrapeMedianMs.toFixed(1)} ms, ` +
    `RSS growth ${pipelining.rssGrowthMiB.toFixed(1)} MiB (target 20); CPU per scrape ${
      cpu.cpuMsPerScrape === null ? "n/a" : `${cpu.cpuMsPerScrape.toFixed(2)} ms (target 1)`
    }`,
);
const directory = new URL("./results/", import.meta.url);
mkdirSync(directory, { recursive: true });
writeFileSync(
  new URL(`metrics_endpoint.${runtimeName}.json`, directory),
  JSON.stringify(result, null, 2) + "\n",
);
process.exit(0);
