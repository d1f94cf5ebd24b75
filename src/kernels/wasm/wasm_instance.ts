/**
 * The one WebAssembly instance of the kernels in this process: its linear memory,
 * how that memory is laid out and grown, and when it is given back.
 *
 * Layout (byte sizes in `wasm_layout.ts`): the module's static data below its
 * `heapBase`, then the persistent FFT tables (per size and precision), then the
 * cached kernel spectrum (`kernel_spectrum.ts`), then the scratch of the current
 * call. Users never see views of the memory (growth would detach them): the kernel
 * wrappers copy inputs in and the window out. Views are cached and re-created only
 * after growth, so steady-state calls allocate nothing on the JS heap.
 *
 * Growth and release: linear memory can only grow, so after a call that needed more
 * than the retention bound ({@linkcode DEFAULT_WASM_RETAIN_BYTES} by default), a
 * maintenance timer (through `src/runtime/timers.ts`) checks every
 * {@linkcode DEFAULT_WASM_RELEASE_CHECK_MS} ms; once a whole interval passes without
 * a call needing more than the bound, the instance is dropped, its memory left to the
 * garbage collector, and the next call instantiates the compiled module afresh.
 * An exception part-way through a call drops the instance too, so that nothing the
 * failed call wrote can be seen by a later one.
 *
 * Reading the state ({@linkcode wasmInstanceStatus}, {@linkcode wasmMemoryBytes})
 * never instantiates anything; only {@linkcode currentWasmInstance} does.
 *
 * @example
 * ```ts
 * import { currentWasmInstance, wasmInstanceStatus } from "./wasm_instance.ts";
 * console.log(wasmInstanceStatus().alive); // false: nothing has run yet
 * const instance = currentWasmInstance(); // instantiates (null without SIMD)
 * console.log(instance === null || wasmInstanceStatus().alive); // true
 * ```
 *
 * @module
 */

import { rangeError } from "../../validate.ts";
import { type MaintenanceTimer, startMaintenanceTimer } from "../../maintenance_timer.ts";
import type { Float } from "../../types.ts";
import { KernelSpectrumCache } from "./kernel_spectrum.ts";
import { compileWasm, instantiateWasm, simdSupported, type WasmExports } from "./loader.ts";
import { alignUp, fftTableBytes, twiddleElements, WASM_MEMORY_LIMIT_BYTES } from "./wasm_layout.ts";

/**
 * Settings that only tests change, through `src/internal/testing.ts` (which the
 * package does not export). Kept in one object so that the kernels read them where
 * they apply.
 */
export interface WasmTestSettings {
  /** False forces the TypeScript kernels ({@linkcode currentWasmInstance} returns null). */
  enabled: boolean;
  /** The linear memory's limit in bytes (lowered to reach the limits with small arrays). */
  memoryLimit: number;
  /** Runs after a call's inputs are in linear memory and before its kernel, when set. */
  faultHook: ((memory: WebAssembly.Memory) => void) | null;
}

/**
 * The test settings in force; written only by `src/internal/testing.ts`.
 *
 * @example
 * ```ts
 * import { WASM_TEST_SETTINGS } from "./wasm_instance.ts";
 * console.log(WASM_TEST_SETTINGS.enabled, WASM_TEST_SETTINGS.memoryLimit); // true 4294967296
 * ```
 */
export const WASM_TEST_SETTINGS: WasmTestSettings = {
  enabled: true,
  memoryLimit: WASM_MEMORY_LIMIT_BYTES,
  faultHook: null,
};

/**
 * One instance of the kernels' module and the layout of its linear memory: the
 * persistent FFT tables, the kernel-spectrum cache and the scratch of the call in
 * progress. Obtain it with {@linkcode currentWasmInstance}.
 *
 * @example
 * ```ts
 * import { currentWasmInstance } from "./wasm_instance.ts";
 * const instance = currentWasmInstance();
 * if (instance !== null) {
 *   const tables = instance.fftTables(16, false); // built once, then looked up
 *   console.log(instance.fftTables(16, false) === tables); // true
 * }
 * ```
 */
export class WasmInstance {
  /** The module's exports (the raw kernels, taking byte addresses). */
  readonly exports: WasmExports;
  /** The single linear memory. */
  readonly memory: WebAssembly.Memory;
  /** float32 view of the whole memory (re-created after growth). */
  viewF32: Float32Array = new Float32Array(0);
  /** float64 view of the whole memory (re-created after growth). */
  viewF64: Float64Array = new Float64Array(0);
  /** The last kernel's spectrum, at {@linkcode WasmInstance.persistentTop}. */
  readonly spectrum: KernelSpectrumCache = new KernelSpectrumCache();
  /** First byte after the module's static data (its heapBase, aligned). */
  readonly staticTop: number;
  /** First byte after the persistent tables; the spectrum, then scratch, begin here. */
  persistentTop: number;
  /**
   * The most memory any call needed since the last release check: its scratch, its
   * FFT tables and the kernel spectrum, i.e. what it would take in a fresh instance
   * (the tables of other sizes, kept from earlier calls, do not count).
   */
  neededSinceCheck = 0;
  #buffer: ArrayBuffer | null = null;
  /** #buffer's byteLength, kept as a number (reading the getter costs more). */
  #end = 0;
  /** FFT tables per (size, precision): key = size * 2 + (f64 ? 1 : 0) -> address. */
  readonly #tables = new Map<number, number>();
  // Output-view cache: `out.set(view.subarray(..))` needs a view object; keeping the
  // last two lets steady-state calls of the same shape reuse them (zero allocation).
  readonly #outViews: (Float32Array | Float64Array | null)[] = [null, null];
  readonly #outIndex: number[] = [-1, -1];
  readonly #outLength: number[] = [-1, -1];

  /** Wraps freshly instantiated exports. */
  constructor(exports: WasmExports) {
    this.exports = exports;
    this.memory = exports.memory;
    this.staticTop = alignUp(exports.heapBase());
    this.persistentTop = this.staticTop;
    this.#refreshViews();
  }

  /** Current size of the linear memory in bytes. */
  get byteLength(): number {
    return this.#end;
  }

  /** First byte of per-call scratch (after the cached spectrum, if any). */
  scratchBase(): number {
    return this.persistentTop + this.spectrum.occupiedBytes;
  }

  /**
   * Forgets everything kept in linear memory between calls (FFT tables, the cached
   * kernel spectrum, output views): the next call rebuilds what it needs.
   */
  resetSharedState(): void {
    this.#tables.clear();
    this.spectrum.invalidate();
    this.persistentTop = this.staticTop;
    this.#outViews[0] = this.#outViews[1] = null;
    this.#outIndex[0] = this.#outIndex[1] = -1;
  }

  /**
   * Grows linear memory so that bytes [0, end) exist. `needed` is what the calling
   * convolution would take in a fresh instance (see neededSinceCheck).
   */
  ensureMemory(end: number, needed = 0): void {
    if (needed > this.neededSinceCheck) this.neededSinceCheck = needed;
    const have = this.#end;
    if (end <= have) return;
    const limit = WASM_TEST_SETTINGS.memoryLimit;
    if (!Number.isSafeInteger(end) || end > limit) {
      const what = "the linear memory a call needs (bytes)";
      throw rangeError("WebAssembly kernels", what, `at most ${limit}`, end);
    }
    try {
      this.memory.grow(Math.ceil((end - have) / 65536));
    } catch (error) {
      throw new RangeError(
        `WebAssembly kernels: could not grow linear memory from ${have} to ${end} bytes ` +
          `(the runtime refused: ${(error as Error).message})`,
      );
    }
    this.#refreshViews();
    armReleaseTimer();
  }

  /**
   * Throws unless [base, end) is a whole region of scratch: integer byte addresses at
   * or above the persistent tables and inside the memory. Checked before anything is
   * written, so that no length or offset, however it was computed, can write over the
   * tables or outside the memory.
   */
  assertScratch(base: number, end: number): void {
    if (
      !Number.isSafeInteger(base) || !Number.isSafeInteger(end) || base < this.persistentTop ||
      end < base || end > this.#end
    ) {
      throw new RangeError(
        `WebAssembly kernels: scratch must lie in [${this.persistentTop}, ${this.#end}), ` +
          `received [${base}, ${end})`,
      );
    }
  }

  /**
   * Makes room for a call that needs `bytes` above the persistent tables: when the
   * tables of earlier calls leave too little of the address space, they are dropped
   * (the call rebuilds the ones it needs). False when even a fresh instance lacks room.
   */
  roomFor(bytes: number): boolean {
    const limit = WASM_TEST_SETTINGS.memoryLimit;
    if (this.staticTop + bytes > limit) return false;
    if (this.persistentTop + bytes > limit) this.resetSharedState();
    return true;
  }

  /**
   * The longest piece (halving from `length`, no shorter than `shortest`) whose
   * `bytes(pieceLength)` fit in a fresh instance, or 0 when none does.
   */
  fittingPiece(length: number, shortest: number, bytes: (pieceLength: number) => number): number {
    const room = WASM_TEST_SETTINGS.memoryLimit - this.staticTop;
    let piece = length;
    while (bytes(piece) > room) {
      if (piece <= shortest) return 0;
      piece = Math.max(shortest, Math.ceil(piece / 2));
    }
    return piece;
  }

  /** Address of the tables of a complex FFT of size n: [twiddles][positions][real]. */
  fftTables(n: number, f64: boolean): number {
    const key = n * 2 + (f64 ? 1 : 0);
    const found = this.#tables.get(key);
    if (found !== undefined) return found;
    const base = this.persistentTop;
    const pos = base + twiddleBytes(n, f64);
    const rt = pos + alignUp(n * 4);
    const end = base + fftTableBytes(n, f64);
    this.ensureMemory(end);
    if (f64) {
      this.exports.fftInitF64(base, pos, n);
      this.exports.realInitF64(rt, 2 * n);
    } else {
      this.exports.fftInitF32(base, pos, n);
      this.exports.realInitF32(rt, 2 * n);
    }
    this.#tables.set(key, base);
    this.persistentTop = end;
    this.spectrum.invalidate(); // its region was at the old persistentTop
    return base;
  }

  /**
   * Copies `length` elements at byte `address` (float64 when `f64`) into `out`.
   * `slot` (0 or 1) names the output-view cache entry this call site reuses.
   */
  copyOut(slot: number, out: Float, address: number, length: number, f64: boolean): void {
    const index = f64 ? address / 8 : address / 4;
    if (length <= 32) {
      const view = f64 ? this.viewF64 : this.viewF32;
      for (let i = 0; i < length; i++) out[i] = view[index + i];
      return;
    }
    let view = this.#outViews[slot];
    if (
      view === null || this.#outIndex[slot] !== index || this.#outLength[slot] !== length ||
      (view instanceof Float64Array) !== f64
    ) {
      view = f64
        ? this.viewF64.subarray(index, index + length)
        : this.viewF32.subarray(index, index + length);
      this.#outViews[slot] = view;
      this.#outIndex[slot] = index;
      this.#outLength[slot] = length;
    }
    out.set(view);
  }

  #refreshViews(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.#buffer) return;
    this.#buffer = buffer;
    this.#end = buffer.byteLength;
    this.viewF32 = new Float32Array(buffer);
    this.viewF64 = new Float64Array(buffer);
    this.#outViews[0] = null;
    this.#outViews[1] = null;
  }
}

/**
 * Bytes of the twiddle table of a complex FFT of size n, aligned.
 *
 * @example
 * ```ts
 * import { twiddleBytes } from "./wasm_instance.ts";
 * console.log(twiddleBytes(16, false)); // 128 (24 float32 twiddles, aligned)
 * ```
 */
export function twiddleBytes(n: number, f64: boolean): number {
  return alignUp(twiddleElements(n) * (f64 ? 8 : 4));
}

// ---- the process-wide instance ---------------------------------------------------

/** The kernels' module, compiled on first use (null: no WebAssembly SIMD). */
let compiled: WebAssembly.Module | null | undefined;
let current: WasmInstance | null = null;
let instanceDrops = 0;
let releaseCount = 0;

/**
 * The kernels' module, compiled once per process on first use, or `null` without
 * WebAssembly SIMD. Engines that need their own linear memory (the streaming engine)
 * instantiate it themselves, which is cheap next to compiling.
 *
 * @example
 * ```ts
 * import { kernelsModule } from "./wasm_instance.ts";
 * console.log(kernelsModule() === kernelsModule()); // true
 * ```
 */
export function kernelsModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileWasm();
  return compiled;
}

/**
 * The kernels' instance, instantiated from the compiled module on first use (and
 * after a release), or `null` without WebAssembly SIMD (or when tests turned the
 * kernels off).
 *
 * @example
 * ```ts
 * import { currentWasmInstance } from "./wasm_instance.ts";
 * console.log(currentWasmInstance() === currentWasmInstance()); // true
 * ```
 */
export function currentWasmInstance(): WasmInstance | null {
  if (!WASM_TEST_SETTINGS.enabled) return null;
  if (current === null) {
    const exports = instantiateWasm(kernelsModule());
    if (exports !== null) current = new WasmInstance(exports);
  }
  return current;
}

/**
 * Forgets the instance and everything in its memory; the next call instantiates the
 * compiled module afresh. Used by the release timer, and after any exception
 * part-way through a call: whatever that call wrote, and wherever, no later call can
 * see it, not even the module's static data.
 *
 * @example
 * ```ts
 * import { dropWasmInstance, wasmInstanceStatus } from "./wasm_instance.ts";
 * dropWasmInstance();
 * console.log(wasmInstanceStatus().alive); // false
 * ```
 */
export function dropWasmInstance(): void {
  stopReleaseTimer();
  if (current === null) return;
  current = null;
  instanceDrops++;
}

/** What {@linkcode wasmInstanceStatus} reports. */
export interface WasmInstanceStatus {
  /** Whether this runtime has WebAssembly SIMD (the kernels can run). */
  readonly supported: boolean;
  /** False only while tests force the TypeScript kernels. */
  readonly enabled: boolean;
  /** Whether an instance exists now (before first use and after a release it does not). */
  readonly alive: boolean;
  /** Size of the instance's linear memory in bytes (0 when none is alive). */
  readonly memoryBytes: number;
}

/**
 * The instance's state, read without side effects: never instantiates, grows or
 * drops anything (telemetry reads it on every scrape).
 *
 * @example
 * ```ts
 * import { wasmInstanceStatus } from "./wasm_instance.ts";
 * const status = wasmInstanceStatus();
 * console.log(status.alive ? status.memoryBytes > 0 : status.memoryBytes === 0); // true
 * ```
 */
export function wasmInstanceStatus(): WasmInstanceStatus {
  return {
    supported: simdSupported(),
    enabled: WASM_TEST_SETTINGS.enabled,
    alive: current !== null,
    memoryBytes: wasmMemoryBytes(),
  };
}

/**
 * Current size of the kernels' linear memory in bytes (0 before first use and after
 * a release). Never instantiates.
 *
 * @example
 * ```ts
 * import { wasmMemoryBytes } from "./wasm_instance.ts";
 * console.log(wasmMemoryBytes() >= 0); // true
 * ```
 */
export function wasmMemoryBytes(): number {
  return current === null ? 0 : current.byteLength;
}

/**
 * How many times this process dropped the kernels' instance: each release of idle
 * memory, and each call that failed part-way (after which the next call starts a
 * fresh instance, so that nothing the failed call wrote can be seen again).
 *
 * @example
 * ```ts
 * import { wasmInstanceDrops } from "./wasm_instance.ts";
 * console.log(wasmInstanceDrops() >= 0); // true
 * ```
 */
export function wasmInstanceDrops(): number {
  return instanceDrops;
}

/**
 * How many times this process gave idle linear memory back.
 *
 * @example
 * ```ts
 * import { wasmMemoryReleases } from "./wasm_instance.ts";
 * console.log(wasmMemoryReleases() >= 0); // true
 * ```
 */
export function wasmMemoryReleases(): number {
  return releaseCount;
}

// ---- release of idle memory ------------------------------------------------------

/**
 * Linear memory above this many bytes is given back when idle, by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_WASM_RETAIN_BYTES } from "./wasm_instance.ts";
 * console.log(DEFAULT_WASM_RETAIN_BYTES / 2 ** 20); // 16 (MiB)
 * ```
 */
export const DEFAULT_WASM_RETAIN_BYTES = 16 * 1024 * 1024;

/**
 * How often, by default, the release timer checks whether memory is idle (ms).
 *
 * @example
 * ```ts
 * import { DEFAULT_WASM_RELEASE_CHECK_MS } from "./wasm_instance.ts";
 * console.log(DEFAULT_WASM_RELEASE_CHECK_MS); // 5000
 * ```
 */
export const DEFAULT_WASM_RELEASE_CHECK_MS = 5000;

let retainBytes = DEFAULT_WASM_RETAIN_BYTES;
let releaseCheckMs = DEFAULT_WASM_RELEASE_CHECK_MS;
let releaseTimer: MaintenanceTimer | null = null;

/** Starts the release timer when the memory is above the retention bound. */
function armReleaseTimer(): void {
  if (releaseTimer === null && wasmMemoryBytes() > retainBytes) {
    releaseTimer = startMaintenanceTimer(releaseCheckMs, releaseIdleWasmMemory);
  }
}

function stopReleaseTimer(): void {
  releaseTimer?.stop();
  releaseTimer = null;
}

/**
 * One check of the release timer: when the linear memory is above the retention
 * bound and no call since the previous check needed more than the bound, drops the
 * instance (tables, cached kernel spectrum and all) so its memory can be collected.
 * Returns the bytes given up (0 when it kept the memory).
 *
 * @example
 * ```ts
 * import { releaseIdleWasmMemory } from "./wasm_instance.ts";
 * console.log(releaseIdleWasmMemory()); // 0: nothing above the bound
 * ```
 */
export function releaseIdleWasmMemory(): number {
  const bytes = wasmMemoryBytes();
  let needed = 0;
  if (current !== null) {
    needed = current.neededSinceCheck;
    current.neededSinceCheck = 0;
  }
  if (bytes <= retainBytes) {
    stopReleaseTimer();
    return 0;
  }
  if (needed > retainBytes) return 0;
  dropWasmInstance();
  releaseCount++;
  return bytes;
}

/**
 * Sets when idle linear memory is given back: above `bytes`, once a whole
 * `checkIntervalMs` passes without a call needing more (defaults
 * {@linkcode DEFAULT_WASM_RETAIN_BYTES} and {@linkcode DEFAULT_WASM_RELEASE_CHECK_MS}).
 *
 * @throws {RangeError} unless `bytes` is a non-negative integer and `checkIntervalMs`
 * a positive one.
 *
 * @example
 * ```ts
 * import { setWasmMemoryRetention } from "./wasm_instance.ts";
 * setWasmMemoryRetention(64 * 1024 * 1024, 10_000);
 * ```
 */
export function setWasmMemoryRetention(bytes: number, checkIntervalMs: number): void {
  const caller = "setWasmMemoryRetention";
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw rangeError(caller, "bytes", "an integer >= 0 (a retention bound)", bytes);
  }
  if (!Number.isSafeInteger(checkIntervalMs) || checkIntervalMs < 1) {
    throw rangeError(caller, "checkIntervalMs", "an integer >= 1", checkIntervalMs);
  }
  retainBytes = bytes;
  releaseCheckMs = checkIntervalMs;
  stopReleaseTimer();
  armReleaseTimer();
}
