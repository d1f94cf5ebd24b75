/**
 * Workers on Bun: Web Workers (`new Worker(url, { type: "module" })`), which Bun
 * lets the pool `unref()`. Bun's `close` event fires once a worker has stopped,
 * however it stopped; without it a worker that exits or is terminated elsewhere
 * is never noticed.
 *
 * @example
 * ```ts
 * import { bunWorkerConstructor } from "./bun.ts";
 * console.log(bunWorkerConstructor({}) === undefined); // true: not Bun
 * ```
 *
 * @module
 */

import { describeExit, type WorkerEvents, type WorkerThread } from "./handle.ts";

interface BunErrorEvent {
  message?: string;
  error?: unknown;
  preventDefault(): void;
}

interface BunWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: BunErrorEvent) => void) | null;
  addEventListener(type: "close", listener: (event: { code?: number }) => void): void;
  postMessage(message: unknown): void;
  terminate(): void;
  ref?(): void;
  unref?(): void;
}

/** Bun's `Worker` constructor. */
export type BunWorkerConstructor = new (url: URL, options: { type: "module" }) => BunWorker;

/**
 * The `Worker` of `scope` (default: this runtime's global scope) when `scope` is
 * Bun's, else `undefined`.
 *
 * @example
 * ```ts
 * import { bunWorkerConstructor } from "./bun.ts";
 * console.log(typeof bunWorkerConstructor()); // "function" on Bun, "undefined" elsewhere
 * ```
 */
export function bunWorkerConstructor(
  scope: object = globalThis,
): BunWorkerConstructor | undefined {
  const probe = scope as { Bun?: unknown; Worker?: unknown };
  return probe.Bun !== undefined && typeof probe.Worker === "function"
    ? probe.Worker as BunWorkerConstructor
    : undefined;
}

/**
 * The clear part of a Bun `error` event: the error's name and message, else the
 * last `Name: message` line of the source excerpt Bun often sends instead.
 *
 * @example
 * ```ts
 * import { bunErrorReason } from "./bun.ts";
 * console.log(bunErrorReason({ message: "1 | throw x\n    ^\nerror: worker crash" }));
 * // "Error: worker crash"
 * ```
 */
export function bunErrorReason(event: { message?: string; error?: unknown }): string {
  if (event.error instanceof Error) return `${event.error.name}: ${event.error.message}`;
  const lines = (event.message ?? "").split("\n").map((line) => line.trim());
  const named = lines.filter((line) => /^[A-Za-z]*(Error|error):/.test(line)).pop();
  // Bun prints an Error whose name is plain "Error" as "error: ...".
  return named?.replace(/^error:/, "Error:") ?? lines.find((line) => line !== "") ??
    "an error without a message";
}

/**
 * Starts the module at `url` as a Bun Web Worker reporting to `events`.
 *
 * @example
 * ```ts
 * import { bunWorkerConstructor, spawnBunWorker } from "./bun.ts";
 * const Worker = bunWorkerConstructor();
 * if (Worker !== undefined) {
 *   const url = new URL("../../parallel/worker.ts", import.meta.url);
 *   const worker = spawnBunWorker(Worker, url, { message: console.log, died: console.error });
 *   worker.terminate();
 * }
 * ```
 */
export function spawnBunWorker<Message, Reply>(
  Worker: BunWorkerConstructor,
  url: URL,
  events: WorkerEvents<Reply>,
): WorkerThread<Message> {
  const worker = new Worker(url, { type: "module" });
  worker.onmessage = (event) => events.message(event.data as Reply);
  worker.onerror = (event) => {
    event.preventDefault();
    events.died(`uncaught ${bunErrorReason(event)}`);
  };
  worker.addEventListener("close", (event) => events.died(describeExit(event.code)));
  return {
    post: (message) => worker.postMessage(message),
    ref: () => worker.ref?.(),
    unref: () => worker.unref?.(),
    terminate: () => worker.terminate(),
  };
}
