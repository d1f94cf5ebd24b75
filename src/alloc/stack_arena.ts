/**
 * The stack arena: one pre-allocated `ArrayBuffer` with a bump pointer and LIFO
 * marks, for scratch that lives inside one operation and for results inside an
 * explicit scope.
 *
 * Creating a typed-array view is itself a JS-heap allocation, so the arena caches
 * its views: scratch views per (offset, size class) and exact-length result views
 * per (offset, element type, length). An operation that repeats the same takes
 * therefore gets the very same view objects back and allocates nothing. The
 * caches are bounded ({@linkcode MAX_CACHED_VIEWS}); past the bound views are
 * created fresh (counted in {@linkcode StackArena.uncachedViews}).
 *
 * @example
 * ```ts
 * import { StackArena } from "./stack_arena.ts";
 * const arena = new StackArena(1024);
 * const mark = arena.top;
 * const a = arena.takeScratchFloat64(10)!; // at least 10 elements
 * arena.popTo(mark, false);
 * console.log(arena.takeScratchFloat64(10) === a); // true: the cached view
 * ```
 *
 * @module
 */

import { sizeClassOf } from "./counters.ts";
import { rangeError } from "../validate.ts";

/** Bound on the number of cached views per arena. */
export const MAX_CACHED_VIEWS = 16384;

/** A 32-bit pattern that reads as NaN both as float32 and (doubled) as float64. */
export const POISON_PATTERN = 0x7ff87ff8;

/** A bump allocator over one `ArrayBuffer`, with cached views. */
export class StackArena {
  /** The arena's memory. */
  readonly buffer: ArrayBuffer;
  /** Size of the arena in bytes. */
  readonly capacityBytes: number;
  /** Views created past {@linkcode MAX_CACHED_VIEWS} (each was a heap allocation). */
  uncachedViews = 0;
  #top = 0;
  #peak = 0;
  #windowPeak = 0;
  #cached = 0;
  readonly #words: Uint32Array;
  readonly #scratch = new Map<number, Float64Array>();
  readonly #exact32 = new Map<number, Map<number, Float32Array>>();
  readonly #exact64 = new Map<number, Map<number, Float64Array>>();

  /** Creates an arena of `capacityBytes` (a multiple of 8). */
  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
    this.buffer = new ArrayBuffer(capacityBytes);
    this.#words = new Uint32Array(this.buffer);
  }

  /** Bytes in use (the bump pointer). */
  get top(): number {
    return this.#top;
  }

  /** Highest {@linkcode StackArena.top} since creation or {@linkcode StackArena.resetPeak}. */
  get peak(): number {
    // The hot path tracks only the window peak; earlier windows are folded into #peak.
    return this.#windowPeak > this.#peak ? this.#windowPeak : this.#peak;
  }

  /** Highest {@linkcode StackArena.top} since {@linkcode StackArena.resetWindowPeak} (or creation). */
  get windowPeak(): number {
    return this.#windowPeak;
  }

  /** Starts peak tracking (lifetime and window) again from the current top. */
  resetPeak(): void {
    this.#peak = this.#top;
    this.#windowPeak = this.#top;
  }

  /** Starts a new window: the window peak restarts from the current top. */
  resetWindowPeak(): void {
    if (this.#windowPeak > this.#peak) this.#peak = this.#windowPeak;
    this.#windowPeak = this.#top;
  }

  /** Whether `bytes` more bytes fit. */
  fits(bytes: number): boolean {
    return this.#top + ((bytes + 7) & ~7) <= this.capacityBytes;
  }

  /** Whether `view` lies in this arena's memory. */
  owns(view: ArrayBufferView): boolean {
    return view.buffer === this.buffer;
  }

  /**
   * Takes scratch of at least `length` float64 elements, or returns `undefined`
   * when it does not fit. The view may be longer than `length` (its size class).
   */
  takeScratchFloat64(length: number): Float64Array | undefined {
    const bytes = length * 8;
    if (!this.fits(bytes)) return undefined;
    const offset = this.#top;
    const cls = sizeClassOf(bytes);
    const key = (offset >>> 3) * 32 + cls;
    let view = this.#scratch.get(key);
    if (view === undefined) {
      const room = (this.capacityBytes - offset) >>> 3;
      const classElements = cls < 3 ? 1 : 1 << (cls - 3);
      view = new Float64Array(this.buffer, offset, classElements < room ? classElements : room);
      if (this.#cached < MAX_CACHED_VIEWS) {
        this.#scratch.set(key, view);
        this.#cached++;
      } else this.uncachedViews++;
    }
    this.#bump(bytes);
    return view;
  }

  /** Takes an exact-length float32 view, or `undefined` when it does not fit. */
  takeFloat32(length: number): Float32Array | undefined {
    const bytes = length * 4;
    if (!this.fits(bytes)) return undefined;
    const offset = this.#top;
    let byLength = this.#exact32.get(offset);
    let view = byLength?.get(length);
    if (view === undefined) {
      view = new Float32Array(this.buffer, offset, length);
      if (this.#cached < MAX_CACHED_VIEWS) {
        if (byLength === undefined) this.#exact32.set(offset, byLength = new Map());
        byLength.set(length, view);
        this.#cached++;
      } else this.uncachedViews++;
    }
    this.#bump(bytes);
    return view;
  }

  /** Takes an exact-length float64 view, or `undefined` when it does not fit. */
  takeFloat64(length: number): Float64Array | undefined {
    const bytes = length * 8;
    if (!this.fits(bytes)) return undefined;
    const offset = this.#top;
    let byLength = this.#exact64.get(offset);
    let view = byLength?.get(length);
    if (view === undefined) {
      view = new Float64Array(this.buffer, offset, length);
      if (this.#cached < MAX_CACHED_VIEWS) {
        if (byLength === undefined) this.#exact64.set(offset, byLength = new Map());
        byLength.set(length, view);
        this.#cached++;
      } else this.uncachedViews++;
    }
    this.#bump(bytes);
    return view;
  }

  /** Frees everything above `mark` (a former {@linkcode StackArena.top}); `poison` fills it with NaN. */
  popTo(mark: number, poison: boolean): void {
    if (mark > this.#top || mark < 0) {
      throw rangeError("StackArena.popTo", "mark", `in [0, ${this.#top}]`, mark);
    }
    if (poison && mark < this.#top) this.#words.fill(POISON_PATTERN, mark >>> 2, this.#top >>> 2);
    this.#top = mark;
  }

  #bump(bytes: number): void {
    this.#top += (bytes + 7) & ~7;
    if (this.#top > this.#windowPeak) this.#windowPeak = this.#top;
  }
}
