import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import {
  createFilterHandler,
  decodeSamples,
  encodeSamples,
  parseFilterServiceArgs,
} from "../examples/filter_service.ts";
import { lowPassFilter } from "../examples/workload.ts";
import {
  assertClose,
  convolutionScale,
  randomSignal,
  referenceConvolve,
} from "./helpers/reference.ts";
import { ROOT, RUNTIMES } from "./helpers/runtimes.ts";

const TAPS = 31;
const CUTOFF = 0.2;
const FILTER = lowPassFilter(TAPS, CUTOFF);

/** A running service process and what it printed. */
interface Service {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts the service under `runtime` on a free loopback port; resolves once it listens. */
function startService(runtime: keyof typeof RUNTIMES, args: string[]): Promise<Service> {
  const [command, ...prefix] = RUNTIMES[runtime];
  const child = spawn(command, [...prefix, "examples/filter_service.ts", "--port", "0", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "", stderr = "";
  const output = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  const limit = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(limit);
      resolve(code);
    });
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      stdout += String(chunk);
      const url = /listening on (http:\/\/\S+)\/filter/.exec(stdout)?.[1];
      if (url !== undefined) resolve({ child, url, output, exited });
    });
    child.stderr!.on("data", (chunk) => stderr += String(chunk));
    exited.then((code) => reject(new Error(`the service exited (${code}) early:\n${output()}`)));
  });
}

async function post(url: string, body: Uint8Array<ArrayBuffer>): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/octet-stream" },
    signal: AbortSignal.timeout(10_000),
  });
}

describe("filter_service.ts in process", () => {
  it("parses its flags and rejects bad ones with the value quoted", () => {
    const options = parseFilterServiceArgs(["--port", "0", "--taps", "7", "--telemetry", "off"]);
    assert.equal(options.port, 0);
    assert.equal(options.filter.length, 7);
    assert.equal(options.telemetry, false);
    assert.equal(parseFilterServiceArgs([]).telemetry, true);
    assert.throws(() => parseFilterServiceArgs(["--telemetry", "maybe"]), /received "maybe"/);
    assert.throws(() => parseFilterServiceArgs(["--taps", "2"]), /at least 3: received "2"/);
    assert.throws(() => parseFilterServiceArgs(["--cutoff", "0.5"]), /\(0, 0\.5\)/);
    assert.throws(() => parseFilterServiceArgs(["--bogus"]), RangeError);
  });

  it("round-trips samples through the little-endian wire format", () => {
    const samples = new Float32Array([1.5, -2, 3.25, Number.NaN]);
    const bytes = encodeSamples(samples);
    assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 0xc0, 0x3f]); // 1.5 little-endian
    assert.deepEqual(decodeSamples(bytes), samples);
    assert.throws(() => decodeSamples(new Uint8Array(6)), /multiple of 4 bytes\), received 6/);
  });

  it("answers bad requests with 4xx and stays exact right after", async () => {
    const handler = createFilterHandler({ filter: FILTER, telemetry: false, maxBytes: 4096 });
    const at = (path: string, init?: RequestInit) =>
      handler(new Request(`http://localhost${path}`, init));
    assert.equal((await at("/nope")).status, 404);
    assert.equal((await at("/metrics")).status, 404); // telemetry off
    assert.equal((await at("/filter")).status, 405);
    assert.equal((await at("/filter", { method: "POST", body: new Uint8Array(6) })).status, 400);
    assert.equal((await at("/filter", { method: "POST", body: new Uint8Array(0) })).status, 400);
    assert.equal((await at("/filter", { method: "POST", body: new Uint8Array(8192) })).status, 413);
    const badMode = await at("/filter?mode=wide", { method: "POST", body: new Uint8Array(8) });
    assert.equal(badMode.status, 400);
    assert.match(await badMode.text(), /received "wide"/);
    const signal = randomSignal(Float32Array, 500, 7);
    for (const mode of ["full", "same", "valid"] as const) {
      const response = await at(`/filter?mode=${mode}`, {
        method: "POST",
        body: encodeSamples(signal),
      });
      assert.equal(response.status, 200);
      const result = decodeSamples(new Uint8Array(await response.arrayBuffer()));
      const expected = referenceConvolve(signal, FILTER, mode);
      assertClose(result, expected, 1e-6, mode, convolutionScale(signal, FILTER));
    }
  });
});

for (const runtime of Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[]) {
  describe(`filter_service.ts under ${runtime}`, { timeout: 120_000 }, () => {
    it("filters a posted body on loopback, serves /metrics and stops on SIGTERM", async () => {
      const service = await startService(runtime, [
        "--taps",
        String(TAPS),
        "--cutoff",
        String(CUTOFF),
      ]);
      try {
        assert.match(service.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const signal = randomSignal(Float32Array, 4000, 11);
        const response = await post(`${service.url}/filter`, encodeSamples(signal));
        assert.equal(response.status, 200, service.output());
        const result = decodeSamples(new Uint8Array(await response.arrayBuffer()));
        assertClose(
          result,
          referenceConvolve(signal, FILTER, "same"),
          1e-6,
          `${runtime} same`,
          convolutionScale(signal, FILTER),
        );
        const bad = await post(`${service.url}/filter`, new Uint8Array(5));
        assert.equal(bad.status, 400);
        await bad.body?.cancel();
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        assert.match(
          metrics,
          /^convpool_operations_total\{convpool_operation="convolve",convpool_method="[a-z_]+"[^}]*\} [1-9]/m,
        );
        assert.match(
          metrics,
          new RegExp(`^convpool_runtime_gc_cycles_total\\{convpool_runtime="${runtime}"`, "m"),
        );
      } finally {
        process.kill(service.child.pid!, "SIGTERM");
      }
      assert.equal(await service.exited, 0, service.output());
      assert.match(service.output(), /convpool filter service: stopped/);
    });

    it("with --telemetry off filters the same and serves no /metrics", async () => {
      const service = await startService(runtime, ["--taps", "3", "--telemetry", "off"]);
      try {
        assert.match(service.output(), /telemetry off/);
        const signal = new Float32Array([1, 2, 3, 4]);
        const response = await post(`${service.url}/filter?mode=full`, encodeSamples(signal));
        const result = decodeSamples(new Uint8Array(await response.arrayBuffer()));
        assertClose(result, referenceConvolve(signal, lowPassFilter(3, 0.1), "full"), 1e-6);
        const metrics = await fetch(`${service.url}/metrics`);
        assert.equal(metrics.status, 404);
        await metrics.body?.cancel();
      } finally {
        process.kill(service.child.pid!, "SIGTERM");
      }
      assert.equal(await service.exited, 0, service.output());
    });
  });
}
