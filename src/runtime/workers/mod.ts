/**
 * Worker threads on whichever runtime is running: Web Workers on Bun (`bun.ts`),
 * `node:worker_threads` on Node and Deno (`threads.ts`); the worker's side is
 * `parent.ts`. Whatever the runtime, a worker's death (an uncaught error, an
 * exit, a `close`, or a termination its owner did not ask for) reaches
 * {@linkcode WorkerListeners.failure} once. Browser bundles never reach this
 * module: the package's `browser` field swaps the worker pool for its stand-in.
 *
 * @example
 * ```ts
 * import { spawnWorker } from "./mod.ts";
 * const worker = await spawnWorker("parallel/worker", {
 *   message: (reply) => console.log(reply), // { type: "ready" }
 *   failure: (reason) => console.error(reason),
 * });
 * worker.terminate();
 * ```
 *
 * @module
 */

import { typeError } from "../../validate.ts";
import { bunWorkerConstructor, spawnBunWorker } from "./bun.ts";
import type { WorkerEvents, WorkerHandle, WorkerListeners } from "./handle.ts";
import { connectToParent, type ParentPort } from "./parent.ts";
import { spawnThreadWorker } from "./threads.ts";

export { connectToParent, type ParentPort, type WorkerHandle, type WorkerListeners };

/**
 * The URL of the module `entry` (a path under `src/` without its extension, such
 * as `"parallel/worker"`), with the extension of `base` (default: this module):
 * `.ts` when running from source, `.js` in the npm package.
 *
 * @throws {TypeError} when `entry` is not such a path.
 * @example
 * ```ts
 * import { sourceModuleUrl } from "./mod.ts";
 * const url = sourceModuleUrl("parallel/worker", "file:///pkg/src/runtime/workers/mod.js");
 * console.log(url.href); // "file:///pkg/src/parallel/worker.js"
 * ```
 */
export function sourceModuleUrl(entry: string, base: string = import.meta.url): URL {
  if (typeof entry !== "string" || !/^[a-z_]+(?:\/[a-z_]+)*$/.test(entry)) {
    throw typeError(
      "sourceModuleUrl",
      "entry",
      'a module path under src/ without extension, such as "parallel/worker"',
      entry,
    );
  }
  const extension = /\.[cm]?[jt]s$/.exec(new URL(base).pathname)?.[0] ?? ".js";
  return new URL(`../../${entry}${extension}`, base);
}

/**
 * Starts the module `entry` (a path under `src/`, see {@linkcode sourceModuleUrl})
 * as a worker of this runtime and resolves once it is created (not once it has
 * loaded: have the worker post a first message for that). Messages it posts go to
 * `listeners.message`; its death, whatever the way, to `listeners.failure`, once,
 * unless the owner terminated it with {@linkcode WorkerHandle.terminate}.
 *
 * @throws {TypeError} (as a rejection) when `entry` is not a module path under `src/`.
 * @example
 * ```ts
 * import { spawnWorker } from "./mod.ts";
 * const worker = await spawnWorker<never, { type: string }>("parallel/worker", {
 *   message: (reply) => console.log(reply.type), // "ready"
 *   failure: (reason) => console.error(reason),
 * });
 * worker.unref();
 * worker.terminate(); // asked for: no failure is reported
 * ```
 */
export async function spawnWorker<Message, Reply>(
  entry: string,
  listeners: WorkerListeners<Reply>,
): Promise<WorkerHandle<Message>> {
  const url = sourceModuleUrl(entry);
  // Whether a death is still news: false once reported or once the owner terminates.
  let alive = true;
  const events: WorkerEvents<Reply> = {
    message: (reply) => listeners.message(reply),
    died: (reason) => {
      if (!alive) return;
      alive = false;
      listeners.failure(reason);
    },
  };
  const Bun = bunWorkerConstructor();
  const worker = Bun !== undefined
    ? spawnBunWorker<Message, Reply>(Bun, url, events)
    : await spawnThreadWorker<Message, Reply>(url, events);
  return {
    post: (message) => worker.post(message),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => {
      alive = false;
      worker.terminate();
    },
    terminateUnannounced: () => worker.terminate(),
  };
}

/**
 * The number of logical cores the runtime reports (`navigator.hardwareConcurrency`),
 * or `fallback` when it reports none.
 *
 * @example
 * ```ts
 * import { logicalCores } from "./mod.ts";
 * console.log(logicalCores(2) >= 1); // true
 * ```
 */
export function logicalCores(fallback: number, scope: object = globalThis): number {
  const cores = (scope as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return typeof cores === "number" && cores >= 1 ? cores : fallback;
}
