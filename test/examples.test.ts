import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { ROOT, RUNTIMES } from "./helpers/runtimes.ts";

/** What one example run produced. */
interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** `/metrics` body fetched while the program ran, when asked for. */
  metrics?: string;
}

interface RunOptions {
  /** Fetch the `metrics on <url>` the program prints, once, while it runs. */
  scrape?: boolean;
  /** Send SIGINT once stdout matches this. */
  interruptWhen?: RegExp;
}

/** Runs one example with a hard time limit; the child is killed whatever happens. */
function runExample(runtime: string, args: string[], options: RunOptions = {}): Promise<Run> {
  const [command, ...prefix] = RUNTIMES[runtime as keyof typeof RUNTIMES];
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "", stderr = "", metrics: string | undefined;
    let scraping = false, interrupted = false;
    const limit = setTimeout(() => child.kill("SIGKILL"), 45_000);
    child.stdout!.on("data", (chunk) => {
      stdout += String(chunk);
      const url = /metrics on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (options.scrape && url !== undefined && !scraping) {
        scraping = true;
        fetch(url, { signal: AbortSignal.timeout(10_000) })
          .then((response) => response.text())
          .then((text) => metrics = text, (error) => metrics = `scrape failed: ${error}`);
      }
      if (options.interruptWhen?.test(stdout) && !interrupted) {
        interrupted = true;
        // process.kill rather than child.kill: Deno's child_process reports any child it
        // killed itself as ended by that signal, hiding the exit code we want to check.
        process.kill(child.pid!, "SIGINT");
      }
    });
    child.stderr!.on("data", (chunk) => stderr += String(chunk));
    child.on("error", (error) => {
      clearTimeout(limit);
      reject(error);
    });
    child.on("close", async (code, signal) => {
      clearTimeout(limit);
      // A scrape started just before exit may still be settling.
      for (let i = 0; i < 50 && scraping && metrics === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      resolve({ code, signal, stdout, stderr, metrics });
    });
  });
}

function describeRun(run: Run): string {
  return `exit ${run.code ?? run.signal}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

for (const runtime of Object.keys(RUNTIMES)) {
  describe(`the examples under ${runtime}`, { timeout: 120_000 }, () => {
    it("workload.ts serves metrics, prints a summary each second and stops at --duration", async () => {
      const run = await runExample(runtime, [
        "examples/workload.ts",
        "--port",
        "0",
        "--duration",
        "2.5",
      ], {
        scrape: true,
      });
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
      assert.match(
        run.stdout,
        /\d+ ops\/s\s+p99\s+[\d.]+ (us|ms)\s+pool hit\s+[\d.]+%\s+stack eff\s+[\d.]+%/,
        describeRun(run),
      );
      assert.match(run.stdout, /stopped, metrics server closed/);
      assert.match(run.metrics ?? "", /^convpool_operations_total\{/m, run.metrics);
      assert.match(run.metrics ?? "", /^convpool_operation_duration_seconds_bucket\{/m);
    });

    it("workload.ts without --duration stops cleanly on SIGINT with exit code 0", async () => {
      const run = await runExample(runtime, ["examples/workload.ts", "--port", "0"], {
        interruptWhen: /ops\/s/,
      });
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /stopped, metrics server closed/);
    });

    it("workload.ts rejects a bad flag with exit code 2", async () => {
      const run = await runExample(runtime, ["examples/workload.ts", "--port", "x"]);
      assert.equal(run.code, 2, describeRun(run));
      assert.match(run.stderr, /--port must be an integer/);
    });

    it("audio_fir.ts filters 48 kHz audio in 128-frame blocks without garbage", async () => {
      const run = await runExample(runtime, ["examples/audio_fir.ts", "--duration", "0.5"]);
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /blocks: 188 /);
      const stop = /12000 Hz (-[\d.]+) dB/.exec(run.stdout);
      assert.ok(stop !== null && Number(stop[1]) < -60, describeRun(run));
      assert.match(run.stdout, /440 Hz -?0\.\d\d dB/);
      assert.match(run.stdout, /engine: 0 heap allocations in the block loop/);
    });

    it("sensor_batch.ts smooths batches with BatchOperations from pooled buffers", async () => {
      const run = await runExample(runtime, ["examples/sensor_batch.ts", "--duration", "0.5"]);
      assert.equal(run.code, 0, describeRun(run));
      const noise = /RMS error ([\d.]+) before, ([\d.]+) after/.exec(run.stdout);
      assert.ok(noise !== null && Number(noise[2]) < Number(noise[1]) / 2, describeRun(run));
      assert.match(run.stdout, /streamed [1-9]\d* backlog windows/);
      assert.match(run.stdout, /pool hit rate: 100\.0%, heap allocations: 0/);
    });
  });
}
