/**
 * What a started worker is to its owner on every runtime, and how a worker's
 * death is put into words. The runtime adapters (`bun.ts`, `threads.ts`) return a
 * {@linkcode WorkerThread}; `mod.ts` turns it into a {@linkcode WorkerHandle} that
 * reports a death once and never a termination its owner asked for.
 *
 * @example
 * ```ts
 * import { describeExit } from "./handle.ts";
 * console.log(describeExit(3));
 * // "stopped with exit code 3 (it exited, or was terminated from outside the pool)"
 * ```
 *
 * @module
 */

/** What the owner of a worker hears from it. */
export interface WorkerListeners<Reply> {
  /** A message the worker posted. */
  message(reply: Reply): void;
  /**
   * The worker died (an uncaught error, an exit, a `close`, or a termination its
   * owner did not ask for), with `reason` saying how. Called at most once.
   */
  failure(reason: string): void;
}

/** A started worker, as its owner uses it on every runtime. */
export interface WorkerHandle<Message> {
  /** Posts `message` to the worker (shared memory is shared, not copied). */
  post(message: Message): void;
  /** Lets the worker keep the process alive. */
  ref(): void;
  /** Stops the worker from keeping the process alive. */
  unref(): void;
  /** Terminates the worker on its owner's behalf: no failure is reported. */
  terminate(): void;
  /** Terminates the worker as code outside its owner would: its death is reported. */
  terminateUnannounced(): void;
}

/** What a runtime adapter hands back: the worker's own operations, with no bookkeeping. */
export interface WorkerThread<Message> {
  post(message: Message): void;
  ref(): void;
  unref(): void;
  terminate(): void;
}

/** What a runtime adapter reports to: the worker's messages and its death. */
export interface WorkerEvents<Reply> {
  message(reply: Reply): void;
  died(reason: string): void;
}

/**
 * The reason of a worker that stopped with exit code `code` (`undefined` when
 * the runtime does not say).
 *
 * @example
 * ```ts
 * import { describeExit } from "./handle.ts";
 * console.log(describeExit(undefined).startsWith("stopped with exit code unknown")); // true
 * ```
 */
export function describeExit(code: number | undefined): string {
  return `stopped with exit code ${code ?? "unknown"} (it exited, or was terminated from ` +
    `outside the pool)`;
}

/**
 * The reason of a worker that threw `error` and did not catch it.
 *
 * @example
 * ```ts
 * import { describeUncaught } from "./handle.ts";
 * console.log(describeUncaught(new RangeError("too long"))); // "uncaught RangeError: too long"
 * ```
 */
export function describeUncaught(error: unknown): string {
  return `uncaught ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}
