/**
 * The size-class pool: reusable buffers grouped by power-of-two byte classes,
 * bounded in total bytes and in buffers per class.
 *
 * **Exact-length results.** Each pooled buffer (a "slot") owns one `ArrayBuffer`
 * of its class size (`2 ** class` bytes) and caches up to
 * {@linkcode VIEWS_PER_SLOT} exact-length typed-array views on it, keyed by
 * (element type, length). A request takes an idle slot of its class (preferring
 * one that already has a view of the exact type and length) and gets an exact
 * view: callers never see a longer array, and a workload that repeats a size
 * reuses the same view objects, so steady state allocates nothing. A hit is
 * memory reuse; when a slot has no view of that length yet, one view object is
 * created (an allocation, once per slot and length).
 *
 * Ownership is a `WeakMap` from view to slot (lookups do not allocate), so the
 * pool holds in-use slots only weakly: a view garbage-collected while in use is
 * reported by the {@linkcode LeakTracker} and its bytes leave the pool's books.
 *
 * The pool counts what it serves (hits, misses, releases, evictions) into the
 * engine's {@linkcode AllocationCounters}, and keeps its levels (idle and in-use
 * buffers per class, and their peaks) as its own private books, read through
 * {@linkcode SizeClassPool.levels}.
 *
 * @example
 * ```ts
 * import { AllocationCounters } from "./counters.ts";
 * import { SizeClassPool } from "./size_class_pool.ts";
 * const pool = new SizeClassPool(new AllocationCounters(), { maxBytes: 1 << 20, maxBuffersPerClass: 8 });
 * const a = pool.acquire(4, 100)!; // Float32Array(100) on a 512-byte slot
 * pool.release(a);
 * console.log(pool.acquire(4, 100) === a); // true
 * ```
 *
 * @module
 */

import {
  type AllocationCounters,
  EVICTION_REASON_INDEX,
  MISUSE_INDEX,
  RELEASE_OUTCOME_INDEX,
  SIZE_CLASS_COUNT,
  sizeClassOf,
} from "./counters.ts";
import { LeakTracker } from "./leak_tracker.ts";
import type { Float } from "../types.ts";

/** Bytes of each size class (`CLASS_BYTES[c]`); a table because `**` is slow on older V8. */
const CLASS_BYTES: Float64Array = Float64Array.from({ length: SIZE_CLASS_COUNT }, (_, c) => 2 ** c);

/** Views cached per slot (distinct lengths/types reusing one buffer). */
export const VIEWS_PER_SLOT = 4;

/** How many idle slots an acquire scans for an exact view match. */
const MATCH_SCAN = 8;

const POOLED = RELEASE_OUTCOME_INDEX.pooled;
const DROPPED_FULL = RELEASE_OUTCOME_INDEX.dropped_full;
const DROPPED_PRESSURE = RELEASE_OUTCOME_INDEX.dropped_pressure;
const TRIM = EVICTION_REASON_INDEX.trim;
const PRESSURE = EVICTION_REASON_INDEX.pressure;
const LEAKED = MISUSE_INDEX.leaked;

/** Result of {@linkcode SizeClassPool.release}. */
export const ReleaseResult = {
  /** The buffer went back to the idle list. */
  Pooled: 0,
  /** The buffer was dropped (pool over a limit, or detached by `setLimits`). */
  DroppedFull: 1,
  /** The buffer was dropped because the pool is in critical pressure mode. */
  DroppedPressure: 2,
  /** The buffer belongs to the pool but is not in use (released already). */
  Double: -1,
  /** The pool never handed out this buffer. */
  NotOwned: -2,
} as const;

/** Why {@linkcode SizeClassPool.acquire} returned `undefined`. */
export const AcquireFailure = {
  /** The class is larger than the whole pool may hold. */
  TooLarge: 0,
  /** No idle buffer and no room to grow. */
  Exhausted: 1,
} as const;

/** Options of {@linkcode SizeClassPool.preWarm}. */
export interface PreWarmPoolOptions {
  /** 4 (float32) or 8 (float64). */
  bytesPerElement: number;
  /** Buffers to add (default 1). */
  count?: number;
}

/** Bounds of a pool. */
export interface PoolLimits {
  /** Bound on bytes held (idle plus in use). */
  maxBytes: number;
  /** Bound on buffers per class (idle plus in use). */
  maxBuffersPerClass: number;
}

/**
 * The pool's levels per size class (index `c`: buffers of `2 ** c` bytes), a
 * snapshot: the arrays are copies, the caller's to keep.
 */
export interface PoolLevels {
  /** Idle (pooled, free) buffers per class. */
  idleBuffers: Float64Array;
  /** Pool buffers handed out and not yet released, per class. */
  inUseBuffers: Float64Array;
  /** Highest `inUseBuffers` per class since creation or the last `resetPeaks` (the demand). */
  peakInUseBuffers: Float64Array;
}

/** What a leaked-buffer report carries; never references the buffer itself. */
class SlotTag {
  inUse = false;
  reported = false;
  constructor(readonly cls: number, public generation: number) {}
}

class PoolSlot {
  readonly views: (Float | undefined)[] = [undefined, undefined, undefined, undefined];
  /** `length * 16 + bytesPerElement` of each cached view (-1: empty), compared instead of view properties. */
  readonly keys: Float64Array = new Float64Array(VIEWS_PER_SLOT).fill(-1);
  current: Float | undefined = undefined;
  replaceAt = 0;
  constructor(readonly buffer: ArrayBuffer, readonly tag: SlotTag) {}
}

/** Power-of-two size-class pool with exact-length cached views. */
export class SizeClassPool {
  /** Why the last failed acquire failed (an {@linkcode AcquireFailure} value). */
  lastFailure = 0;
  /** While true (critical pressure), released buffers are dropped instead of pooled. */
  dropOnRelease = false;
  /** Idle buffers evicted so far (trim and pressure). */
  evictions = 0;
  readonly #counters: AllocationCounters;
  #maxBytes: number;
  #maxPerClass: number;
  #bytes = 0;
  #generation = 0;
  readonly #idle: (PoolSlot | undefined)[][] = [];
  readonly #idleCount = new Int32Array(SIZE_CLASS_COUNT);
  readonly #slots = new Int32Array(SIZE_CLASS_COUNT);
  readonly #inUse = new Float64Array(SIZE_CLASS_COUNT);
  readonly #peakInUse = new Float64Array(SIZE_CLASS_COUNT);
  readonly #windowPeakInUse = new Float64Array(SIZE_CLASS_COUNT);
  readonly #owner = new WeakMap<Float, PoolSlot>();
  readonly #retired = new WeakSet<Float>();
  readonly #leaks: LeakTracker<SlotTag>;
  // Per-maintenance-window bookkeeping.
  readonly #passHits = new Float64Array(SIZE_CLASS_COUNT);
  readonly #passMisses = new Float64Array(SIZE_CLASS_COUNT);
  readonly #idlePasses = new Int32Array(SIZE_CLASS_COUNT);
  readonly #lastMissLength = new Float64Array(SIZE_CLASS_COUNT);
  readonly #lastMissBpe = new Uint8Array(SIZE_CLASS_COUNT);

  /** Creates an empty pool that reports into `counters`. */
  constructor(counters: AllocationCounters, limits: PoolLimits) {
    this.#counters = counters;
    this.#maxBytes = limits.maxBytes;
    this.#maxPerClass = limits.maxBuffersPerClass;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) this.#idle.push([]);
    this.#leaks = new LeakTracker<SlotTag>((tag) => this.#onLeak(tag));
  }

  /** Bytes held (idle plus in use), never above the limit. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bound on bytes. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Bound on buffers per class. */
  get maxBuffersPerClass(): number {
    return this.#maxPerClass;
  }

  /** Buffers held (idle plus in use). */
  get buffers(): number {
    let total = 0;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) total += this.#slots[c];
    return total;
  }

  /** Idle buffers held. */
  get idleBuffers(): number {
    let total = 0;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) total += this.#idleCount[c];
    return total;
  }

  /** Number of classes holding at least one buffer. */
  get sizeClasses(): number {
    let total = 0;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) if (this.#slots[c] > 0) total++;
    return total;
  }

  /** Buffers (idle plus in use) held in class `cls`. */
  buffersIn(cls: number): number {
    return this.#slots[cls];
  }

  /** Whether `view` is a pool view that was retired (its slot evicted or re-viewed). */
  isRetired(view: Float): boolean {
    return this.#retired.has(view);
  }

  /** A snapshot of the levels per class (copies: reading them changes nothing). */
  levels(): PoolLevels {
    return {
      idleBuffers: Float64Array.from(this.#idleCount),
      inUseBuffers: this.#inUse.slice(),
      peakInUseBuffers: this.#peakInUse.slice(),
    };
  }

  /**
   * Highest in-use buffers per class since the last {@linkcode SizeClassPool.startWindow}
   * (the maintenance window's demand), read-only.
   */
  get windowPeakInUse(): ArrayLike<number> {
    return this.#windowPeakInUse;
  }

  /** Starts a new window: the window peaks restart from the current use. */
  startWindow(): void {
    this.#windowPeakInUse.set(this.#inUse);
  }

  /** Restarts the lifetime and window peaks from the current use. */
  resetPeaks(): void {
    this.#peakInUse.set(this.#inUse);
    this.#windowPeakInUse.set(this.#inUse);
  }

  /**
   * Serves `length` elements of `bytesPerElement` (4 or 8) from the pool: an idle
   * buffer (hit), or a new one while limits allow (miss), or `undefined` with
   * {@linkcode SizeClassPool.lastFailure} set. Counts hits and misses.
   */
  acquire(bytesPerElement: number, length: number): Float | undefined {
    const cls = sizeClassOf(length * bytesPerElement);
    const classBytes = CLASS_BYTES[cls];
    if (classBytes > this.#maxBytes) {
      this.lastFailure = AcquireFailure.TooLarge;
      return undefined;
    }
    const counters = this.#counters;
    let slot: PoolSlot | undefined;
    const count = this.#idleCount[cls];
    if (count > 0) {
      slot = this.#takeIdle(cls, count, bytesPerElement, length);
      counters.poolHits[cls]++;
    } else {
      counters.poolMisses[cls]++;
      this.#lastMissLength[cls] = length;
      this.#lastMissBpe[cls] = bytesPerElement;
      if (!this.#hasRoom(cls, classBytes)) {
        this.lastFailure = AcquireFailure.Exhausted;
        return undefined;
      }
      slot = this.#newSlot(cls, classBytes);
    }
    const view = this.#viewOf(slot, bytesPerElement, length);
    slot.current = view;
    slot.tag.inUse = true;
    const inUse = ++this.#inUse[cls];
    if (inUse > this.#windowPeakInUse[cls]) {
      this.#windowPeakInUse[cls] = inUse;
      if (inUse > this.#peakInUse[cls]) this.#peakInUse[cls] = inUse;
    }
    return view;
  }

  /** Gives `view` back; returns a {@linkcode ReleaseResult} and counts the outcome (not misuse). */
  release(view: Float): number {
    const slot = this.#owner.get(view);
    if (slot === undefined) return ReleaseResult.NotOwned;
    const tag = slot.tag;
    if (!tag.inUse || slot.current !== view) return ReleaseResult.Double;
    tag.inUse = false;
    slot.current = undefined;
    const counters = this.#counters;
    if (tag.generation !== this.#generation) {
      // Detached by setLimits: its bytes already left the books.
      this.#forget(slot);
      counters.releases[DROPPED_FULL]++;
      return ReleaseResult.DroppedFull;
    }
    const cls = tag.cls;
    this.#inUse[cls]--;
    if (this.dropOnRelease) {
      this.#drop(slot);
      counters.releases[DROPPED_PRESSURE]++;
      return ReleaseResult.DroppedPressure;
    }
    if (this.#slots[cls] > this.#maxPerClass || this.#bytes > this.#maxBytes) {
      this.#drop(slot);
      counters.releases[DROPPED_FULL]++;
      return ReleaseResult.DroppedFull;
    }
    this.#idle[cls][this.#idleCount[cls]++] = slot;
    counters.releases[POOLED]++;
    return ReleaseResult.Pooled;
  }

  /**
   * Adds up to `options.count` (default 1) idle buffers holding a view of
   * `length` elements of `options.bytesPerElement`, within the limits; returns
   * how many were added.
   */
  preWarm(length: number, options: PreWarmPoolOptions): number {
    const bytesPerElement = options.bytesPerElement;
    const count = options.count ?? 1;
    const cls = sizeClassOf(length * bytesPerElement);
    const classBytes = CLASS_BYTES[cls];
    let added = 0;
    while (added < count && this.#hasRoom(cls, classBytes)) {
      const slot = this.#newSlot(cls, classBytes);
      this.#viewOf(slot, bytesPerElement, length);
      this.#idle[cls][this.#idleCount[cls]++] = slot;
      added++;
    }
    return added;
  }

  /**
   * Evicts idle buffers for memory pressure: all of them (`fraction` 1) or the
   * given fraction of each class, rounded up. Returns the bytes freed.
   */
  evictForPressure(fraction: number): number {
    let freed = 0;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
      const count = this.#idleCount[c];
      if (count > 0) freed += this.#evictIdle(c, Math.ceil(count * fraction), PRESSURE);
    }
    return freed;
  }

  /**
   * Changes the limits. Idle buffers are evicted (reason trim) until the pool
   * fits; if in-use bytes alone exceed the new byte limit, every in-use buffer is
   * detached: it stays valid for its holder, and releasing it drops it.
   */
  setLimits(limits: PoolLimits): number {
    this.#maxBytes = limits.maxBytes;
    this.#maxPerClass = limits.maxBuffersPerClass;
    let freed = 0;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
      const excess = this.#slots[c] - this.#maxPerClass;
      if (excess > 0 && this.#idleCount[c] > 0) {
        freed += this.#evictIdle(c, Math.min(excess, this.#idleCount[c]), TRIM);
      }
    }
    for (let c = SIZE_CLASS_COUNT - 1; c >= 0 && this.#bytes > this.#maxBytes; c--) {
      const count = this.#idleCount[c];
      if (count === 0) continue;
      const needed = Math.ceil((this.#bytes - this.#maxBytes) / CLASS_BYTES[c]);
      freed += this.#evictIdle(c, Math.min(needed, count), TRIM);
    }
    if (this.#bytes > this.#maxBytes) this.#detachInUse();
    return freed;
  }

  /**
   * One maintenance pass: trims the idle buffers of classes that saw no request
   * for `trimAfterIdlePasses` passes, then pre-warms, within the limits, the
   * sizes of the classes that missed most since the last pass. Returns the bytes
   * trimmed.
   */
  maintain(trimAfterIdlePasses: number, prewarm = true): number {
    const counters = this.#counters;
    let freed = 0;
    const missed: number[] = [];
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
      const hits = counters.poolHits[c] - this.#passHits[c];
      const misses = counters.poolMisses[c] - this.#passMisses[c];
      this.#passHits[c] = counters.poolHits[c];
      this.#passMisses[c] = counters.poolMisses[c];
      if (hits + misses === 0) {
        if (++this.#idlePasses[c] >= trimAfterIdlePasses && this.#idleCount[c] > 0) {
          freed += this.#evictIdle(c, this.#idleCount[c], TRIM);
        }
      } else {
        this.#idlePasses[c] = 0;
      }
      if (misses > 0) missed.push(misses * SIZE_CLASS_COUNT + c);
    }
    if (!prewarm) return freed;
    missed.sort((a, b) => b - a);
    for (const entry of missed) {
      const c = entry % SIZE_CLASS_COUNT;
      const misses = (entry - c) / SIZE_CLASS_COUNT;
      this.preWarm(this.#lastMissLength[c], {
        bytesPerElement: this.#lastMissBpe[c],
        count: misses,
      });
    }
    return freed;
  }

  #hasRoom(cls: number, classBytes: number): boolean {
    return this.#slots[cls] < this.#maxPerClass && this.#bytes + classBytes <= this.#maxBytes;
  }

  #newSlot(cls: number, classBytes: number): PoolSlot {
    const slot = new PoolSlot(new ArrayBuffer(classBytes), new SlotTag(cls, this.#generation));
    this.#slots[cls]++;
    this.#bytes += classBytes;
    return slot;
  }

  #takeIdle(cls: number, count: number, bytesPerElement: number, length: number): PoolSlot {
    const list = this.#idle[cls];
    let pick = count - 1;
    const stop = count > MATCH_SCAN ? count - MATCH_SCAN : 0;
    const key = length * 16 + bytesPerElement;
    scan: for (let i = count - 1; i >= stop; i--) {
      const keys = list[i]!.keys;
      for (let v = 0; v < VIEWS_PER_SLOT; v++) {
        if (keys[v] === key) {
          pick = i;
          break scan;
        }
      }
    }
    const slot = list[pick]!;
    list[pick] = list[count - 1];
    list[count - 1] = undefined;
    this.#idleCount[cls] = count - 1;
    return slot;
  }

  #viewOf(slot: PoolSlot, bytesPerElement: number, length: number): Float {
    const views = slot.views;
    const keys = slot.keys;
    const key = length * 16 + bytesPerElement;
    for (let v = 0; v < VIEWS_PER_SLOT; v++) {
      if (keys[v] === key) return views[v]!;
    }
    const view = bytesPerElement === 8
      ? new Float64Array(slot.buffer, 0, length)
      : new Float32Array(slot.buffer, 0, length);
    const old = views[slot.replaceAt];
    if (old !== undefined) this.#retire(old);
    views[slot.replaceAt] = view;
    keys[slot.replaceAt] = key;
    slot.replaceAt = (slot.replaceAt + 1) % VIEWS_PER_SLOT;
    this.#owner.set(view, slot);
    this.#leaks.watch(view, slot.tag);
    return view;
  }

  #retire(view: Float): void {
    this.#owner.delete(view);
    this.#leaks.unwatch(view);
    this.#retired.add(view);
  }

  #forget(slot: PoolSlot): void {
    for (const view of slot.views) if (view !== undefined) this.#retire(view);
  }

  /** Removes a slot that is neither idle nor in use from the books. */
  #drop(slot: PoolSlot): void {
    this.#forget(slot);
    this.#slots[slot.tag.cls]--;
    this.#bytes -= CLASS_BYTES[slot.tag.cls];
  }

  #evictIdle(cls: number, count: number, reason: number): number {
    const list = this.#idle[cls];
    const classBytes = CLASS_BYTES[cls];
    for (let i = 0; i < count; i++) {
      const index = --this.#idleCount[cls];
      this.#drop(list[index]!);
      list[index] = undefined;
    }
    this.#counters.evictedBytes[reason] += count * classBytes;
    this.evictions += count;
    return count * classBytes;
  }

  #detachInUse(): void {
    this.#generation++;
    for (let c = 0; c < SIZE_CLASS_COUNT; c++) {
      const inUse = this.#inUse[c];
      this.#slots[c] -= inUse;
      this.#bytes -= inUse * CLASS_BYTES[c];
      this.#inUse[c] = 0;
    }
  }

  #onLeak(tag: SlotTag): void {
    if (!tag.inUse || tag.reported) return;
    tag.reported = true;
    this.#counters.misuse[LEAKED]++;
    if (tag.generation !== this.#generation) return;
    this.#inUse[tag.cls]--;
    this.#slots[tag.cls]--;
    this.#bytes -= CLASS_BYTES[tag.cls];
  }
}
