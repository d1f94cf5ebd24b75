/**
 * What the worker pool and its workers say to each other, and how a worker's
 * engine counters travel back to the main engine.
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
 * import { addCounterDelta, counterDelta, snapshotCounters } from "./protocol.ts";
 *
 * const worker = new AllocationCounters();
 * const before = snapshotCounters(worker);
 * worker.operations[0] += 3;
 * const main = new AllocationCounters();
 * addCounterDelta(main, counterDelta(worker, before));
 * console.log(main.operations[0]); // 3
 * ```
 *
 * @module
 */

import type { AllocationCounters } from "../alloc/counters.ts";

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
 * Counters that accumulate (and therefore can be summed across engines). The
 * pool's levels (idle/in-use buffers) describe each worker's own pool and are not
 * carried over.
 */
const ACCUMULATING_FIELDS = [
  "allocations",
  "allocatedBytes",
  "heapReasons",
  "poolHits",
  "poolMisses",
  "releases",
  "evictedBytes",
  "pressureEvents",
  "misuse",
  "operations",
  "durationBuckets",
  "durationSum",
  "durationCount",
] as const;

function totalLength(counters: AllocationCounters): number {
  let length = 1; // stackOverflows
  for (const field of ACCUMULATING_FIELDS) length += counters[field].length;
  return length;
}

/** All accumulating counters of an engine, flattened into one array. */
export function snapshotCounters(counters: AllocationCounters): Float64Array {
  const flat = new Float64Array(totalLength(counters));
  let offset = 0;
  for (const field of ACCUMULATING_FIELDS) {
    flat.set(counters[field], offset);
    offset += counters[field].length;
  }
  flat[offset] = counters.stackOverflows;
  return flat;
}

/** What the counters gained since `before` (a {@linkcode snapshotCounters} result). */
export function counterDelta(counters: AllocationCounters, before: Float64Array): Float64Array {
  const after = snapshotCounters(counters);
  for (let i = 0; i < after.length; i++) after[i] -= before[i];
  return after;
}

/** Adds a {@linkcode counterDelta} from another engine (a worker's) into `counters`. */
export function addCounterDelta(counters: AllocationCounters, delta: Float64Array): void {
  if (delta.length !== totalLength(counters)) {
    throw new RangeError(
      `addCounterDelta: expected ${totalLength(counters)} values, received ${delta.length}`,
    );
  }
  let offset = 0;
  for (const field of ACCUMULATING_FIELDS) {
    const target = counters[field];
    for (let i = 0; i < target.length; i++) target[i] += delta[offset + i];
    offset += target.length;
  }
  counters.stackOverflows += delta[offset];
}
