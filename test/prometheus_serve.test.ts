import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createEngine } from "../src/alloc/engine.ts";
import { serveMetrics } from "../src/prometheus.ts";
import { recordOperation } from "../src/metrics/record.ts";
import { RUNTIMES } from "./helpers/runtimes.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = join(root, ".tmp", `prometheus_serve_${process.pid}`);
const script = join(scratch, "serve.ts");

/** A program that serves /metrics for an engine with 1000 recorded operations. */
const SCRIPT = `
import { createEngine } from "../../src/alloc/engine.ts";
import { serveMetrics } from "../../src/prometheus.ts";
import { recordOperation } from "../../src/metrics/record.ts";

const engine = createEngine({ maintenanceIntervalMs: 0 });
for (let i = 0; i < 1000; i++) recordOperation(engine.metrics, 0, 0, -1);
const server = await serveMetrics({ engine, port: 0 });
console.log("URL " + server.url);
`;

const COMMANDS: Record<string, string[]> = Object.fromEntries(
  Object.entries(RUNTIMES).map(([runtime, prefix]) => [runtime, [...prefix, script]]),
);

const children: ChildProcess[] = [];

function startServer(command: string[]): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command[0], command.slice(1), {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      reject(new Error(`${command[0]} did not serve within 60 s: ${stdout}${stderr}`));
    }, 60_000);
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      const match = /^URL (\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ url: match[1], child });
      }
    });
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command[0]} exited with ${code} before serving: ${stdout}${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once("exit", () => resolvePromise());
    child.kill("SIGTERM");
  });
}

async function scrapeAndCheck(url: string): Promise<void> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.match(
    text,
    /^convpool_operations_total\{convpool_operation="convolve",convpool_method="direct",otel_scope_name="convpool"\} 1000$/m,
  );
  assert.match(text, /^# TYPE convpool_stack_utilization_ratio gauge$/m);
  assert.match(text, /^# TYPE nodejs_heap_size_used_bytes gauge$/m);
  const missing = await fetch(new URL("/other", url));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const post = await fetch(url, { method: "POST", body: "x" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  await post.body?.cancel();
}

describe("serveMetrics", () => {
  it("serves on loopback in this runtime and resolves to its URL", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    for (let i = 0; i < 1000; i++) recordOperation(engine.metrics, 0, 0, -1);
    const server = await serveMetrics({ engine, port: 0 });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await scrapeAndCheck(server.url);
    } finally {
      await server.close();
      engine.close();
    }
  });

  it("serves on a custom path", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const server = await serveMetrics({ engine, port: 0, path: "/custom", defaultMetrics: false });
    try {
      assert.ok(server.url.endsWith("/custom"));
      const response = await fetch(server.url);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /convpool_stack_memory_limit_bytes/);
      const old = await fetch(server.url.replace("/custom", "/metrics"));
      assert.equal(old.status, 404);
      await old.body?.cancel();
    } finally {
      await server.close();
      engine.close();
    }
  });

  it("rejects a bad port with a RangeError quoting it", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    await assert.rejects(serveMetrics({ engine, port: 70000 }), /port .*70000/);
    engine.close();
  });

  it("rejects `host` (the option is `hostname`) instead of silently binding loopback", async () => {
    await assert.rejects(serveMetrics({ host: "0.0.0.0", port: 0 } as never), {
      name: "TypeError",
      message:
        /^serveMetrics: an option must be one of .*hostname.* \(did you mean "hostname"\?\), received "host"$/,
    });
    await assert.rejects(serveMetrics({ hostname: "" }), /hostname must be a non-empty string/);
  });

  it("answers CONNECT with 405, and a second close() resolves", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const server = await serveMetrics({ engine, port: 0, defaultMetrics: false });
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolvePromise, reject) => {
      const socket = connect(Number(port), "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk;
        if (received.includes("\r\n\r\n")) {
          socket.destroy();
          resolvePromise(received);
        }
      });
      socket.on("error", reject);
      socket.on("close", () => resolvePromise(received));
      socket.on(
        "connect",
        () => socket.write("CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n"),
      );
    });
    assert.match(answer, /^HTTP\/1\.1 405 /);
    assert.match(answer, /allow: GET, HEAD/i);
    await server.close();
    await server.close();
    engine.close();
  });

  it("serves and is scraped under Deno, Bun and Node", async () => {
    mkdirSync(scratch, { recursive: true });
    writeFileSync(script, SCRIPT);
    const results = await Promise.allSettled(
      Object.entries(COMMANDS).map(async ([runtime, command]) => {
        const { url, child } = await startServer(command);
        try {
          await scrapeAndCheck(url);
        } catch (error) {
          throw new Error(`${runtime}: ${String(error)}`);
        } finally {
          await stop(child);
        }
        return runtime;
      }),
    );
    const failures = results.filter((r) => r.status === "rejected").map((r) => String(r.reason));
    assert.deepEqual(failures, []);
  });
});

after(async () => {
  await Promise.all(children.map(stop));
  rmSync(scratch, { recursive: true, force: true });
});
