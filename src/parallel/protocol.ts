/**
 * What the worker pool and its workers say to each other, and how a worker's
 * engine counts (allocation counters and operation metrics) travel back to the
 * main engine.
 *
 * A batch lives in shared memory: signals and Float32 kernels in one
 * `SharedArrayBuffer`, Float64 kernels in another, results in a third, and a
 * task table of {@linkcode TASK_FIELDS} float64 values per pair. Workers take the
 * next pair with `Atomics.add` on a shared cursor, so the load balances itself
 * whatever the pair sizes.
 *
 * @example
 * ```ts
 * import { AllocationCounters } from "../alloc/counters.ts";
 * import { OperationMetrics } from "../metrics/operation_metrics.ts";
 * import { addCounterDelta, counterDelta, snapshotCounters } from "./protocol.ts";
 *
 * const worker = { counters: new AllocationCounters(), metrics: new OperationMetrics() };
 * const before = snapshotCounters(worker);
 * worker.metrics.operations[0] += 3;
 * const main = { counters: new AllocationCounters(), metrics: new OperationMetrics() };
 * addCounterDelta(main, counterDelta(worker, before));
 * console.log(main.metrics.operations[0]); // 3
 * ```
 *
 * @module
 */

import type { AllocationCounters } from "../alloc/counters.ts";
import { addCounts, flattenCounts } from "../metrics/counts.ts";
import type { OperationMetrics } from "../metrics/operation_metrics.ts";

/** Float64 values per task: signal offset, n, kernel offset, m, kernel is f64, output offset. */
export const TASK_FIELDS = 6;

/** Main -> worker: run the tasks of one batch. */
export interface BatchMessage {
  /** Message kind. */
  type: "batch";
  /** Batch id, echoed in the reply. */
  id: number;
  /** Signals and Float32 kernels. */
  f32: SharedArrayBuffer;
  /** Float64 kernels. */
  f64: SharedArrayBuffer;
  /** Results (Float32). */
  out: SharedArrayBuffer;
  /** Task table (Float64, {@linkcode TASK_FIELDS} per task). */
  tasks: SharedArrayBuffer;
  /**
   * Int32 `[next task to take, tasks whose signal is copied in]`: the main thread
   * copies signals after posting the batch, so a worker waits (`Atomics.wait`)
   * until the task it took is ready.
   */
  cursor: SharedArrayBuffer;
  /** Number of tasks. */
  count: number;
  /**
   * Testing hook: the worker dies after this many tasks ("throw": uncaught error,
   * "exit": `process.exit(3)`, "close": it closes its port and ends quietly,
   * "terminate": it asks to be terminated from the main thread, then idles).
   */
  crash?: { after: number; how: "throw" | "exit" | "close" | "terminate" };
}

/** Worker -> main. */
export type WorkerReply =
  | { type: "ready" }
  | { type: "done"; id: number; tasks: number; counters: Float64Array }
  | { type: "failed"; id: number; message: string }
  /** Testing hook: terminate me without telling the pool (see `crash`). */
  | { type: "terminate-me"; id: number };

/**
 * Where a worker's counts come from and go to: an engine's allocation counters and
 * operation metrics (an `AllocationEngine` is one). Both hold counts only, so they
 * are carried field by field without this module knowing the fields.
 */
export interface CountSink {
  /** Allocation counters. */
  readonly counters: AllocationCounters;
  /** Operation counts and latency histogram. */
  readonly metrics: OperationMetrics;
}

function countSets(sink: CountSink): readonly object[] {
  return [sink.counters, sink.metrics];
}

/** All counts of `sink`, flattened into one array. */
export function snapshotCounters(sink: CountSink): Float64Array {
  return flattenCounts(countSets(sink));
}

/** What the counts of `sink` gained since `before` (a {@linkcode snapshotCounters} result). */
export function counterDelta(sink: CountSink, before: Float64Array): Float64Array {
  const after = snapshotCounters(sink);
  for (let i = 0; i < after.length; i++) after[i] -= before[i];
  return after;
}

/**
 * Adds a {@linkcode counterDelta} from another engine (a worker's) into `sink`.
 *
 * @throws {RangeError} when the delta has the wrong length (nothing is added).
 */
export function addCounterDelta(sink: CountSink, delta: Float64Array): void {
  addCounts(countSets(sink), delta, "addCounterDelta");
}
