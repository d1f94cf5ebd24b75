/**
 * The browser build's stand-in for `worker_pool.ts`: bundlers that follow the
 * package's `browser` field (esbuild, webpack, Rollup, Vite, `bun build --target
 * browser`) put this module in its place, so a browser bundle has no `node:`
 * import. Parallel batches need worker threads started from this package's worker
 * file and shared memory (`SharedArrayBuffer`), which a page or an AudioWorklet
 * cannot provide in the same way; so every entry point here fails with an `Error`
 * that says what it needs and what to use instead
 * (`BatchOperations.convolutionBatch`, on the calling thread).
 *
 * @example
 * ```ts
 * import { convolutionBatchParallel } from "./worker_pool_browser.ts";
 * const x = new Float32Array([1, 2, 3]);
 * await convolutionBatchParallel([[x, x]]).catch((error) => console.log(error.message));
 * // convolutionBatchParallel: needs worker threads (Deno, Bun or Node); ...
 * ```
 *
 * @module
 */

import type { ConvolutionPair } from "../batch.ts";
import type { ParallelBatchOptions, WorkerPoolOptions } from "./worker_pool.ts";

export type { ParallelBatchOptions, WorkerPoolOptions } from "./worker_pool.ts";

/**
 * The error of every parallel entry point in the browser build.
 *
 * @example
 * ```ts
 * import { parallelUnavailableError } from "./worker_pool_browser.ts";
 * console.log(parallelUnavailableError("WorkerPool").message);
 * ```
 */
export function parallelUnavailableError(caller: string): Error {
  return new Error(
    `${caller}: needs worker threads (Deno, Bun or Node); this is convpool's browser build, ` +
      "which has no parallel batches: use BatchOperations.convolutionBatch on the calling " +
      "thread, or run the batch on a server",
  );
}

/**
 * Browser build: always rejects with {@linkcode parallelUnavailableError}.
 *
 * @example
 * ```ts
 * import { convolutionBatchParallel } from "./worker_pool_browser.ts";
 * await convolutionBatchParallel([]).catch(() => "use BatchOperations.convolutionBatch");
 * ```
 */
export function convolutionBatchParallel(
  _pairs: readonly ConvolutionPair[],
  _options?: ParallelBatchOptions,
): Promise<Float32Array[]> {
  return Promise.reject(parallelUnavailableError("convolutionBatchParallel"));
}

/**
 * Browser build: nothing to close.
 *
 * @example
 * ```ts
 * import { closeParallelWorkers } from "./worker_pool_browser.ts";
 * closeParallelWorkers();
 * ```
 */
export function closeParallelWorkers(): void {}

/**
 * Browser build: constructing a pool throws {@linkcode parallelUnavailableError}.
 *
 * @example
 * ```ts
 * import { WorkerPool } from "./worker_pool_browser.ts";
 * try {
 *   new WorkerPool();
 * } catch (error) {
 *   console.log((error as Error).message);
 * }
 * ```
 */
export class WorkerPool {
  /** @throws {Error} always: the browser build has no worker threads. */
  constructor(_options?: WorkerPoolOptions) {
    throw parallelUnavailableError("WorkerPool");
  }
}
