/**
 * The worker side: how a worker started by `spawnWorker` (`mod.ts`) talks to the
 * thread that started it. On Bun the worker is a Web Worker (its global scope
 * posts and receives); on Node and Deno it is a `node:worker_threads` worker
 * (its `parentPort`).
 *
 * @example
 * ```ts
 * import { connectToParent } from "./parent.ts";
 * const parent = await connectToParent<string, string>();
 * if (parent !== null) parent.onMessage((message) => parent.post(message.toUpperCase()));
 * ```
 *
 * @module
 */

/** This worker's link to the thread that started it. */
export interface ParentPort<Message, Reply> {
  /** Posts `reply` to the parent. */
  post(reply: Reply): void;
  /** Calls `listener` with each message of the parent; what it throws is this worker's uncaught error. */
  onMessage(listener: (message: Message) => void): void;
  /** Ends this worker quietly (exit code 0, no error). */
  closeQuietly(): void;
  /** Ends this worker at once with exit code `code`. */
  exit(code: number): void;
}

interface WebWorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

interface NodeParentPort {
  on(event: "message", listener: (data: unknown) => void): void;
  postMessage(message: unknown): void;
  close?: () => void;
}

interface ExitScope {
  process?: { exit(code: number): never };
  close?: () => void;
}

function exit(code: number): void {
  (globalThis as ExitScope).process?.exit(code);
}

/**
 * This worker's link to its parent, or `null` on a main thread (nothing started
 * this module as a worker).
 *
 * @example
 * ```ts
 * import { connectToParent } from "./parent.ts";
 * console.log(await connectToParent()); // null on a main thread
 * ```
 */
export async function connectToParent<Message, Reply>(): Promise<
  ParentPort<Message, Reply> | null
> {
  const bun = (globalThis as { Bun?: { isMainThread?: boolean } }).Bun;
  if (bun !== undefined) {
    if (bun.isMainThread === true) return null;
    const scope = globalThis as unknown as WebWorkerScope;
    return {
      post: (reply) => scope.postMessage(reply),
      onMessage: (listener) => {
        scope.onmessage = (event) => listener(event.data as Message);
      },
      // Bun's worker scope has no `close()`.
      closeQuietly: () => exit(0),
      exit,
    };
  }
  const { parentPort } = await import("node:worker_threads") as unknown as {
    parentPort: NodeParentPort | null;
  };
  if (parentPort === null) return null;
  return {
    post: (reply) => parentPort.postMessage(reply),
    onMessage: (listener) => parentPort.on("message", (data) => listener(data as Message)),
    closeQuietly: () => {
      if (typeof parentPort.close === "function") return parentPort.close();
      const scope = globalThis as ExitScope;
      if (typeof scope.close === "function") return scope.close();
      exit(0);
    },
    exit,
  };
}
