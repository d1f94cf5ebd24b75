/**
 * A test helper that measures JS-heap allocation of a repeated action on Deno,
 * Bun and Node, for zero-allocation assertions.
 *
 * The action runs in chunks; the heap size is read before and after each chunk
 * without collecting in between. A garbage collection inside a chunk makes its
 * delta small or negative, so the MEDIAN chunk delta is the robust figure: an
 * action that allocates `b` bytes per call shows about `b * chunkSize`, a
 * zero-allocation action shows (close to) nothing.
 *
 * "Once warm" means once the JIT has settled, and that is not a number of calls:
 * V8 and JavaScriptCore compile hot functions on background threads, and until the
 * optimized code is installed the baseline tiers box every non-integer number they
 * compute (16 bytes each). On a loaded machine, or behind other modules' background
 * compilation in one `deno test` process, that job can finish after any fixed warm-up,
 * and a float-heavy action then measures 100+ bytes per call. So the probe measures in
 * rounds: when a round still shows allocation, it pauses (letting the background
 * compiler finish and install its code), measures again, and returns the round with
 * the least growth, after at most `maxRounds`. An action that allocates in its
 * optimized code allocates in every round, so the rounds cannot hide it (the positive
 * control in `test/alloc_zero_alloc.test.ts` checks that). The heap is read with
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
  /**
   * Measuring rounds at most (default 16): a round that still shows allocation is
   * followed by a pause (50 ms, doubling up to 0.8 s) and another round, until one shows none,
   * the rounds run out, or 20 s have passed since the first began (so that a slow action
   * on a loaded machine stays far from a test timeout).
   */
  maxRounds?: number;
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
  /** Rounds measured (1 unless the first still showed allocation; see the module docs). */
  rounds: number;
  /** `bytesPerCall` of every round, in order. */
  roundBytesPerCall: number[];
}

/**
 * A round whose growth is below this many bytes per call shows no allocation: a real
 * allocation is at least 16 bytes per call, and the readers' own noise stays below this
 * (Bun's reader moves in 16 KiB blocks: two blocks over a 25000-call chunk are 1.3).
 */
export const SETTLED_BYTES_PER_CALL = 2;

/** No round starts after this many milliseconds of measuring. */
const RETRY_BUDGET_MS = 20_000;

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
  const maxRounds = options.maxRounds ?? 16;
  const reader = await heapReader();
  const { read, name } = reader;
  const chunkSize = options.chunkSize ?? reader.chunkSize;
  for (let i = 0; i < warmup; i++) action();
  let best: HeapProbeResult | undefined;
  const roundBytesPerCall: number[] = [];
  const started = performance.now();
  for (let round = 1; round <= maxRounds; round++) {
    if (round > 1) {
      if (performance.now() - started > RETRY_BUDGET_MS) break;
      await pause(Math.min(50 * 2 ** (round - 2), 800));
    }
    collect();
    const baseline = median(runChunks(noop, read, calls, chunkSize));
    const chunkBytes = runChunks(action, read, calls, chunkSize);
    const medianChunkBytes = median(chunkBytes) - baseline;
    const bytesPerCall = medianChunkBytes / chunkSize;
    roundBytesPerCall.push(bytesPerCall);
    if (best === undefined || bytesPerCall < best.bytesPerCall) {
      best = {
        medianChunkBytes,
        bytesPerCall,
        chunkBytes,
        reader: name,
        rounds: round,
        roundBytesPerCall,
      };
    }
    best.rounds = round;
    if (bytesPerCall < SETTLED_BYTES_PER_CALL) break;
  }
  return best!;
}

/** Lets the event loop (and the runtime's background compiler threads) run for `ms`. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
