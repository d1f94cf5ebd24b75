/**
 * The test hooks of `src/internal/testing.ts` work, and stay internal: neither
 * `mod.ts` nor any package entry exports them, the published package leaves them
 * out, and no shipped module imports them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as publicApi from "../mod.ts";
import * as hooks from "../src/internal/testing.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { convolveDirectWasm, wasmKernels } from "../src/kernels/wasm/wasm_kernels.ts";
import { wasmInstanceStatus } from "../src/kernels/wasm/wasm_instance.ts";
import { WORKER_POOL_TEST_SETTINGS } from "../src/parallel/crash_injection.ts";
import { WorkerPool } from "../src/parallel/worker_pool.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the internal test hooks", () => {
  it("are not exported by mod.ts", () => {
    for (const name of Object.keys(hooks)) {
      assert.ok(!(name in publicApi), `mod.ts exports ${name}`);
    }
  });

  it("are not an entry of package.json or deno.json", () => {
    for (const file of ["package.json", "deno.json"]) {
      const manifest = JSON.parse(readFileSync(join(ROOT, file), "utf8"));
      const entries = JSON.stringify([manifest.exports ?? {}, manifest.browser ?? {}]);
      assert.ok(!entries.includes("internal"), `${file} exposes src/internal/: ${entries}`);
    }
  });

  it("are left out of the published package", () => {
    const deno = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
    assert.ok(deno.publish.exclude.includes("src/internal/"), "deno.json publishes src/internal/");
  });

  it("are imported by no shipped module", () => {
    for (const file of [join(ROOT, "mod.ts"), ...sourceFiles(join(ROOT, "src"))]) {
      if (file.includes(join("src", "internal"))) continue;
      assert.ok(
        !/from\s+"[^"]*internal\/testing\.ts"/.test(readFileSync(file, "utf8")),
        `${file} imports the test hooks`,
      );
    }
  });

  it("turn the WebAssembly kernels off and on", { skip: !simdSupported() }, () => {
    hooks.setWasmKernelsEnabled(false);
    try {
      assert.equal(wasmKernels(), null);
      assert.equal(wasmInstanceStatus().enabled, false);
    } finally {
      hooks.setWasmKernelsEnabled(true);
    }
    assert.notEqual(wasmKernels(), null);
  });

  it("lower the memory limit and inject a fault", { skip: !simdSupported() }, () => {
    const x = new Float32Array(4096).fill(1), h = new Float32Array(8).fill(1);
    const out = new Float32Array(4103);
    hooks.setWasmMemoryLimitForTests(64 * 1024);
    try {
      // Too large for 64 KiB in one piece: computed in pieces, still exact.
      convolveDirectWasm(x, h, out, 0, 4103, false);
      assert.equal(out[10], 8);
    } finally {
      hooks.setWasmMemoryLimitForTests(null);
    }
    hooks.setWasmFaultHookForTests(() => {
      throw new Error("simulated fault");
    });
    try {
      assert.throws(() => convolveDirectWasm(x, h, out, 0, 4103, false), /simulated fault/);
      assert.equal(wasmInstanceStatus().alive, false, "a failed call drops the instance");
    } finally {
      hooks.setWasmFaultHookForTests(null);
    }
    convolveDirectWasm(x, h, out, 0, 4103, false);
    assert.equal(out[10], 8);
  });

  it("leave a worker crash for one batch of one pool", async () => {
    const pool = new WorkerPool({ workers: 1 });
    const other = new WorkerPool({ workers: 1 });
    try {
      hooks.crashNextBatchForTests(pool, { after: 0, how: "exit" });
      assert.ok(WORKER_POOL_TEST_SETTINGS.nextCrash.has(pool));
      assert.ok(!WORKER_POOL_TEST_SETTINGS.nextCrash.has(other), "only the pool named");
      // An empty batch starts no worker but takes the crash: it applies to one batch.
      assert.deepEqual(await pool.run([]), []);
      assert.ok(!WORKER_POOL_TEST_SETTINGS.nextCrash.has(pool));
      assert.equal(pool.started, 0);
    } finally {
      pool.close();
      other.close();
    }
  });
});
