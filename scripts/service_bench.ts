/**
 * Load bench of `examples/filter_service.ts` on loopback: requests per second and
 * latency percentiles with telemetry on and with telemetry off, measured in the same
 * run, on each runtime.
 *
 *   node --import tsx scripts/service_bench.ts [--runtimes deno,bun,node] [--rounds 3]
 *     [--requests 4000] [--seconds 5] [--connections 8] [--samples 1024] [--taps 63]
 *
 * For every runtime and round it starts the service twice (telemetry on, telemetry
 * off; the order alternates between rounds so that neither always runs first), sends
 * `--requests / 10` warm-up requests, then `--requests` requests (or as many as fit in
 * `--seconds`) from `--connections` keep-alive clients, each posting the same body of
 * `--samples` float32 samples and checking the status and the response length. The
 * load generator is this process (node:http with a keep-alive agent), so the client
 * and the service share the machine: the figures compare on with off, they are not
 * the service's capacity. It also reads the service's CPU time (user + system, from
 * Linux's /proc) per request, which other work on the machine disturbs less than the
 * wall-clock figures. It prints one line per run and then, per runtime, the medians
 * over the rounds and the on/off ratios.
 *
 * @example
 * ```ts
 * import { percentile } from "./service_bench.ts";
 * console.log(percentile([1, 2, 3, 4], 0.5)); // 2
 * ```
 *
 * @module
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

type Runtime = "deno" | "bun" | "node";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMMANDS: Record<Runtime, string[]> = {
  deno: [`${ROOT}node_modules/.bin/deno`, "run", "-A"],
  bun: [`${ROOT}node_modules/.bin/bun`],
  node: ["node", "--import", "tsx"],
};

/** The `q` quantile (0..1) of `values` by the nearest-rank method; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** One measured run. */
interface RunResult {
  runtime: Runtime;
  telemetry: boolean;
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) the service spent per request; NaN without /proc. */
  cpuUsPerRequest: number;
}

/** Clock ticks per second of /proc/<pid>/stat times. */
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/**
 * CPU seconds (user + system) a process has used, from Linux's /proc; NaN elsewhere.
 * Less disturbed than wall-clock figures when other work shares the machine.
 */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which is in parentheses and may hold spaces).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

interface Started {
  child: ChildProcess;
  port: number;
}

function startService(runtime: Runtime, telemetry: boolean, taps: number): Promise<Started> {
  const [command, ...prefix] = COMMANDS[runtime];
  const child = spawn(command, [
    ...prefix,
    "examples/filter_service.ts",
    "--port",
    "0",
    "--taps",
    String(taps),
    "--telemetry",
    telemetry ? "on" : "off",
  ], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk) => {
      stdout += String(chunk);
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1];
      if (port !== undefined) resolve({ child, port: Number(port) });
    });
    child.once("exit", (code) => reject(new Error(`${runtime} service exited (${code})`)));
  });
}

async function stopService(started: Started): Promise<void> {
  const exited = new Promise<void>((resolve) => started.child.once("exit", () => resolve()));
  started.child.kill("SIGTERM");
  await exited;
}

/** Posts `body` once; resolves with the latency in milliseconds. */
function postOnce(agent: Agent, port: number, body: Uint8Array, expectBytes: number) {
  return new Promise<number>((resolve, reject) => {
    const start = performance.now();
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/filter",
      method: "POST",
      agent,
      headers: { "content-type": "application/octet-stream", "content-length": body.byteLength },
    }, (res) => {
      let received = 0;
      res.on("data", (chunk: Uint8Array) => (received += chunk.byteLength));
      res.on("end", () => {
        if (res.statusCode !== 200 || received !== expectBytes) {
          reject(new Error(`status ${res.statusCode}, ${received} bytes`));
        } else resolve(performance.now() - start);
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends `count` requests from `connections` clients (or stops at `seconds`). */
async function load(
  port: number,
  body: Uint8Array,
  count: number,
  connections: number,
  seconds: number,
): Promise<{ latencies: number[]; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let sent = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const client = async (): Promise<void> => {
    while (sent < count && performance.now() < deadline) {
      sent++;
      latencies.push(await postOnce(agent, port, body, body.byteLength));
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return { latencies, seconds: elapsed };
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      runtimes: { type: "string", default: "deno,bun,node" },
      rounds: { type: "string", default: "3" },
      requests: { type: "string", default: "4000" },
      seconds: { type: "string", default: "5" },
      connections: { type: "string", default: "8" },
      samples: { type: "string", default: "1024" },
      taps: { type: "string", default: "63" },
    },
  });
  const runtimes = values.runtimes.split(",") as Runtime[];
  for (const runtime of runtimes) {
    if (!(runtime in COMMANDS)) throw new RangeError(`unknown runtime ${JSON.stringify(runtime)}`);
  }
  const rounds = Number(values.rounds);
  const requests = Number(values.requests);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const samples = new Float32Array(Number(values.samples));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(i / 7) + 0.1 * Math.cos(i * 1.3);
  const body = new Uint8Array(samples.buffer);
  console.log(
    `service bench: ${rounds} rounds, ${requests} requests (max ${seconds} s) from ${connections} ` +
      `keep-alive clients, ${samples.length} float32 samples per body, ${values.taps} taps, mode same`,
  );
  const results: RunResult[] = [];
  for (const runtime of runtimes) {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [true, false] : [false, true];
      for (const telemetry of order) {
        const started = await startService(runtime, telemetry, Number(values.taps));
        try {
          await load(started.port, body, Math.ceil(requests / 10), connections, seconds);
          const cpuBefore = cpuSeconds(started.child.pid!);
          const run = await load(started.port, body, requests, connections, seconds);
          const cpu = cpuSeconds(started.child.pid!) - cpuBefore;
          const result: RunResult = {
            runtime,
            telemetry,
            requests: run.latencies.length,
            seconds: run.seconds,
            rps: run.latencies.length / run.seconds,
            p50Ms: percentile(run.latencies, 0.5),
            p99Ms: percentile(run.latencies, 0.99),
            cpuUsPerRequest: (cpu * 1e6) / run.latencies.length,
          };
          results.push(result);
          console.log(
            `  ${runtime} round ${round + 1} telemetry ${telemetry ? "on " : "off"}: ` +
              `${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(3)} ms, ` +
              `p99 ${result.p99Ms.toFixed(3)} ms, service CPU ${
                result.cpuUsPerRequest.toFixed(0)
              } us/request (${result.requests} requests)`,
          );
        } finally {
          await stopService(started);
        }
      }
    }
  }
  console.log("\nmedians over rounds (ratio = telemetry on / telemetry off, same run):");
  for (const runtime of runtimes) {
    const pick = (telemetry: boolean, key: "rps" | "p50Ms" | "p99Ms" | "cpuUsPerRequest") =>
      median(
        results.filter((r) => r.runtime === runtime && r.telemetry === telemetry).map((r) =>
          r[key]
        ),
      );
    const figures = [
      ["req/s", "rps", 0, " req/s"],
      ["p50", "p50Ms", 3, " ms"],
      ["p99", "p99Ms", 3, " ms"],
      ["service CPU", "cpuUsPerRequest", 0, " us/request"],
    ] as const;
    const line = figures.map(([label, key, digits, unit]) => {
      const on = pick(true, key), off = pick(false, key);
      return `${label} on ${on.toFixed(digits)}${unit}, off ${off.toFixed(digits)}${unit}, ` +
        `ratio ${(on / off).toFixed(3)}`;
    });
    console.log(`  ${runtime}: ${line.join(" | ")}`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
