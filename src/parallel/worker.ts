/**
 * Entry point of a worker of the parallel batch pool (started by
 * `worker_pool.ts`, never imported by users). It convolves the tasks of each
 * batch it is sent, taking them one at a time from the shared cursor, and
 * replies with what its engine's counts gained, so that the main engine can
 * report the work.
 *
 * It reaches its parent through the runtime adapter (`src/runtime/workers/`): a
 * Web Worker on Bun, a `node:worker_threads` worker on Node and Deno.
 *
 * @example
 * ```ts
 * // Started by the pool through the runtime adapter:
 * import { spawnWorker } from "../runtime/workers/mod.ts";
 * const worker = await spawnWorker("parallel/worker", { message: console.log, failure: console.error });
 * worker.terminate();
 * ```
 *
 * @module
 */

import { executeOperation, fullConvolution } from "../convolve.ts";
import { getDefaultEngine } from "../default_engine.ts";
import { OPERATION_INDEX } from "../metrics/operation_metrics.ts";
import { connectToParent, type ParentPort } from "../runtime/workers/mod.ts";
import {
  type BatchMessage,
  counterDelta,
  snapshotCounters,
  TASK_FIELDS,
  type WorkerReply,
} from "./protocol.ts";

type Parent = ParentPort<BatchMessage, WorkerReply>;

type CrashHow = NonNullable<BatchMessage["crash"]>["how"];

const BATCH_REQUEST = fullConvolution("convolutionBatchParallel", OPERATION_INDEX.batch);

function runBatch(message: BatchMessage, parent: Parent): void {
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
    parent.post({ type: "failed", id: message.id, message: String(error) });
    return;
  }
  if (message.crash !== undefined) {
    crash(message.crash.how, message.id, parent);
    return;
  }
  parent.post({
    type: "done",
    id: message.id,
    tasks: done,
    counters: counterDelta(engine, before),
  });
}

/** Testing hook: dies the way the batch asks, never replying "done". */
function crash(how: CrashHow, id: number, parent: Parent): void {
  if (how === "exit") return parent.exit(3);
  if (how === "close") return parent.closeQuietly();
  if (how === "terminate") return parent.post({ type: "terminate-me", id });
  // Escapes the message handler: the runtime reports it as the worker's error.
  throw new Error("worker crash requested by a test");
}

const parent = await connectToParent<BatchMessage, WorkerReply>();
// null when imported on a main thread: nothing to serve.
if (parent !== null) {
  parent.onMessage((message) => runBatch(message, parent));
  parent.post({ type: "ready" });
}
