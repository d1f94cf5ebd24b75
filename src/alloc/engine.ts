/**
 * The allocation engine: the decision between the stack arena, the size-class
 * pool and the heap, scopes, kernel workspaces, release rules and exact stats.
 *
 * Every request goes stack-first where eligible, then to the pool, then to the
 * heap, and each decision increments the engine's
 * {@linkcode AllocationCounters} (source, size class and, for the heap, the
 * reason). After warm-up, `acquire*`/`release` and
 * `beginOperation`/`takeFloat64`/`endOperation` cycles make no JS-heap
 * allocation.
 *
 * - **Stack** (`stackBytes`, default 32 KiB): kernel scratch inside
 *   {@linkcode AllocationEngine.beginOperation} ... `endOperation`, and results
 *   acquired directly inside a scope. Requests of at most `stackThreshold`
 *   elements (default 256) go here first. Stack memory is reclaimed when its
 *   operation or scope ends and is never handed out past it.
 * - **Pool**: results for callers (exact length; give them back with
 *   {@linkcode AllocationEngine.release}) and larger scratch.
 * - **Heap**: a plain typed array when neither fits, counted with its reason
 *   (`too_large`, `pool_exhausted`, or `stack_full` for a stack-eligible request
 *   that overflowed the arena and then could not be served by the pool either).
 *
 * @example
 * ```ts
 * import { createEngine } from "./engine.ts";
 * const engine = createEngine({ poolMaxBytes: 1 << 24 });
 * const out = engine.acquireFloat32(1000); // exactly 1000 elements, from the pool
 * engine.release(out);
 * engine.scope(() => {
 *   const tmp = engine.acquireFloat32(64); // stack memory, reclaimed at scope end
 *   tmp.fill(1);
 * });
 * const ws = engine.beginOperation(); // kernels take scratch here
 * ws.takeFloat64(128);
 * engine.endOperation();
 * console.log(engine.getStats().pool.hits);
 * engine.close();
 * ```
 *
 * @module
 */

import type { Workspace } from "../kernels/workspace.ts";
import { AutoTuner, autoTuneSettings, type TuningWindow } from "./auto_tune.ts";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig, resolveConfig } from "./config.ts";
import {
  AllocationCounters,
  AUTO_TUNE_DIRECTION_INDEX,
  AUTO_TUNE_DIRECTIONS,
  AUTO_TUNE_SETTING_INDEX,
  HEAP_REASON_INDEX,
  MISUSE_INDEX,
  PRESSURE_LEVEL_INDEX,
  PRESSURE_LEVELS,
  PRESSURE_TRIGGER_INDEX,
  PRESSURE_TRIGGERS,
  type PressureLevel,
  RELEASE_OUTCOME_INDEX,
  SIZE_CLASS_COUNT,
  sizeClassOf,
  SOURCE_INDEX,
} from "./counters.ts";
import { OperationMetrics } from "../metrics/operation_metrics.ts";
import { type MaintenanceTimer, startMaintenanceTimer } from "../maintenance_timer.ts";
import { pressureLevelOf, runtimeMemoryUsage } from "./pressure.ts";
import { StackArena } from "./stack_arena.ts";
import {
  AcquireFailure,
  type PoolLevels,
  ReleaseResult,
  SizeClassPool,
} from "./size_class_pool.ts";
import type { EngineStats } from "./stats.ts";
import type { Float } from "../types.ts";
import { checkDtype, checkLength, type Dtype } from "./validate.ts";
import { isFloatArray, rangeError, typeError } from "../validate.ts";
import { floatArrayName, typedArrayLength, typedArrayUsable } from "../typed_array_slots.ts";

export type { EngineConfig } from "./config.ts";
export type { Dtype } from "./validate.ts";

/**
 * `Symbol.dispose`, or the registered symbol TypeScript's `using` falls back to
 * on runtimes that lack it.
 */
export const DISPOSE: typeof Symbol.dispose = ((Symbol as { dispose?: symbol }).dispose ??
  Symbol.for("Symbol.dispose")) as typeof Symbol.dispose;

/** Options of {@linkcode AllocationEngine.preWarm}. */
export interface PreWarmOptions {
  /** Element type of the buffers to prepare (default `"float32"`). */
  dtype?: Dtype;
  /** Buffers per listed size (default 1; a size listed twice counts twice). */
  count?: number;
}

/** Options of {@linkcode AllocationEngine.handleMemoryPressure}. */
export interface MemoryPressureOptions {
  /** `"critical"` (default) evicts every idle buffer; `"moderate"` half of each class. */
  level?: "moderate" | "critical";
}

const STACK = SOURCE_INDEX.stack;
const POOL = SOURCE_INDEX.pool;
const HEAP = SOURCE_INDEX.heap;
const TOO_LARGE = HEAP_REASON_INDEX.too_large;
const POOL_EXHAUSTED = HEAP_REASON_INDEX.pool_exhausted;
const STACK_FULL = HEAP_REASON_INDEX.stack_full;
const POOLED = RELEASE_OUTCOME_INDEX.pooled;
const DROPPED_FULL = RELEASE_OUTCOME_INDEX.dropped_full;
const DROPPED_PRESSURE = RELEASE_OUTCOME_INDEX.dropped_pressure;
const REJECTED = RELEASE_OUTCOME_INDEX.rejected;
const DOUBLE_RELEASE = MISUSE_INDEX.double_release;
const FOREIGN_RELEASE = MISUSE_INDEX.foreign_release;
const MANUAL = PRESSURE_TRIGGER_INDEX.manual;
const CRITICAL = PRESSURE_LEVEL_INDEX.critical;
const FRAME_OPERATION = 1;
const FRAME_SCOPE = 2;
const CLOSE_SCOPE: unique symbol = Symbol("closeScope");

/**
 * A scope opened by {@linkcode AllocationEngine.scope} without a callback, for
 * `using`: results acquired while it is the innermost frame may live on the
 * stack arena and are reclaimed when it is disposed. Disposing is idempotent;
 * disposing an outer scope also closes frames still open inside it.
 */
export class EngineScope {
  readonly #engine: AllocationEngine;
  readonly #depth: number;
  readonly #serial: number;

  /** @internal Created by {@linkcode AllocationEngine.scope}. */
  constructor(engine: AllocationEngine, depth: number, serial: number) {
    this.#engine = engine;
    this.#depth = depth;
    this.#serial = serial;
  }

  /** Closes the scope (same as `[Symbol.dispose]()`). */
  close(): void {
    this.#engine[CLOSE_SCOPE](this.#depth, this.#serial);
  }

  /** Closes the scope at the end of a `using` block. */
  [DISPOSE](): void {
    this.close();
  }
}

/**
 * One allocation engine: a stack arena, a size-class pool, the heap fallback,
 * their counters and a maintenance timer. Create it with
 * {@linkcode createEngine}. It is also the {@linkcode Workspace} that
 * {@linkcode AllocationEngine.beginOperation} returns.
 */
export class AllocationEngine implements Workspace {
  /** Allocation counters (counts only); telemetry reads them at collection time. */
  readonly counters: AllocationCounters = new AllocationCounters();
  /**
   * The operation metrics of this engine: the sink that operations run on it count
   * into (and time, while `telemetry` is on); telemetry reads it at collection time.
   */
  readonly metrics: OperationMetrics = new OperationMetrics();
  #config: EngineConfig;
  #arena: StackArena;
  readonly #pool: SizeClassPool;
  #timer: MaintenanceTimer | undefined;
  #frameMarks = new Int32Array(64);
  #frameScratch = new Int32Array(64);
  #frameKinds = new Uint8Array(64);
  #frameSerials = new Float64Array(64);
  #depth = 0;
  #serial = 0;
  readonly #scratch: (Float | undefined)[] = [];
  #scratchCount = 0;
  readonly #heapIssued = new WeakSet<Float>();
  readonly #heapReleased = new WeakSet<Float>();
  #pressureLevel = 0;
  #tuner: AutoTuner | undefined;
  /** Counter values at the start of the current maintenance window. */
  #windowStart = { overflows: 0, stackAllocations: 0, poolExhausted: 0, poolRequests: 0 };

  /** Use {@linkcode createEngine}; `config` must already be resolved. */
  constructor(config: EngineConfig) {
    this.#config = config;
    this.metrics.timing = config.telemetry;
    this.#arena = new StackArena(config.stackBytes);
    this.#pool = new SizeClassPool(this.counters, {
      maxBytes: config.poolMaxBytes,
      maxBuffersPerClass: config.poolMaxBuffersPerClass,
    });
    const tune = autoTuneSettings(config.autoTune);
    this.#tuner = tune === undefined ? undefined : new AutoTuner(tune);
    this.#startTimer();
  }

  /** A copy of the current configuration. */
  get config(): Readonly<EngineConfig> {
    return Object.freeze({ ...this.#config });
  }

  /** Whether costlier telemetry work (operation timing) is enabled. */
  get telemetry(): boolean {
    return this.#config.telemetry;
  }

  /** Whether the maintenance timer runs and is unref'd (it can never keep the process alive). */
  get maintenanceTimerUnrefed(): boolean | undefined {
    return this.#timer?.unrefed;
  }

  /**
   * Returns a `Float32Array` of exactly `length` elements: from the stack arena
   * when called directly inside a scope and `length <= stackThreshold`, else
   * from the pool, else from the heap. Contents are undefined. Give pool and
   * heap results back with {@linkcode AllocationEngine.release}.
   */
  acquireFloat32(length: number): Float32Array {
    return this.#acquire(4, checkLength(length, "acquireFloat32", "length", 4)) as Float32Array;
  }

  /** Like {@linkcode AllocationEngine.acquireFloat32}, for `Float64Array`. */
  acquireFloat64(length: number): Float64Array {
    return this.#acquire(8, checkLength(length, "acquireFloat64", "length", 8)) as Float64Array;
  }

  /**
   * Gives a result back. Pool buffers return to the pool (or are dropped when
   * it is full or under critical pressure); heap results are dropped; stack
   * results inside their live scope are a no-op (the scope reclaims them).
   * Throws (and counts under misuse, leaving the pool unchanged) when `buf` was
   * already released or was never handed out by this engine.
   */
  release(buf: Float32Array | Float64Array): void {
    // A detached buffer must never go back to the pool (its memory is gone).
    if (
      floatArrayName(buf) !== undefined && typedArrayLength(buf) === 0 && !typedArrayUsable(buf)
    ) {
      this.#misuse(FOREIGN_RELEASE);
      throw typeError("release", "buf", "a buffer whose memory is not gone (detached)", buf);
    }
    // The pool is asked first: it is the hot path, and a WeakMap lookup accepts any value.
    const result = this.#pool.release(buf);
    if (result >= 0) {
      if (this.#config.debug) buf.fill(NaN);
      return;
    }
    if (result !== ReleaseResult.Double) this.#releaseSlow(buf);
    else {
      this.#misuse(DOUBLE_RELEASE);
      throw rangeError("release", "buf", "a buffer that is not released yet", buf);
    }
  }

  /**
   * Fills the pool with idle buffers for these element counts (within the
   * limits) so the first requests hit. Returns the number of buffers added.
   * All sizes are checked before anything is added.
   */
  preWarm(sizes: readonly number[], options?: PreWarmOptions): number {
    if (!Array.isArray(sizes)) {
      throw typeError("preWarm", "sizes", "an array of element counts", sizes);
    }
    const dtype = checkDtype(options?.dtype, "preWarm");
    const bytesPerElement = dtype === "float64" ? 8 : 4;
    const count = options?.count === undefined
      ? 1
      : checkLength(options.count, "preWarm", "count", 1);
    // Each size is read once: an array whose getters change between reads cannot
    // slip an unchecked size into the pool.
    const checked: number[] = [];
    for (let i = 0, length = sizes.length; i < length; i++) {
      checked.push(checkLength(sizes[i], "preWarm", `sizes[${i}]`, bytesPerElement));
    }
    let added = 0;
    for (const size of checked) added += this.#pool.preWarm(size, { bytesPerElement, count });
    return added;
  }

  /**
   * Frees pooled idle memory now (a manual memory-pressure event) and returns
   * the bytes freed. Buffers in use are not touched.
   */
  handleMemoryPressure(options?: MemoryPressureOptions): number {
    const level = options?.level ?? "critical";
    if (level !== "critical" && level !== "moderate") {
      throw typeError("handleMemoryPressure", "level", '"moderate" or "critical"', level);
    }
    const index = PRESSURE_LEVEL_INDEX[level];
    this.counters.pressureEvents[index * PRESSURE_TRIGGERS.length + MANUAL]++;
    return this.#pool.evictForPressure(index === CRITICAL ? 1 : 0.5);
  }

  /**
   * Reads the runtime's memory usage against the configured thresholds and acts:
   * moderate evicts half of the idle buffers, critical evicts all of them and
   * drops released buffers until the level falls. Returns the level.
   */
  checkMemoryPressure(): PressureLevel {
    const read = this.#config.readMemoryUsage ?? runtimeMemoryUsage();
    if (read === undefined) return "none";
    const reading = pressureLevelOf(read(), this.#config);
    this.#pressureLevel = reading.level;
    this.#pool.dropOnRelease = reading.level === CRITICAL;
    if (reading.level > 0) {
      this.counters.pressureEvents[reading.level * PRESSURE_TRIGGERS.length + reading.trigger]++;
      this.#pool.evictForPressure(reading.level === CRITICAL ? 1 : 0.5);
    }
    return PRESSURE_LEVELS[reading.level];
  }

  /**
   * One maintenance pass (the timer runs it every `maintenanceIntervalMs`; tests
   * may call it directly): the pressure check; with `autoTune` and no pressure,
   * the move of `stackBytes` and `poolMaxBuffersPerClass` toward the hints of the
   * window since the previous pass; trimming of classes idle for
   * `trimAfterIdlePasses` passes; then (without pressure) pre-warming of the sizes
   * that missed most since the last pass. It ends the window: the window peaks
   * (`getStats().stack.windowPeakBytes`) restart from the current use. Returns the
   * bytes trimmed.
   */
  maintain(): number {
    const level = this.checkMemoryPressure();
    if (this.#tuner !== undefined && level === "none") this.#autoTune(this.#tuner);
    const freed = this.#pool.maintain(this.#config.trimAfterIdlePasses, level === "none");
    this.#startWindow();
    return freed;
  }

  /** Opens a scope for `using`; dispose it (or call `close()`) to end it. */
  scope(): EngineScope;
  /**
   * Runs `fn` in a scope: results acquired directly inside may live on the
   * stack arena and are reclaimed when `fn` returns or throws. `fn` must be
   * synchronous and must not return stack memory (copy it out first).
   */
  scope<T>(fn: () => T): T;
  scope<T>(fn?: () => T): T | EngineScope {
    if (fn === undefined) {
      const depth = this.#push(FRAME_SCOPE);
      return new EngineScope(this, depth, this.#frameSerials[depth - 1]);
    }
    if (typeof fn !== "function") {
      throw typeError("scope", "fn", "a function or nothing", fn);
    }
    const depth = this.#push(FRAME_SCOPE);
    let result: T;
    try {
      result = fn();
    } finally {
      this.#popTo(depth - 1);
    }
    if (ArrayBuffer.isView(result) && result.buffer === this.#arena.buffer) {
      throw typeError(
        "scope",
        "the result of fn",
        "off the stack arena, which the scope reclaimed (copy it into an acquired buffer first)",
        result,
      );
    }
    if (typeof (result as { then?: unknown } | null)?.then === "function") {
      throw typeError("scope", "the result of fn", "synchronous, not a promise", result);
    }
    return result;
  }

  /**
   * Starts a kernel operation and returns the {@linkcode Workspace} for its
   * scratch (this engine). Pair every call with
   * {@linkcode AllocationEngine.endOperation}, in a `finally`.
   */
  beginOperation(): Workspace {
    this.#push(FRAME_OPERATION);
    return this;
  }

  /** Ends the innermost operation: pops its stack memory and returns its pool scratch. */
  endOperation(): void {
    if (this.#depth === 0 || this.#frameKinds[this.#depth - 1] !== FRAME_OPERATION) {
      throw new Error("endOperation: no operation is open (call beginOperation first)");
    }
    this.#popTo(this.#depth - 1);
  }

  /**
   * Scratch of at least `length` float64 elements for the open operation or
   * scope, valid until it ends: stack when `length <= stackThreshold` and it
   * fits, else pool, else heap. Kernels must use explicit lengths.
   */
  takeFloat64(length: number): Float64Array {
    if (this.#depth === 0) {
      throw new Error("takeFloat64: no operation or scope is open (call beginOperation first)");
    }
    checkLength(length, "takeFloat64", "length", 8);
    const counters = this.counters;
    let overflowed = false;
    if (length <= this.#config.stackThreshold) {
      const view = this.#arena.takeScratchFloat64(length);
      if (view !== undefined) {
        this.#count(STACK, length * 8);
        return view;
      }
      overflowed = true;
      counters.stackOverflows++;
    }
    const pooled = this.#pool.acquire(8, length) as Float64Array | undefined;
    if (pooled !== undefined) {
      this.#count(POOL, length * 8);
      this.#scratch[this.#scratchCount++] = pooled;
      return pooled;
    }
    this.#countHeap(length * 8, overflowed);
    return new Float64Array(length);
  }

  /**
   * Changes settings at run time (validated first; a bad key changes nothing).
   * Shrinking the pool limits evicts idle buffers; resizing the stack arena is
   * refused while an operation or scope is open and starts a fresh arena.
   */
  configure(partial: Partial<EngineConfig>): void {
    const next = resolveConfig(partial, this.#config, "configure");
    if (next.stackBytes !== this.#config.stackBytes && this.#depth > 0) {
      throw rangeError(
        "configure",
        "config.stackBytes",
        "left unchanged while a scope or operation is open",
        next.stackBytes,
      );
    }
    const previous = this.#config;
    this.#config = next;
    this.metrics.timing = next.telemetry;
    if (next.autoTune !== previous.autoTune) {
      const tune = autoTuneSettings(next.autoTune);
      if (tune === undefined) this.#tuner = undefined;
      else if (this.#tuner === undefined) this.#tuner = new AutoTuner(tune);
      else this.#tuner.settings = tune;
    }
    if (next.stackBytes !== previous.stackBytes) this.#arena = new StackArena(next.stackBytes);
    if (
      next.poolMaxBytes !== previous.poolMaxBytes ||
      next.poolMaxBuffersPerClass !== previous.poolMaxBuffersPerClass
    ) {
      this.#pool.setLimits({
        maxBytes: next.poolMaxBytes,
        maxBuffersPerClass: next.poolMaxBuffersPerClass,
      });
    }
    if (next.maintenanceIntervalMs !== previous.maintenanceIntervalMs) {
      this.#timer?.stop();
      this.#timer = undefined;
      this.#startTimer();
    }
  }

  /** Exact figures of the engine. */
  getStats(): EngineStats {
    const c = this.counters;
    let stackAllocations = 0, heapAllocations = 0, hits = 0, misses = 0;
    for (let k = 0; k < SIZE_CLASS_COUNT; k++) {
      stackAllocations += c.allocations[STACK * SIZE_CLASS_COUNT + k];
      heapAllocations += c.allocations[HEAP * SIZE_CLASS_COUNT + k];
      hits += c.poolHits[k];
      misses += c.poolMisses[k];
    }
    let pressureEvents = 0;
    for (let k = PRESSURE_TRIGGERS.length; k < c.pressureEvents.length; k++) {
      pressureEvents += c.pressureEvents[k];
    }
    const arena = this.#arena;
    const drops = c.releases[DROPPED_FULL] + c.releases[DROPPED_PRESSURE];
    return {
      stack: {
        capacityBytes: arena.capacityBytes,
        usedBytes: arena.top,
        peakBytes: arena.peak,
        efficiency: arena.capacityBytes === 0 ? 0 : arena.peak / arena.capacityBytes,
        windowPeakBytes: arena.windowPeak,
        windowEfficiency: arena.capacityBytes === 0 ? 0 : arena.windowPeak / arena.capacityBytes,
        allocations: stackAllocations,
        overflows: c.stackOverflows,
      },
      pool: {
        bytes: this.#pool.bytes,
        limitBytes: this.#pool.maxBytes,
        buffers: this.#pool.buffers,
        sizeClasses: this.#pool.sizeClasses,
        hits,
        misses,
        hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
        releases: c.releases[POOLED] + drops,
        drops,
        evictions: this.#pool.evictions,
      },
      heap: { allocations: heapAllocations, bytes: c.allocatedBytes[HEAP] },
      pressure: { events: pressureEvents, level: PRESSURE_LEVELS[this.#pressureLevel] },
      misuse: {
        doubleRelease: c.misuse[DOUBLE_RELEASE],
        foreignRelease: c.misuse[FOREIGN_RELEASE],
        leaked: c.misuse[MISUSE_INDEX.leaked],
      },
    };
  }

  /**
   * Starts peak tracking again from the current use: the stack's lifetime and
   * window peaks (`getStats().stack.peakBytes`, `windowPeakBytes`, and the
   * efficiencies computed from them) and the peak in-use buffers per class behind
   * `convpool_pool_recommended_buffers`. Call it after a known spike (a warm-up,
   * a one-off batch) so the lifetime figures and the tuning hints describe the
   * workload from now on; maintenance passes already restart the window peaks.
   *
   * @example
   * ```ts
   * import { createEngine } from "./engine.ts";
   * const engine = createEngine({ maintenanceIntervalMs: 0 });
   * engine.scope(() => {
   *   engine.acquireFloat64(256); // a 2 KiB spike
   * });
   * engine.resetPeaks();
   * console.log(engine.getStats().stack.peakBytes); // 0
   * ```
   */
  resetPeaks(): void {
    this.#arena.resetPeak();
    this.#pool.resetPeaks();
  }

  /**
   * The pool's levels per size class (idle and in-use buffers, and the peak in-use
   * demand behind the tuning hints): a snapshot the caller owns, not counters.
   *
   * @example
   * ```ts
   * import { createEngine } from "./engine.ts";
   * const engine = createEngine({ maintenanceIntervalMs: 0 });
   * const buffer = engine.acquireFloat32(1000); // a 4096-byte class: index 12
   * console.log(engine.poolLevels().inUseBuffers[12]); // 1
   * engine.release(buffer);
   * console.log(engine.poolLevels().idleBuffers[12]); // 1
   * ```
   */
  poolLevels(): PoolLevels {
    return this.#pool.levels();
  }

  /** Stops the maintenance timer. The engine stays usable; idle pooled memory is kept. */
  close(): void {
    this.#timer?.stop();
    this.#timer = undefined;
  }

  /** Same as {@linkcode AllocationEngine.close}, for `using engine = createEngine()`. */
  [DISPOSE](): void {
    this.close();
  }

  /** @internal Closes the scope frame at `depth` if it is still the one opened with `serial`. */
  [CLOSE_SCOPE](depth: number, serial: number): void {
    if (this.#depth >= depth && this.#frameSerials[depth - 1] === serial) this.#popTo(depth - 1);
  }

  /** The demand since the previous maintenance pass. */
  #window(): TuningWindow {
    const c = this.counters;
    const start = this.#windowStart;
    let stackAllocations = 0, poolRequests = 0;
    for (let k = 0; k < SIZE_CLASS_COUNT; k++) {
      stackAllocations += c.allocations[STACK * SIZE_CLASS_COUNT + k];
      poolRequests += c.poolHits[k] + c.poolMisses[k];
    }
    return {
      stackPeakBytes: this.#arena.windowPeak,
      stackOverflows: c.stackOverflows - start.overflows,
      stackAllocations: stackAllocations - start.stackAllocations,
      peakInUseBuffers: this.#pool.windowPeakInUse,
      poolExhausted: c.heapReasons[POOL_EXHAUSTED] > start.poolExhausted,
      poolRequests: poolRequests - start.poolRequests,
    };
  }

  /** Starts a new maintenance window: counter marks and window peaks from now. */
  #startWindow(): void {
    const c = this.counters;
    const window = this.#window();
    const start = this.#windowStart;
    start.overflows = c.stackOverflows;
    start.stackAllocations += window.stackAllocations;
    start.poolExhausted = c.heapReasons[POOL_EXHAUSTED];
    start.poolRequests += window.poolRequests;
    this.#arena.resetWindowPeak();
    this.#pool.startWindow();
  }

  /** Moves the tuned settings toward the window's hints (see `./auto_tune.ts`). */
  #autoTune(tuner: AutoTuner): void {
    const config = this.#config;
    const next = tuner.next(this.#window(), config);
    const partial: Partial<EngineConfig> = {};
    // A new arena while a scope or operation is open would strand its memory: wait.
    if (next.stackBytes !== config.stackBytes && this.#depth === 0) {
      partial.stackBytes = next.stackBytes;
      this.#countAdjustment(
        AUTO_TUNE_SETTING_INDEX.stack_bytes,
        next.stackBytes > config.stackBytes,
      );
    }
    if (next.poolMaxBuffersPerClass !== config.poolMaxBuffersPerClass) {
      partial.poolMaxBuffersPerClass = next.poolMaxBuffersPerClass;
      this.#countAdjustment(
        AUTO_TUNE_SETTING_INDEX.pool_buffers_per_class,
        next.poolMaxBuffersPerClass > config.poolMaxBuffersPerClass,
      );
    }
    if (partial.stackBytes !== undefined || partial.poolMaxBuffersPerClass !== undefined) {
      this.configure(partial);
    }
  }

  #countAdjustment(setting: number, up: boolean): void {
    const direction = up ? AUTO_TUNE_DIRECTION_INDEX.up : AUTO_TUNE_DIRECTION_INDEX.down;
    this.counters.autoTuneAdjustments[setting * AUTO_TUNE_DIRECTIONS.length + direction]++;
  }

  /** Release of anything the pool does not own: stack views, heap results, misuse. */
  #releaseSlow(buf: unknown): void {
    if (!isFloatArray(buf)) {
      this.#misuse(FOREIGN_RELEASE);
      throw typeError(
        "release",
        "buf",
        "a Float32Array or Float64Array handed out by this engine",
        buf,
      );
    }
    if (this.#arena.owns(buf)) {
      if (this.#depth > 0 && buf.byteOffset + buf.byteLength <= this.#arena.top) return;
      this.#misuse(DOUBLE_RELEASE);
      throw rangeError("release", "buf", "stack memory of a scope that is still open", buf);
    }
    if (this.#pool.isRetired(buf) || this.#heapReleased.has(buf)) {
      this.#misuse(DOUBLE_RELEASE);
      throw rangeError("release", "buf", "a buffer that is not released yet", buf);
    }
    if (this.#heapIssued.has(buf)) {
      this.#heapIssued.delete(buf);
      this.#heapReleased.add(buf);
      this.counters.releases[DROPPED_FULL]++;
      if (this.#config.debug) buf.fill(NaN);
      return;
    }
    this.#misuse(FOREIGN_RELEASE);
    throw rangeError("release", "buf", "a buffer this engine handed out", buf);
  }

  #acquire(bytesPerElement: number, length: number): Float {
    const bytes = length * bytesPerElement;
    let overflowed = false;
    if (
      this.#depth > 0 && this.#frameKinds[this.#depth - 1] === FRAME_SCOPE &&
      length <= this.#config.stackThreshold
    ) {
      const view = bytesPerElement === 8
        ? this.#arena.takeFloat64(length)
        : this.#arena.takeFloat32(length);
      if (view !== undefined) {
        this.#count(STACK, bytes);
        return view;
      }
      overflowed = true;
      this.counters.stackOverflows++;
    }
    const pooled = this.#pool.acquire(bytesPerElement, length);
    if (pooled !== undefined) {
      this.#count(POOL, bytes);
      return pooled;
    }
    this.#countHeap(bytes, overflowed);
    const view = bytesPerElement === 8 ? new Float64Array(length) : new Float32Array(length);
    this.#heapIssued.add(view);
    return view;
  }

  #count(source: number, bytes: number): void {
    this.counters.allocations[source * SIZE_CLASS_COUNT + sizeClassOf(bytes)]++;
    this.counters.allocatedBytes[source] += bytes;
  }

  #countHeap(bytes: number, overflowed: boolean): void {
    this.#count(HEAP, bytes);
    const reason = overflowed
      ? STACK_FULL
      : this.#pool.lastFailure === AcquireFailure.TooLarge
      ? TOO_LARGE
      : POOL_EXHAUSTED;
    this.counters.heapReasons[reason]++;
  }

  #misuse(kind: number): void {
    this.counters.misuse[kind]++;
    this.counters.releases[REJECTED]++;
  }

  #push(kind: number): number {
    const depth = this.#depth;
    if (depth === this.#frameKinds.length) this.#growFrames();
    this.#frameMarks[depth] = this.#arena.top;
    this.#frameScratch[depth] = this.#scratchCount;
    this.#frameKinds[depth] = kind;
    this.#frameSerials[depth] = ++this.#serial;
    this.#depth = depth + 1;
    return depth + 1;
  }

  #popTo(depth: number): void {
    if (depth >= this.#depth) return;
    const scratchFrom = this.#frameScratch[depth];
    const debug = this.#config.debug;
    for (let i = this.#scratchCount - 1; i >= scratchFrom; i--) {
      const view = this.#scratch[i]!;
      this.#scratch[i] = undefined;
      if (this.#pool.release(view) >= 0 && debug) view.fill(NaN);
    }
    this.#scratchCount = scratchFrom;
    this.#arena.popTo(this.#frameMarks[depth], debug);
    this.#depth = depth;
  }

  #growFrames(): void {
    const size = this.#frameKinds.length * 2;
    const marks = new Int32Array(size), scratch = new Int32Array(size);
    const kinds = new Uint8Array(size), serials = new Float64Array(size);
    marks.set(this.#frameMarks);
    scratch.set(this.#frameScratch);
    kinds.set(this.#frameKinds);
    serials.set(this.#frameSerials);
    this.#frameMarks = marks;
    this.#frameScratch = scratch;
    this.#frameKinds = kinds;
    this.#frameSerials = serials;
  }

  #startTimer(): void {
    if (this.#config.maintenanceIntervalMs === 0) return;
    // The timer holds the engine weakly, so a dropped engine can be collected.
    const ref = new WeakRef(this);
    const timer = startMaintenanceTimer(this.#config.maintenanceIntervalMs, () => {
      const engine = ref.deref();
      if (engine === undefined) timer.stop();
      else engine.maintain();
    });
    this.#timer = timer;
  }
}

/**
 * Creates an independent allocation engine. `config` keys (all optional) are
 * those of {@linkcode EngineConfig}; unknown keys and bad values throw.
 *
 * @example
 * ```ts
 * import { createEngine } from "./engine.ts";
 * using engine = createEngine({ stackBytes: 65536, debug: true });
 * engine.preWarm([1024, 4096], { dtype: "float32" });
 * ```
 */
export function createEngine(config?: Partial<EngineConfig>): AllocationEngine {
  return new AllocationEngine(resolveConfig(config, DEFAULT_ENGINE_CONFIG));
}
