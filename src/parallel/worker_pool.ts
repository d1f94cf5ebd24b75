/**
 * Parallel batches: a pool of workers convolves the pairs of a batch across
 * cores, with inputs and results in shared memory (`SharedArrayBuffer`).
 *
 * - Workers are started by the runtime adapter (`src/runtime/workers/`): Web
 *   Workers on Bun, `node:worker_threads` on Node and Deno, running `worker.ts`
 *   (`.js` in the npm package).
 * - Workers take pairs one at a time from a shared cursor, so uneven pairs
 *   balance themselves.
 * - A worker that dies, whatever the way (an uncaught error, `process.exit`, or
 *   a `terminate()` from outside the pool), is noticed on every runtime (the
 *   adapter reports it once). The batches in flight reject with an `Error` naming the worker and how it
 *   died; the pool then terminates its workers and starts fresh ones for the
 *   next batch.
 * - While no batch is in flight the workers are unref'd: they never keep the
 *   process alive. {@linkcode WorkerPool.close} terminates them.
 * - Each worker computes on its own engine; after each batch it sends what that
 *   engine's accumulating counters gained (operations as `batch`, allocations,
 *   pool requests, latency histogram) and the pool adds it to the batch's engine,
 *   so `/metrics` and `getStats()` of that engine include the workers' work.
 *
 * @example
 * ```ts
 * import { convolutionBatchParallel } from "./worker_pool.ts";
 *
 * const kernel = new Float32Array(255).fill(1 / 255);
 * const pairs: [Float32Array, Float32Array][] = [];
 * for (let i = 0; i < 64; i++) pairs.push([new Float32Array(65536).fill(i), kernel]);
 * const results = await convolutionBatchParallel(pairs); // Float32Array[], in order
 * ```
 *
 * @module
 */

import type { AllocationEngine } from "../alloc/engine.ts";
import { resolveEngine } from "../convolve.ts";
import { assertConvolutionPair, type ConvolutionPair } from "../batch.ts";
import type { Float } from "../types.ts";
import { logicalCores, spawnWorker, type WorkerHandle } from "../runtime/workers/mod.ts";
import { MAX_OUTPUT_LENGTH, rangeError, typeError } from "../validate.ts";
import {
  addCounterDelta,
  type BatchMessage,
  type CountSink,
  TASK_FIELDS,
  type WorkerReply,
} from "./protocol.ts";
import { WORKER_POOL_TEST_SETTINGS } from "./crash_injection.ts";

/** Options of {@linkcode convolutionBatchParallel} and {@linkcode WorkerPool.run}. */
export interface ParallelBatchOptions {
  /**
   * Number of workers (default: the number of logical cores). With
   * {@linkcode convolutionBatchParallel} the shared pool is resized to it.
   */
  workers?: number;
  /** Engine whose counters receive the workers' counts (default: the default engine). */
  engine?: AllocationEngine;
  /**
   * Recycle result memory (default `false`): write the results into the memory
   * of this pool's previous recycled batch. Fresh shared memory costs a page fault
   * per 4 KiB on first write, which for a large batch is a good part of the work;
   * with `recycle: true` the results are valid only until the next recycled batch
   * on the same pool starts (copy what you keep). With the engine's `debug: true`,
   * that memory is filled with NaN instead of reused, so a stale read shows.
   * Without `recycle`, results are fresh memory that is the caller's, never reused.
   */
  recycle?: boolean;
}

/** Options of {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of workers (default: the number of logical cores). */
  workers?: number;
}

function checkWorkerCount(value: unknown, caller: string): number {
  if (value === undefined) return logicalCores(2);
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 256) {
    throw rangeError(caller, "workers", "an integer from 1 to 256", value);
  }
  return value;
}

interface Slot {
  handle: WorkerHandle<BatchMessage> | null;
  ready: Promise<void>;
}

interface PendingBatch {
  remaining: number;
  /** Where the workers' counts go: the batch's engine's counters and metrics. */
  counts: CountSink;
  resolve(): void;
  reject(error: Error): void;
}

/** The shared-memory image of a batch. */
interface PackedBatch {
  message: Omit<BatchMessage, "id">;
  results: Float32Array[];
  /** Copies the signals in, publishing progress for the workers (call after posting). */
  fill(): void;
}

function checkPairs(pairs: unknown, caller: string): readonly ConvolutionPair[] {
  if (!Array.isArray(pairs)) {
    throw typeError(caller, "pairs", "an array", pairs);
  }
  for (let i = 0; i < pairs.length; i++) {
    const pair: unknown = pairs[i];
    assertConvolutionPair(pair, i, caller);
    if (pair[0].length + pair[1].length - 1 > MAX_OUTPUT_LENGTH) {
      throw rangeError(
        caller,
        `the output of pairs[${i}]`,
        `at most ${MAX_OUTPUT_LENGTH} elements long`,
        pair[0].length + pair[1].length - 1,
      );
    }
  }
  return pairs as readonly ConvolutionPair[];
}

/**
 * Shared input memory, kept between batches (grow-only): fresh memory costs a
 * page fault per 4 KiB on first touch, which the copying thread would pay alone.
 */
interface InputArena {
  f32: SharedArrayBuffer;
  f64: SharedArrayBuffer;
  tasks: SharedArrayBuffer;
  cursor: SharedArrayBuffer;
}

function newArena(): InputArena {
  return {
    f32: new SharedArrayBuffer(0),
    f64: new SharedArrayBuffer(0),
    tasks: new SharedArrayBuffer(0),
    cursor: new SharedArrayBuffer(8),
  };
}

function atLeast(buffer: SharedArrayBuffer, bytes: number): SharedArrayBuffer {
  // Grow by half again (in whole 8-byte units), so that slowly growing batches do not reallocate each time.
  return buffer.byteLength >= bytes ? buffer : new SharedArrayBuffer(Math.ceil(bytes * 0.1875) * 8);
}

/** Copies the pairs into shared memory; kernels used by several pairs are copied once. */
function pack(
  pairs: readonly ConvolutionPair[],
  arena: InputArena,
  recycledOut: SharedArrayBuffer | null,
): PackedBatch {
  const f32Offsets = new Map<Float, number>();
  const f64Offsets = new Map<Float, number>();
  let f32Length = 0;
  let f64Length = 0;
  let outLength = 0;
  for (const [signal, kernel] of pairs) {
    f32Length += signal.length;
    if (kernel instanceof Float64Array) {
      if (!f64Offsets.has(kernel)) {
        f64Offsets.set(kernel, f64Length);
        f64Length += kernel.length;
      }
    } else if (!f32Offsets.has(kernel)) {
      f32Offsets.set(kernel, -1);
    }
    outLength += signal.length + kernel.length - 1;
  }
  for (const kernel of f32Offsets.keys()) {
    f32Offsets.set(kernel, f32Length);
    f32Length += kernel.length;
  }
  arena.f32 = atLeast(arena.f32, f32Length * 4);
  arena.f64 = atLeast(arena.f64, f64Length * 8);
  arena.tasks = atLeast(arena.tasks, pairs.length * TASK_FIELDS * 8);
  const out = recycledOut !== null && recycledOut.byteLength >= outLength * 4
    ? recycledOut
    : new SharedArrayBuffer(outLength * 4);
  const f32View = new Float32Array(arena.f32);
  const f64View = new Float64Array(arena.f64);
  const outView = new Float32Array(out);
  const table = new Float64Array(arena.tasks);
  const cursor = new Int32Array(arena.cursor);
  cursor[0] = 0;
  cursor[1] = 0;
  for (const [kernel, offset] of f32Offsets) f32View.set(kernel, offset);
  for (const [kernel, offset] of f64Offsets) f64View.set(kernel, offset);
  const results: Float32Array[] = new Array(pairs.length);
  let signalOffset = 0;
  let outOffset = 0;
  for (let i = 0; i < pairs.length; i++) {
    const [signal, kernel] = pairs[i];
    const isF64 = kernel instanceof Float64Array;
    const t = i * TASK_FIELDS;
    table[t] = signalOffset;
    table[t + 1] = signal.length;
    table[t + 2] = (isF64 ? f64Offsets : f32Offsets).get(kernel)!;
    table[t + 3] = kernel.length;
    table[t + 4] = isF64 ? 1 : 0;
    table[t + 5] = outOffset;
    const length = signal.length + kernel.length - 1;
    results[i] = outView.subarray(outOffset, outOffset + length);
    signalOffset += signal.length;
    outOffset += length;
  }
  // Signals are copied after the batch is posted, one by one, publishing the count
  // in cursor[1]: workers start on the first pairs while the rest are still copied.
  const fill = (): void => {
    for (let i = 0; i < pairs.length; i++) {
      f32View.set(pairs[i][0], table[i * TASK_FIELDS]);
      Atomics.store(cursor, 1, i + 1);
      Atomics.notify(cursor, 1);
    }
  };
  return {
    fill,
    message: {
      type: "batch",
      f32: arena.f32,
      f64: arena.f64,
      out,
      tasks: arena.tasks,
      cursor: arena.cursor,
      count: pairs.length,
    },
    results,
  };
}

/**
 * A pool of convolution workers. Most code uses {@linkcode convolutionBatchParallel}
 * (one shared pool); make your own pool to isolate tenants or to close it
 * deterministically.
 */
export class WorkerPool {
  #size: number;
  #slots: Slot[] = [];
  #pending = new Map<number, PendingBatch>();
  #nextId = 1;
  #closed = false;
  /** Input memory not used by a batch in flight (one kept; concurrent batches get their own). */
  #idleArena: InputArena | null = newArena();
  /** Result memory of the last recycled batch (null while a recycled batch is in flight). */
  #recycledOut: SharedArrayBuffer | null = null;

  /** @throws {RangeError} when `workers` is not an integer from 1 to 256. */
  constructor(options?: WorkerPoolOptions) {
    this.#size = checkWorkerCount(options?.workers, "WorkerPool");
  }

  /** Number of workers the pool runs batches on. */
  get size(): number {
    return this.#size;
  }

  /** Number of workers currently started (0 before the first batch and after a crash). */
  get started(): number {
    return this.#slots.length;
  }

  /**
   * Changes the number of workers; extra workers are terminated, missing ones
   * start with the next batch.
   *
   * @throws {RangeError} when `workers` is not an integer from 1 to 256.
   */
  resize(workers: number): void {
    this.#size = checkWorkerCount(workers, "WorkerPool.resize");
    while (this.#slots.length > this.#size) this.#slots.pop()!.handle?.terminate();
  }

  /**
   * Convolves every pair (full mode) across the workers and resolves with the
   * results in order: `Float32Array` views into one `SharedArrayBuffer` that the
   * caller owns (not pool buffers: nothing to release; keeping one result keeps
   * the batch's result memory alive), unless `recycle` (see
   * {@linkcode ParallelBatchOptions.recycle}).
   *
   * @throws {TypeError} (as a rejection) on malformed pairs, a bad engine or a closed pool.
   * @throws {Error} (as a rejection) when a worker crashes; the next batch starts fresh workers.
   */
  async run(
    pairs: readonly ConvolutionPair[],
    options?: ParallelBatchOptions,
  ): Promise<Float32Array[]> {
    const caller = "convolutionBatchParallel";
    if (this.#closed) throw new TypeError(`${caller}: the worker pool is closed`);
    const crash = WORKER_POOL_TEST_SETTINGS.nextCrash.get(this);
    if (crash !== undefined) WORKER_POOL_TEST_SETTINGS.nextCrash.delete(this);
    const checked = checkPairs(pairs, caller);
    const engine = resolveEngine(options?.engine, caller);
    if (options?.workers !== undefined) this.resize(options.workers);
    if (checked.length === 0) return [];
    const slots = await this.#start();
    const arena = this.#idleArena ?? newArena();
    this.#idleArena = null;
    const recycle = options?.recycle === true;
    const recycled = recycle ? this.#recycledOut : null;
    if (recycled !== null && engine.config.debug) new Float32Array(recycled).fill(NaN);
    const reused = engine.config.debug ? null : recycled;
    const { message, results, fill } = pack(checked, arena, reused);
    if (recycle) this.#recycledOut = null;
    const id = this.#nextId++;
    const done = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, {
        remaining: slots.length,
        counts: { counters: engine.counters, metrics: engine.metrics },
        resolve,
        reject,
      });
    });
    for (const slot of slots) slot.handle!.ref();
    for (let i = 0; i < slots.length; i++) {
      slots[i].handle!.post(
        i === 0 && crash !== undefined ? { ...message, id, crash } : { ...message, id },
      );
    }
    fill();
    try {
      await done;
    } finally {
      if (this.#pending.size === 0) { for (const slot of this.#slots) slot.handle?.unref(); }
    }
    // Only after success: a crashed batch may still have a worker reading its inputs.
    this.#idleArena = arena;
    if (recycle) this.#recycledOut = message.out;
    return results;
  }

  /** Terminates every worker; later batches reject. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#fail("the worker pool was closed");
  }

  async #start(): Promise<Slot[]> {
    while (this.#slots.length < this.#size) {
      const index = this.#slots.length;
      const slot: Slot = { handle: null, ready: Promise.resolve() };
      this.#slots.push(slot);
      slot.ready = new Promise<void>((resolve, reject) => {
        spawnWorker<BatchMessage, WorkerReply>("parallel/worker", {
          message: (reply) => {
            if (reply.type === "ready") resolve();
            else if (reply.type === "terminate-me") slot.handle?.terminateUnannounced();
            else this.#onReply(reply);
          },
          failure: (reason) => {
            const error = `worker ${index} crashed: ${reason}`;
            reject(new Error(`convolutionBatchParallel: ${error}`));
            if (this.#slots[index] === slot) this.#fail(error);
          },
        }).then((handle) => {
          if (this.#slots[index] === slot) slot.handle = handle;
          else handle.terminate(); // the pool was reset while this worker started
        }, (error: unknown) => {
          reject(error);
          if (this.#slots[index] === slot) this.#fail(`worker ${index} did not start: ${error}`);
        });
      });
    }
    const slots = this.#slots.slice();
    await Promise.all(slots.map((slot) => slot.ready));
    return slots;
  }

  #onReply(reply: WorkerReply): void {
    if (reply.type === "ready" || reply.type === "terminate-me") return;
    const batch = this.#pending.get(reply.id);
    if (batch === undefined) return;
    if (reply.type === "failed") {
      this.#pending.delete(reply.id);
      batch.reject(new Error(`convolutionBatchParallel: a worker failed: ${reply.message}`));
      return;
    }
    addCounterDelta(batch.counts, reply.counters);
    if (--batch.remaining === 0) {
      this.#pending.delete(reply.id);
      batch.resolve();
    }
  }

  /** Rejects every batch in flight and terminates all workers (fresh ones start next time). */
  #fail(reason: string): void {
    const slots = this.#slots;
    this.#slots = [];
    for (const slot of slots) slot.handle?.terminate();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const batch of pending) {
      batch.reject(
        new Error(
          `convolutionBatchParallel: ${reason}; the batch was abandoned and the pool will ` +
            `start fresh workers for the next one`,
        ),
      );
    }
  }
}

let sharedPool: WorkerPool | null = null;

/**
 * Convolves every `[signal, kernel]` pair (full mode) on a shared pool of workers
 * (see the module docs) and resolves with the results in order, as
 * `Float32Array`s the caller owns (views into one `SharedArrayBuffer`). Worth it
 * for batches whose total work is well above a millisecond; small batches are
 * faster with `BatchOperations.convolutionBatch` on the calling thread.
 *
 * @throws {TypeError} (as a rejection) on malformed pairs or a bad engine.
 * @throws {RangeError} (as a rejection) on empty signals or kernels or a bad worker count.
 * @throws {Error} (as a rejection) when a worker crashes; the next batch starts fresh workers.
 */
export function convolutionBatchParallel(
  pairs: readonly ConvolutionPair[],
  options?: ParallelBatchOptions,
): Promise<Float32Array[]> {
  try {
    sharedPool ??= new WorkerPool({ workers: options?.workers });
  } catch (error) {
    return Promise.reject(error);
  }
  return sharedPool.run(pairs, options);
}

/** Terminates the shared pool's workers (they are unref'd while idle, so this is optional). */
export function closeParallelWorkers(): void {
  sharedPool?.close();
  sharedPool = null;
}
