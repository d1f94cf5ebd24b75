/**
 * A test helper that measures JS-heap allocation of a repeated action on Deno,
 * Bun and Node, for zero-allocation assertions.
 *
 * The action runs in chunks; the heap size is read before and after each chunk
 * without collecting in between. A garbage collection inside a chunk makes its
 * delta small or negative, so the MEDIAN chunk delta is the robust figure: an
 * action that allocates `b` bytes per call shows about `b * chunkSize`, a
 * zero-allocation action shows (close to) nothing. The heap is read with
 * `process.memoryUsage().heapUsed` on Deno and Node and with `bun:jsc`'s
 * `heapStats().heapCapacity` on Bun; the reader's own cost is measured on an
 * empty action and subtracted. `globalThis.gc` or `Bun.gc` runs before measuring when present.
 *
 * @example
 * ```ts
 * import { measureHeapGrowth } from "./heap_probe.ts";
 * const result = await measureHeapGrowth(() => {}, { calls: 100_000 });
 * console.log(result.bytesPerCall); // ~0
 * ```
 *
 * @module
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

interface BunLike {
  gc?: (force: boolean) => void;
}

interface ProcessLike {
  memoryUsage(): { heapUsed: number };
}

/** Options of {@linkcode measureHeapGrowth}. */
export interface HeapProbeOptions {
  /** Calls measured in total (default 100000). */
  calls?: number;
  /** Calls per chunk (default 1000; 25000 on Bun, whose reader moves in 16 KiB blocks). */
  chunkSize?: number;
  /** Warm-up calls before measuring, so caches and JIT settle (default 20000). */
  warmup?: number;
}

/** What {@linkcode measureHeapGrowth} found. */
export interface HeapProbeResult {
  /** Median heap growth of a chunk, in bytes, minus that of an empty action. */
  medianChunkBytes: number;
  /** `medianChunkBytes / chunkSize`. */
  bytesPerCall: number;
  /** Heap growth of every chunk (negative where a GC ran inside it). */
  chunkBytes: number[];
  /** Which reader was used. */
  reader: string;
}

/**
 * Runs `action` `calls` times after a warm-up and returns the heap growth per
 * call (median over chunks).
 *
 * @example
 * ```ts
 * import { measureHeapGrowth } from "./heap_probe.ts";
 * const { bytesPerCall } = await measureHeapGrowth(() => new Float32Array(4), {});
 * console.log(bytesPerCall > 16); // true
 * ```
 */
export async function measureHeapGrowth(
  action: () => void,
  options: HeapProbeOptions = {},
): Promise<HeapProbeResult> {
  const calls = options.calls ?? 100_000;
  const warmup = options.warmup ?? 20_000;
  const reader = await heapReader();
  const { read, name } = reader;
  const chunkSize = options.chunkSize ?? reader.chunkSize;
  for (let i = 0; i < warmup; i++) action();
  collect();
  const baseline = median(runChunks(noop, read, calls, chunkSize));
  const chunkBytes = runChunks(action, read, calls, chunkSize);
  const medianChunkBytes = median(chunkBytes) - baseline;
  return { medianChunkBytes, bytesPerCall: medianChunkBytes / chunkSize, chunkBytes, reader: name };
}

let noopSink = 0;
function noop(): void {
  noopSink++;
}

function runChunks(
  action: () => void,
  read: () => number,
  calls: number,
  chunkSize: number,
): number[] {
  const chunkBytes: number[] = [];
  for (let done = 0; done < calls; done += chunkSize) {
    const before = read();
    for (let i = 0; i < chunkSize; i++) action();
    chunkBytes.push(read() - before);
  }
  return chunkBytes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
}

/**
 * Returns a function that forces a full garbage collection: `Bun.gc(true)` on
 * Bun, `globalThis.gc` when exposed, else V8's `gc` exposed at run time through
 * `node:v8` + `node:vm` (works on Node and Deno); `undefined` when none works.
 *
 * @example
 * ```ts
 * import { exposeGc } from "./heap_probe.ts";
 * exposeGc()?.();
 * ```
 */
export function exposeGc(): (() => void) | undefined {
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  if (typeof bun?.gc === "function") {
    const bunGc = bun.gc;
    return () => bunGc(true);
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") return gc;
  try {
    setFlagsFromString("--expose-gc");
    const exposed: unknown = runInNewContext("gc");
    return typeof exposed === "function" ? (exposed as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Forces a garbage collection where possible; returns whether it could. */
export function collect(): boolean {
  const gc = exposeGc();
  gc?.();
  return gc !== undefined;
}

async function heapReader(): Promise<{ read: () => number; name: string; chunkSize: number }> {
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) {
    // On Bun, process.memoryUsage().heapUsed stops following allocations after
    // the first collection; bun:jsc's heap capacity keeps following them (in
    // 16 KiB blocks, hence the larger chunks).
    const jsc = await import("bun:jsc" as string) as { heapStats?: () => { heapCapacity: number } };
    const heapStats = jsc.heapStats;
    if (typeof heapStats === "function") {
      return {
        read: () => heapStats().heapCapacity,
        name: "bun:jsc heapStats().heapCapacity",
        chunkSize: 25_000,
      };
    }
  }
  const process = (globalThis as { process?: ProcessLike }).process;
  if (process === undefined) throw new Error("measureHeapGrowth needs process.memoryUsage()");
  return {
    read: () => process.memoryUsage().heapUsed,
    name: "process.memoryUsage().heapUsed",
    chunkSize: 1000,
  };
}
