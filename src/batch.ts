/**
 * Batches of full-mode `Float32Array` convolutions (the seed-style
 * `BatchOperations`), on the default engine or one passed in.
 *
 * @example
 * ```ts
 * import { BatchOperations } from "./batch.ts";
 * import { getDefaultEngine } from "./default_engine.ts";
 * const engine = getDefaultEngine();
 * const kernel = new Float32Array([0.25, 0.5, 0.25]);
 * const pairs: [Float32Array, Float32Array][] = [[new Float32Array(8), kernel], [new Float32Array(16), kernel]];
 * const results = BatchOperations.convolutionBatch(pairs, { reuseBuffers: false });
 * console.log(results.map((r) => r.length)); // [10, 18]: plain arrays, yours
 * for (const batch of BatchOperations.convolutionStream(pairs, 1)) {
 *   console.log(batch[0].length); // 10, then 18: pool buffers, yours
 *   batch.forEach((result) => engine.release(result)); // give them back: the next batch reuses them
 * }
 *
 * // An async source (async generator, ReadableStream of pairs) gives an async generator.
 * async function* arriving() {
 *   yield* pairs;
 * }
 * for await (const batch of BatchOperations.convolutionStream(arriving(), 2)) {
 *   console.log(batch.length); // 2
 * }
 * ```
 *
 * @module
 */

import type { AllocationEngine } from "./alloc/engine.ts";
import {
  executeOperation,
  fullConvolution,
  type OperationRequest,
  resolveEngine,
} from "./convolve.ts";
import { OPERATION_INDEX } from "./metrics/operation_metrics.ts";
import { CachedWorkspace } from "./kernels/workspace.ts";
import { acquireResultFloat32 } from "./result_buffer.ts";
import type { Float } from "./types.ts";
import { assertNonEmptyFloat, rangeError, typeError } from "./validate.ts";

/** A signal and the kernel to convolve it with. */
export type ConvolutionPair = readonly [signal: Float32Array, kernel: Float];

/** Options of {@linkcode BatchOperations.convolutionBatch}. */
export interface BatchOptions {
  /**
   * Results come from the engine's pool (default `true`). They are yours: the
   * library never takes them back. Give each back with `engine.release` /
   * `BufferUtils.releaseBuffer` when you are done with it, and later calls reuse
   * its memory (what is reused is only what you gave back). A result you never
   * give back stays yours; the garbage collector frees it and the engine counts
   * it under `misuse.leaked`, as any pool buffer. `false` returns plain arrays,
   * with nothing to give back.
   */
  reuseBuffers?: boolean;
  /**
   * Acquire every result before computing any (default `false`), so that the pool
   * decisions of the batch happen together, up front. Results are yours either way.
   */
  preAllocateResults?: boolean;
  /**
   * Kernel scratch comes from the engine's shared stack arena and pool, reused pair
   * after pair (default `true`). `false` gives each pair fresh, private heap scratch:
   * only useful to compare against, or to isolate a suspected scratch problem.
   * Only scratch is concerned: results are never scratch.
   */
  useSharedWorkspace?: boolean;
  /** Engine to use (default: the process-wide default engine). */
  engine?: AllocationEngine;
}

/** Options of {@linkcode BatchOperations.convolutionStream}. */
export interface StreamOptions {
  /**
   * Results come from the engine's pool (default `true`), as with
   * {@linkcode BatchOptions.reuseBuffers}. They are yours: the generator never
   * takes them back. Give each back with `engine.release` /
   * `BufferUtils.releaseBuffer` when you are done with it, and the next batches
   * reuse its memory, so a stream whose results you give back batch after batch
   * holds about one batch of pool memory however long the input. A result you
   * never give back stays yours (garbage-collected, and counted under
   * `misuse.leaked` as any pool buffer). `false` yields plain arrays, with
   * nothing to give back.
   */
  reuseBuffers?: boolean;
  /**
   * Recycle the results (default `false`): reuse result memory without giving
   * anything back yourself. The generator then gives each batch's results back to
   * the pool itself, when you ask for the next batch (once that batch is computed),
   * and later batches reuse that memory. A batch is valid only until you ask for
   * the next one: copy what you keep, and do not release these results yourself.
   * Pool memory stays bounded by two batches. With the engine's `debug: true`, a
   * recycled result reads as NaN until a later batch reuses it, so reading a batch
   * during the next one, or after the loop, shows NaN rather than silent data.
   * Recycled results always come from the pool (`reuseBuffers` is ignored).
   */
  recycle?: boolean;
  /** Engine to use (default: the process-wide default engine). */
  engine?: AllocationEngine;
}

/**
 * Checks `pair`, the `index`-th of a batch that `caller` received: a
 * `[signal, kernel]` array of a non-empty `Float32Array` signal and a non-empty
 * `Float32Array` or `Float64Array` kernel.
 *
 * @throws {TypeError} when `pair` is not such an array, quoting what it holds.
 * @throws {RangeError} when the signal or the kernel is empty.
 * @example
 * ```ts
 * import { assertConvolutionPair } from "./batch.ts";
 * const x = new Float32Array([1, 2, 3]);
 * assertConvolutionPair([x, x], 0, "myBatch"); // passes
 * try {
 *   assertConvolutionPair([x], 1, "myBatch");
 * } catch (error) {
 *   console.log((error as Error).message); // "myBatch: pairs[1] must be a [signal, kernel] array, ..."
 * }
 * ```
 */
export function assertConvolutionPair(
  pair: unknown,
  index: number,
  caller: string,
): asserts pair is ConvolutionPair {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw typeError(caller, `pairs[${index}]`, "a [signal, kernel] array", pair);
  }
  if (!(pair[0] instanceof Float32Array)) {
    throw typeError(caller, `pairs[${index}][0] (the signal)`, "a Float32Array", pair[0]);
  }
  assertNonEmptyFloat(pair[0], `pairs[${index}][0] (the signal)`, caller);
  assertNonEmptyFloat(pair[1], `pairs[${index}][1] (the kernel)`, caller);
}

function checkBatchSize(batchSize: unknown, caller: string): number {
  if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize < 1) {
    throw rangeError(caller, "batchSize", "a positive integer", batchSize);
  }
  return batchSize;
}

function convolutionBatch(
  pairs: readonly ConvolutionPair[],
  options?: BatchOptions,
): Float32Array[] {
  const caller = "convolutionBatch";
  if (!Array.isArray(pairs)) {
    throw typeError(caller, "pairs", "an array", pairs);
  }
  const engine = resolveEngine(options?.engine, caller);
  const reuseBuffers = options?.reuseBuffers ?? true;
  const shared = options?.useSharedWorkspace ?? true;
  const request = fullConvolution(caller, OPERATION_INDEX.batch);
  // Every pair is checked before any buffer is taken, so a bad pair costs nothing.
  for (let i = 0; i < pairs.length; i++) assertConvolutionPair(pairs[i], i, caller);
  const results: Float32Array[] = new Array(pairs.length);
  const take = (i: number): Float32Array => {
    const length = pairs[i][0].length + pairs[i][1].length - 1;
    return reuseBuffers ? acquireResultFloat32(engine, length) : new Float32Array(length);
  };
  let taken = 0;
  try {
    if (options?.preAllocateResults) {
      for (; taken < pairs.length; taken++) results[taken] = take(taken);
    }
    for (let i = 0; i < pairs.length; i++) {
      if (i >= taken) results[taken++] = take(i);
      executeOperation(
        pairs[i][0],
        pairs[i][1],
        results[i],
        engine,
        shared ? request : { ...request, scratch: new CachedWorkspace() },
      );
    }
  } catch (error) {
    if (reuseBuffers) { for (let i = 0; i < taken; i++) engine.release(results[i]); }
    throw error;
  }
  return results;
}

/** Per-stream state shared by the sync and async generators. */
interface StreamState {
  engine: AllocationEngine;
  /** What each pair's operation computes (built once per stream). */
  request: OperationRequest;
  /** Results come from the pool (else plain arrays). */
  pooled: boolean;
  /** The generator gives each yielded batch back itself (see StreamOptions.recycle). */
  recycle: boolean;
  /** Results computed and not yet yielded: the generator's own until then. */
  batch: Float32Array[];
  /** The last yielded batch, kept only to recycle it. */
  yielded: Float32Array[];
  index: number;
}

function startStream(
  pairs: unknown,
  batchSize: number,
  options: StreamOptions | undefined,
  caller: string,
  asyncAllowed: boolean,
): StreamState {
  checkBatchSize(batchSize, caller);
  const isSync = pairs !== null && pairs !== undefined &&
    typeof (pairs as Iterable<unknown>)[Symbol.iterator] === "function";
  const isAsync = asyncAllowed && pairs !== null && pairs !== undefined &&
    typeof (pairs as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
  if (!isSync && !isAsync) {
    throw typeError(
      caller,
      "pairs",
      asyncAllowed ? "iterable or async iterable" : "iterable",
      pairs,
    );
  }
  const recycle = options?.recycle === true;
  return {
    engine: resolveEngine(options?.engine, caller),
    request: fullConvolution(caller, OPERATION_INDEX.stream),
    pooled: recycle || (options?.reuseBuffers ?? true),
    recycle,
    batch: [],
    yielded: [],
    index: 0,
  };
}

/**
 * Gives buffers that the generator owns back to the pool. Every buffer is given
 * back even if one fails (e.g. a recycled result the caller already released),
 * then the first error is thrown.
 */
function giveBack(state: StreamState, buffers: Float32Array[]): void {
  let failure: unknown = null;
  if (state.pooled) {
    for (const buffer of buffers) {
      try {
        state.engine.release(buffer);
      } catch (error) {
        failure ??= error;
      }
    }
  }
  if (failure !== null) throw failure;
}

/** Convolves one pair into the pending batch; returns the batch to yield when it is full. */
function streamPair(
  state: StreamState,
  pair: unknown,
  batchSize: number,
  caller: string,
): Float32Array[] | null {
  assertConvolutionPair(pair, state.index++, caller);
  const length = pair[0].length + pair[1].length - 1;
  const result = state.pooled
    ? acquireResultFloat32(state.engine, length)
    : new Float32Array(length);
  state.batch.push(result);
  executeOperation(pair[0], pair[1], result, state.engine, state.request);
  return state.batch.length === batchSize ? rotate(state) : null;
}

/**
 * The pending batch becomes the yielded one, which is the caller's from now on.
 * Only when recycling does the previous yielded batch go back to the pool, after
 * the new one is computed (so under `debug` a stale read of it shows NaN).
 */
function rotate(state: StreamState): Float32Array[] {
  const next = state.batch;
  state.batch = [];
  if (state.recycle) {
    const previous = state.yielded;
    state.yielded = next;
    giveBack(state, previous);
  }
  return next;
}

/** When the generator ends: what it still owns goes back (yielded results only if recycled). */
function finish(state: StreamState): void {
  const { batch, yielded } = state;
  state.batch = state.yielded = [];
  try {
    giveBack(state, batch);
  } finally {
    giveBack(state, yielded);
  }
}

function* convolutionStream(
  pairs: Iterable<ConvolutionPair>,
  batchSize: number,
  options?: StreamOptions,
): Generator<Float32Array[], void, undefined> {
  const caller = "convolutionStream";
  const state = startStream(pairs, batchSize, options, caller, false);
  try {
    for (const pair of pairs) {
      const full = streamPair(state, pair, batchSize, caller);
      if (full !== null) yield full;
    }
    if (state.batch.length > 0) yield rotate(state);
  } finally {
    finish(state);
  }
}

async function* convolutionStreamAsync(
  pairs: AsyncIterable<ConvolutionPair> | Iterable<ConvolutionPair>,
  batchSize: number,
  options?: StreamOptions,
  caller = "convolutionStreamAsync",
): AsyncGenerator<Float32Array[], void, undefined> {
  const state = startStream(pairs, batchSize, options, caller, true);
  try {
    // for await reads one pair at a time, so an unbounded source stays lazy.
    for await (const pair of pairs) {
      const full = streamPair(state, pair, batchSize, caller);
      if (full !== null) yield full;
    }
    if (state.batch.length > 0) yield rotate(state);
  } finally {
    finish(state);
  }
}

function isOnlyAsyncIterable(value: unknown): boolean {
  return value !== null && value !== undefined &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function" &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function";
}

function convolutionStreamAny(
  pairs: Iterable<ConvolutionPair> | AsyncIterable<ConvolutionPair>,
  batchSize: number,
  options?: StreamOptions,
): Generator<Float32Array[], void, undefined> | AsyncGenerator<Float32Array[], void, undefined> {
  return isOnlyAsyncIterable(pairs)
    ? convolutionStreamAsync(pairs, batchSize, options, "convolutionStream")
    : convolutionStream(pairs as Iterable<ConvolutionPair>, batchSize, options);
}

/** The seed-style batch API. */
export const BatchOperations: {
  /**
   * Convolves every `[signal, kernel]` pair (full mode) and returns the results in
   * order. All pairs are checked before any work starts. The results are the
   * caller's (pool buffers to give back when done, or plain arrays: see
   * {@linkcode BatchOptions.reuseBuffers}); the library never reuses them behind
   * the caller's back.
   *
   * @throws {TypeError} when `pairs` is not an array or a pair is malformed (the message names its index).
   * @throws {RangeError} on an empty signal or kernel.
   */
  convolutionBatch(pairs: readonly ConvolutionPair[], options?: BatchOptions): Float32Array[];
  /**
   * Lazily convolves the pairs of any iterable (full mode), yielding arrays of up to
   * `batchSize` results. It reads the input only as it goes. Every yielded batch and
   * its results are the caller's: by default pool buffers to give back with
   * `BufferUtils.releaseBuffer` / `engine.release` when done (then later batches
   * reuse them, so memory stays bounded by about one batch whatever the input's
   * length); the generator never takes them back unless asked to with
   * {@linkcode StreamOptions.recycle}.
   *
   * @example
   * ```ts
   * import { BatchOperations, BufferUtils } from "../mod.ts";
   * const kernel = new Float32Array([0.5, 0.5]);
   * const largePairs = Array.from({ length: 200 }, () => [new Float32Array(64), kernel] as const);
   * for (const batch of BatchOperations.convolutionStream(largePairs, 50)) {
   *   batch.forEach((result) => BufferUtils.releaseBuffer(result));
   * }
   * ```
   *
   * @throws {RangeError} when batchSize is not a positive integer (on the first `next()`).
   * @throws {TypeError} when `pairs` is not iterable or a pair is malformed.
   */
  convolutionStream(
    pairs: Iterable<ConvolutionPair>,
    batchSize: number,
    options?: StreamOptions,
  ): Generator<Float32Array[], void, undefined>;
  /**
   * The same over an async iterable (an async generator, a `ReadableStream` of
   * pairs, ...): returns an async generator, to consume with `for await`. Pairs
   * are pulled one at a time. Results are the caller's, as above.
   *
   * @throws {RangeError} when batchSize is not a positive integer (on the first `next()`).
   * @throws {TypeError} when `pairs` is not iterable or a pair is malformed.
   */
  convolutionStream(
    pairs: AsyncIterable<ConvolutionPair>,
    batchSize: number,
    options?: StreamOptions,
  ): AsyncGenerator<Float32Array[], void, undefined>;
  /**
   * {@linkcode BatchOperations.convolutionStream} as an async generator over any
   * iterable, sync or async (results owned the same way: the caller's unless
   * {@linkcode StreamOptions.recycle}).
   *
   * @throws {RangeError} when batchSize is not a positive integer (on the first `next()`).
   * @throws {TypeError} when `pairs` is neither iterable nor async iterable, or a pair is malformed.
   */
  convolutionStreamAsync(
    pairs: AsyncIterable<ConvolutionPair> | Iterable<ConvolutionPair>,
    batchSize: number,
    options?: StreamOptions,
  ): AsyncGenerator<Float32Array[], void, undefined>;
} = Object.freeze({
  convolutionBatch,
  convolutionStream: convolutionStreamAny as never,
  convolutionStreamAsync,
});
