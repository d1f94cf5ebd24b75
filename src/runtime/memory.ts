/**
 * The runtime's memory usage, where it tells: `process.memoryUsage()` (Node, Bun,
 * and Deno's Node compatibility), else `Deno.memoryUsage()`, else nothing (pages
 * and worklets): memory-pressure checks then report no pressure.
 *
 * @example
 * ```ts
 * import { runtimeMemoryUsage } from "./memory.ts";
 * const read = runtimeMemoryUsage();
 * console.log(read === undefined ? "unknown" : read().rss);
 * ```
 *
 * @module
 */

/** Resident set size and used JS heap, in bytes. */
export interface MemoryUsageReading {
  /** Resident set size of the process. */
  rss: number;
  /** Bytes used on the JS heap. */
  heapUsed: number;
}

/** The memory-usage sources of a global scope, as far as they exist there. */
export interface MemoryScope {
  process?: { memoryUsage?: unknown };
  Deno?: { memoryUsage?: unknown };
}

type RawMemoryUsage = () => { rss?: number; heapUsed?: number };

/**
 * Returns the memory-usage reader of `scope` (default: this runtime's global scope),
 * or `undefined` where there is none.
 *
 * @example
 * ```ts
 * import { runtimeMemoryUsage } from "./memory.ts";
 * console.log(runtimeMemoryUsage() !== undefined); // true on Deno, Bun and Node
 * console.log(runtimeMemoryUsage({})); // undefined, as in a page
 * ```
 */
export function runtimeMemoryUsage(
  scope: MemoryScope = globalThis as MemoryScope,
): (() => MemoryUsageReading) | undefined {
  const owner = typeof scope.process?.memoryUsage === "function"
    ? scope.process
    : typeof scope.Deno?.memoryUsage === "function"
    ? scope.Deno
    : undefined;
  if (owner === undefined) return undefined;
  const read = owner.memoryUsage as RawMemoryUsage;
  return () => {
    const usage = read.call(owner);
    return { rss: usage.rss ?? 0, heapUsed: usage.heapUsed ?? 0 };
  };
}
