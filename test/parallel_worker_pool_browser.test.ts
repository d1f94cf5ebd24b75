import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as browser from "../src/parallel/worker_pool_browser.ts";
import * as node from "../src/parallel/worker_pool.ts";
import { ROOT } from "./helpers/runtimes.ts";

describe("the browser build's stand-in for worker_pool.ts", () => {
  it("exports every value the real module exports", () => {
    assert.deepEqual(
      Object.keys(browser).filter((k) => k in node).sort(),
      Object.keys(node).sort(),
    );
  });

  it("rejects convolutionBatchParallel and refuses WorkerPool with a clear Error", async () => {
    const x = new Float32Array([1, 2, 3]);
    await assert.rejects(
      browser.convolutionBatchParallel([[x, x]]),
      (error: Error) =>
        error.constructor === Error &&
        /^convolutionBatchParallel: needs worker threads \(Deno, Bun or Node\)/.test(
          error.message,
        ) &&
        error.message.includes("BatchOperations.convolutionBatch"),
    );
    assert.throws(() => new browser.WorkerPool({ workers: 2 }), /^Error: WorkerPool: needs worker/);
    assert.doesNotThrow(() => browser.closeParallelWorkers());
  });

  it("is what the package's browser field maps worker_pool.ts to", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.deepEqual(manifest.browser, {
      "./src/parallel/worker_pool.ts": "./src/parallel/worker_pool_browser.ts",
    });
  });
});
