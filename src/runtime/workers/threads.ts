/**
 * Workers on Node and Deno: `node:worker_threads` (Deno's Web Workers cannot be
 * unref'd, its `node:worker_threads` ones can). A worker's death shows as `error`
 * (an uncaught error) and `exit` (any stop, also a termination from elsewhere).
 *
 * Node cannot run a `.ts` worker of a source checkout by itself, and tsx's
 * `--import tsx` hook does not reach a worker's entry module on Node 20; so there
 * the worker starts as a small script that registers tsx's loader, then imports
 * the entry.
 *
 * @example
 * ```ts
 * import { needsTsxBootstrap } from "./threads.ts";
 * console.log(needsTsxBootstrap(new URL("file:///a/worker.js"))); // false
 * ```
 *
 * @module
 */

import { describeExit, describeUncaught, type WorkerEvents, type WorkerThread } from "./handle.ts";

interface NodeWorker {
  on(event: "message", listener: (data: unknown) => void): void;
  on(event: "error", listener: (error: unknown) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  postMessage(message: unknown): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface NodeWorkerThreads {
  Worker: new (url: URL | string, options: { eval?: boolean }) => NodeWorker;
}

/**
 * Whether the entry at `url` needs tsx to start under the runtime of `scope`
 * (default: this runtime's global scope): a `.ts` entry on anything but Deno.
 *
 * @example
 * ```ts
 * import { needsTsxBootstrap } from "./threads.ts";
 * const ts = new URL("file:///a/worker.ts");
 * console.log(needsTsxBootstrap(ts, { Deno: {} })); // false
 * console.log(needsTsxBootstrap(ts, {})); // true
 * ```
 */
export function needsTsxBootstrap(url: URL, scope: object = globalThis): boolean {
  return url.pathname.endsWith(".ts") && (scope as { Deno?: unknown }).Deno === undefined;
}

/**
 * The script that registers tsx's loader and then imports `url`.
 *
 * @throws {Error} when tsx cannot be resolved (the published package never needs it).
 * @example
 * ```ts
 * import { tsxBootstrap } from "./threads.ts";
 * console.log(tsxBootstrap(new URL("file:///a/worker.ts")).includes("tsx.register()")); // true
 * ```
 */
export function tsxBootstrap(url: URL): string {
  let api: string;
  try {
    api = import.meta.resolve("tsx/esm/api");
  } catch {
    throw new Error(
      "convolutionBatchParallel: running convpool from its TypeScript sources under Node " +
        "needs tsx (npm i -D tsx); the published package runs without it",
    );
  }
  return `import(${JSON.stringify(api)}).then((tsx) => tsx.register())` +
    `.then(() => import(${JSON.stringify(url.href)}))`;
}

/**
 * Starts the module at `url` as a `node:worker_threads` worker reporting to
 * `events`.
 *
 * @example
 * ```ts
 * import { spawnThreadWorker } from "./threads.ts";
 * const url = new URL("../../parallel/worker.ts", import.meta.url);
 * const worker = await spawnThreadWorker(url, { message: console.log, died: console.error });
 * worker.terminate();
 * ```
 */
export async function spawnThreadWorker<Message, Reply>(
  url: URL,
  events: WorkerEvents<Reply>,
): Promise<WorkerThread<Message>> {
  const threads = await import("node:worker_threads") as unknown as NodeWorkerThreads;
  const worker = needsTsxBootstrap(url)
    ? new threads.Worker(tsxBootstrap(url), { eval: true })
    : new threads.Worker(url, {});
  worker.on("message", (data) => events.message(data as Reply));
  worker.on("error", (error) => events.died(describeUncaught(error)));
  worker.on("exit", (code) => events.died(describeExit(code)));
  return {
    post: (message) => worker.postMessage(message),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: () => void worker.terminate(),
  };
}
