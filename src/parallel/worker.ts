/**
 * Entry point of a worker of the parallel batch pool (started by
 * `worker_pool.ts`, never imported by users). It convolves the tasks of each
 * batch it is sent, taking them one at a time from the shared cursor, and
 * replies with what its engine's counts gained, so that the main engine can
 * report the work.
 *
 * It runs as a Web Worker on Bun and as a `node:worker_threads` worker on Node
 * and Deno (where `unref()` lets the process exit while the worker idles).
 *
 * @example
 * ```ts
 * // Started by the pool, e.g.:
 * // new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
 * ```
 *
 * @module
 */

import { executeOperation, fullConvolution } from "../convolve.ts";
import { getDefaultEngine } from "../default_engine.ts";
import { OPERATION_INDEX } from "../metrics/operation_metrics.ts";
import { type BatchMessage, counterDelta, snapshotCounters, TASK_FIELDS } from "./protocol.ts";
import type { WorkerReply } from "./protocol.ts";

type Post = (message: WorkerReply) => void;

interface WebWorkerScope {
  onmessage: ((event: { data: BatchMessage }) => void) | null;
  postMessage(message: unknown): void;
}

interface NodeParentPort {
  on(event: "message", listener: (data: BatchMessage) => void): void;
  postMessage(message: unknown): void;
  close?: () => void;
}

interface NodeProcessLike {
  exit(code: number): never;
}

type CrashHow = NonNullable<BatchMessage["crash"]>["how"];

/** The worker's port under `node:worker_threads` (null on Bun). */
let nodePort: NodeParentPort | null = null;

/**
 * Ends this worker quietly (the "close" crash): closing its port (Node), else
 * `self.close()` (Deno), else `process.exit(0)` (Bun, which has no `self.close`).
 */
function closeQuietly(): void {
  if (typeof nodePort?.close === "function") return nodePort.close();
  const scope = globalThis as { close?: () => void };
  if (typeof scope.close === "function") return scope.close();
  (globalThis as unknown as { process: NodeProcessLike }).process.exit(0);
}

const BATCH_REQUEST = fullConvolution("convolutionBatchParallel", OPERATION_INDEX.batch);

function runBatch(message: BatchMessage, post: Post): void {
  const engine = getDefaultEngine();
  const before = snapshotCounters(engine);
  const f32 = new Float32Array(message.f32);
  const f64 = new Float64Array(message.f64);
  const out = new Float32Array(message.out);
  const tasks = new Float64Array(message.tasks);
  const cursor = new Int32Array(message.cursor);
  const crashAfter = message.crash?.after ?? Infinity;
  let done = 0;
  try {
    for (;;) {
      if (done >= crashAfter) break;
      const task = Atomics.add(cursor, 0, 1);
      if (task >= message.count) break;
      for (let ready = Atomics.load(cursor, 1); ready <= task; ready = Atomics.load(cursor, 1)) {
        // The timeout only guards against a lost wake-up; the main thread notifies each copy.
        Atomics.wait(cursor, 1, ready, 100);
      }
      const t = task * TASK_FIELDS;
      const signal = f32.subarray(tasks[t], tasks[t] + tasks[t + 1]);
      const kernelStart = tasks[t + 2];
      const m = tasks[t + 3];
      const kernel = tasks[t + 4] === 1
        ? f64.subarray(kernelStart, kernelStart + m)
        : f32.subarray(kernelStart, kernelStart + m);
      const length = tasks[t + 1] + m - 1;
      const target = out.subarray(tasks[t + 5], tasks[t + 5] + length);
      executeOperation(signal, kernel, target, engine, BATCH_REQUEST);
      done++;
    }
  } catch (error) {
    post({ type: "failed", id: message.id, message: String(error) });
    return;
  }
  if (message.crash !== undefined) {
    crash(message.crash.how, message.id, post);
    return;
  }
  post({
    type: "done",
    id: message.id,
    tasks: done,
    counters: counterDelta(engine, before),
  });
}

/** Testing hook: dies the way the batch asks, never replying "done". */
function crash(how: CrashHow, id: number, post: Post): void {
  if (how === "exit") {
    (globalThis as unknown as { process: NodeProcessLike }).process.exit(3);
  }
  if (how === "close") return closeQuietly();
  if (how === "terminate") return post({ type: "terminate-me", id });
  // Escapes the message handler: the runtime reports it as the worker's error.
  throw new Error("worker crash requested by a test");
}

async function start(): Promise<void> {
  if ("Bun" in globalThis) {
    const scope = globalThis as unknown as WebWorkerScope;
    const post: Post = (message) => scope.postMessage(message);
    scope.onmessage = (event) => runBatch(event.data, post);
    post({ type: "ready" });
    return;
  }
  const { parentPort } = await import("node:worker_threads") as unknown as {
    parentPort: NodeParentPort | null;
  };
  if (parentPort === null) return; // imported on a main thread: nothing to serve
  const post: Post = (message) => parentPort.postMessage(message);
  nodePort = parentPort;
  parentPort.on("message", (message) => runBatch(message, post));
  post({ type: "ready" });
}

await start();
