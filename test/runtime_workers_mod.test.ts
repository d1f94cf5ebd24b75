import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logicalCores, sourceModuleUrl, spawnWorker } from "../src/runtime/workers/mod.ts";
import type { WorkerReply } from "../src/parallel/protocol.ts";

describe("sourceModuleUrl", () => {
  it("resolves a path under src/ with the extension of the base module", () => {
    const base = "file:///pkg/src/runtime/workers/mod.js";
    assert.equal(
      sourceModuleUrl("parallel/worker", base).href,
      "file:///pkg/src/parallel/worker.js",
    );
    assert.equal(
      sourceModuleUrl("parallel/worker", base.replace(/js$/, "ts")).href,
      "file:///pkg/src/parallel/worker.ts",
    );
    assert.ok(sourceModuleUrl("parallel/worker").pathname.endsWith("/src/parallel/worker.ts"));
  });

  it("rejects anything but a plain module path, quoting it", () => {
    for (const entry of ["../etc/passwd", "/abs", "parallel/worker.ts", "", "a//b", 7]) {
      assert.throws(() => sourceModuleUrl(entry as string), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^sourceModuleUrl: entry must be a module path under src\//);
        assert.match(error.message, /received /);
        return true;
      });
    }
  });
});

describe("logicalCores", () => {
  it("reads navigator.hardwareConcurrency, else the fallback", () => {
    assert.equal(logicalCores(2, { navigator: { hardwareConcurrency: 8 } }), 8);
    assert.equal(logicalCores(2, { navigator: { hardwareConcurrency: 0 } }), 2);
    assert.equal(logicalCores(3, {}), 3);
    assert.ok(logicalCores(1) >= 1);
  });
});

describe("spawnWorker", () => {
  /** Starts the parallel worker and resolves once it says it is ready. */
  async function readyWorker(failures: string[]) {
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    let died!: (reason: string) => void;
    const death = new Promise<string>((resolve) => (died = resolve));
    const worker = await spawnWorker<never, WorkerReply>("parallel/worker", {
      message: (reply) => {
        if (reply.type === "ready") ready();
      },
      failure: (reason) => {
        failures.push(reason);
        died(reason);
      },
    });
    await isReady;
    return { worker, death };
  }

  it("reports a termination the owner did not ask for, once", async () => {
    const failures: string[] = [];
    const { worker, death } = await readyWorker(failures);
    worker.terminateUnannounced();
    assert.match(await death, /^stopped with exit code \S+ \(it exited, or was terminated/);
    worker.terminateUnannounced();
    worker.terminate();
    assert.equal(failures.length, 1);
  });

  it("reports no failure for a termination the owner asked for", async () => {
    const failures: string[] = [];
    const asked = await readyWorker(failures);
    asked.worker.terminate();
    // By the time a later worker's death is reported, the first one's exit has been
    // delivered too: had it been reported as a failure, it would show here.
    const other: string[] = [];
    const unasked = await readyWorker(other);
    unasked.worker.terminateUnannounced();
    await unasked.death;
    assert.deepEqual(failures, []);
  });

  it("rejects an entry outside src/", async () => {
    await assert.rejects(
      spawnWorker("../outside", { message() {}, failure() {} }),
      TypeError,
    );
  });
});
