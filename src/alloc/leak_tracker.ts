/**
 * Leak detection: calls back when a watched buffer is garbage-collected.
 *
 * A thin wrapper over `FinalizationRegistry` (present on Deno, Bun and Node;
 * where it is missing, {@linkcode LeakTracker.supported} is false and nothing is
 * tracked). Registration happens once per view object, never per acquire, so the
 * hot path does not allocate registry cells. The tag passed back must not
 * reference the watched object (it would keep it alive).
 *
 * @example
 * ```ts
 * import { LeakTracker } from "./leak_tracker.ts";
 * const tracker = new LeakTracker<{ id: number }>((tag) => console.log("collected", tag.id));
 * tracker.watch(new Float32Array(4), { id: 1 });
 * ```
 *
 * @module
 */

/** Calls `onCollect(tag)` when a watched object is garbage-collected. */
export class LeakTracker<T> {
  /** Whether the runtime has `FinalizationRegistry`. */
  readonly supported: boolean;
  readonly #registry: FinalizationRegistry<T> | undefined;

  /** Creates a tracker that reports collected objects to `onCollect`. */
  constructor(onCollect: (tag: T) => void) {
    this.supported = typeof FinalizationRegistry === "function";
    this.#registry = this.supported ? new FinalizationRegistry<T>(onCollect) : undefined;
  }

  /** Watches `target`; `tag` comes back to the callback. */
  watch(target: object, tag: T): void {
    this.#registry?.register(target, tag, target);
  }

  /** Stops watching `target` (it was released for good or retired). */
  unwatch(target: object): void {
    this.#registry?.unregister(target);
  }
}
