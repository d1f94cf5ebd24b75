/**
 * Typed wrappers around the WebAssembly SIMD kernels.
 *
 * Every convolution wrapper follows the kernel contract shared by all kernels: it
 * computes a WINDOW of the full linear convolution
 * `full[k] = sum_j x[k-j] h[j]`, `k in [0, n+m-1)`, writing `out[i] = full[start+i]`
 * for `i in [0, length)` (nothing else of `out` is touched). `reverseKernel` uses the
 * kernel reversed (correlation) without the caller copying it.
 *
 * Precision follows `out`: a `Float64Array` output is computed in f64x2; a
 * `Float32Array` output by float32 transforms (f32x4) in the FFT kernels, while the
 * direct kernel sums it in f64x2 too and rounds each output once (see
 * {@linkcode convolveDirectWasm}). Inputs of the other type are converted while they
 * are copied into linear memory (mixed precision costs nothing extra).
 *
 * Limits: a call's bytes are counted (`wasm_layout.ts`) before any work; one that does
 * not fit the 4 GiB memory runs in pieces, and an FFT kernel that no piece can hold is
 * a RangeError at once (see {@linkcode wasmFftTapLimit}).
 *
 * Faults: lengths come from the typed arrays' internal slots, every region is checked
 * to be scratch above the persistent tables before it is written, and an exception
 * part-way through a call drops the instance, so the next call starts afresh.
 *
 * Memory: one linear memory, laid out per call by this module and grown when a call
 * needs more. Users never see views of it (growth would detach them): inputs are
 * copied in and the window copied out. Views are cached and re-created only after
 * growth, twiddle tables are cached per FFT size, so steady-state calls allocate
 * nothing on the JS heap.
 *
 * Release: linear memory can only grow, so after a call that needed more than the
 * retention bound (16 MiB by default), an unref'd timer checks every 5 s; once a
 * whole interval passes without a call needing more than the bound, the instance is
 * dropped, its memory left to the garbage collector, and the next call starts a
 * fresh instance of the compiled module (instantiation takes tens of microseconds;
 * the JIT needs a few thousand calls to settle again). See
 * {@linkcode setWasmMemoryRetention}.
 *
 * Kernel spectra: the frequency-domain wrappers keep the last kernel's spectrum
 * together with a copy of the kernel's (converted) bits. A later call whose kernel has
 * the same bits, length, direction, FFT size and precision reuses the spectrum; the
 * check costs one SIMD comparison of m elements, so a kernel mutated in place, or a
 * different array with the same values, is always handled correctly.
 *
 * @example
 * ```ts
 * import { wasmKernels } from "./wasm_kernels.ts";
 * const k = wasmKernels();
 * if (k !== null) {
 *   const x = new Float32Array([1, 2, 3]);
 *   const h = new Float32Array([1, 1]);
 *   const y = new Float32Array(4);
 *   k.convolveDirect(x, h, y, 0, 4, false); // y = [1, 3, 5, 3]
 * }
 * ```
 *
 * @module
 */

import type { Float } from "../../types.ts";
import { type MaintenanceTimer, startMaintenanceTimer } from "../../maintenance_timer.ts";
import { loadWasmExports, releaseWasmExports, type WasmExports } from "./loader.ts";
import { convolveDirect } from "../direct.ts";
import {
  alignUp,
  directBlock,
  directBytes,
  fftTableBytes,
  overlapAddBytes,
  spectrumBytes,
  twiddleElements,
  WASM_MEMORY_LIMIT_BYTES,
} from "./wasm_layout.ts";

/** Options of the frequency-domain wrappers. */
export interface WasmFftOptions {
  /** Complex FFT size to use (power of two >= 16); default: chosen by cost. */
  fftSize?: number;
}

/** The WebAssembly SIMD kernels, bound to one instance. */
export interface WasmKernels {
  /** Register-blocked direct convolution window. */
  convolveDirect(
    signal: Float,
    kernel: Float,
    out: Float,
    start: number,
    length: number,
    reverseKernel: boolean,
  ): void;
  /** Single-transform FFT convolution window (whole signal in one complex FFT). */
  convolveFft(
    signal: Float,
    kernel: Float,
    out: Float,
    start: number,
    length: number,
    reverseKernel: boolean,
    options?: WasmFftOptions,
  ): void;
  /** Fused overlap-add convolution window, block size chosen by cost. */
  convolveOverlapAdd(
    signal: Float,
    kernel: Float,
    out: Float,
    start: number,
    length: number,
    reverseKernel: boolean,
    options?: WasmFftOptions,
  ): void;
  /** Real FFT of `input` (power-of-two length >= 32) into `length/2 + 1` bins. */
  realFft(input: Float, outRe: Float, outIm: Float): void;
  /** Current size of the linear memory in bytes. */
  memoryBytes(): number;
}

// ---- instance state (module-level: one instance per process) ----------------------

let wasm: WasmExports | null = null;
let enabled = true;
let memory: WebAssembly.Memory | null = null;
let viewF32: Float32Array = new Float32Array(0);
let viewF64: Float64Array = new Float64Array(0);
let viewBuffer: ArrayBuffer | null = null;
/** viewBuffer's byteLength, kept as a number (reading the getter costs more). */
let memoryEnd = 0;
/** First byte after the module's static data (its heapBase, aligned). */
let staticTop = 0;
/** First byte after the persistent tables; per-call scratch begins here. */
let persistentTop = 0;
/** FFT tables per (size, precision): key = size * 2 + (f64 ? 1 : 0) -> address. */
const tables = new Map<number, number>();

// Kernel spectrum cache: at persistentTop while valid, the spectrum (re, im) then
// the bits of the kernel it was computed from; specBytes covers both.
let specValid = false;
let specTaps = 0;
let specReverse = false;
let specSize = 0;
let specF64 = false;
let specBytes = 0;
let spectrumReuseCount = 0;

// Output-view cache: `out.set(view.subarray(..))` needs a view object; keeping the
// last two lets steady-state calls of the same shape reuse them (zero allocation).
const outViews: (Float32Array | Float64Array | null)[] = [null, null];
const outIndex: number[] = [-1, -1];
const outLength: number[] = [-1, -1];

/** Linear memory above this many bytes is given back when idle, by default. */
export const DEFAULT_WASM_RETAIN_BYTES = 16 * 1024 * 1024;
/** How often, by default, the release timer checks whether memory is idle (ms). */
export const DEFAULT_WASM_RELEASE_CHECK_MS = 5000;

// Release of idle memory (see the module notes).
let retainBytes = DEFAULT_WASM_RETAIN_BYTES;
let releaseCheckMs = DEFAULT_WASM_RELEASE_CHECK_MS;
/**
 * The most memory any call needed since the last release check: its scratch, its
 * FFT tables and the kernel spectrum, i.e. what it would take in a fresh instance
 * (the tables of other sizes, kept from earlier calls, do not count).
 */
let neededSinceCheck = 0;
let releaseTimer: MaintenanceTimer | null = null;
let releaseCount = 0;
/** Instances dropped, by the release timer or after a call that failed part-way. */
let instanceDrops = 0;

/**
 * The length of a typed array, checked before any layout is computed from it: a Proxy
 * (not a view of a buffer) or a length that is not an integer in [0, 2^32) is a
 * TypeError. A subclass whose getter returns some other integer can only make its
 * own result wrong: every copy goes forward from the start of this call's scratch,
 * which lies above the persistent tables and the cached spectrum, and copies the
 * array's real length, which a copy past the end of memory refuses.
 */
function lengthOf(array: Float): number {
  if (!ArrayBuffer.isView(array)) {
    throw new TypeError("WebAssembly kernels: expected a typed array, received another object");
  }
  const length = array.length;
  if ((length >>> 0) !== length) {
    throw new TypeError(
      `WebAssembly kernels: expected a typed array length, an integer in [0, 2^32), received ${
        String(length)
      }`,
    );
  }
  return length;
}

/** The linear memory's limit in bytes; lowered only by tests (setWasmMemoryLimitForTests). */
let memoryLimit = WASM_MEMORY_LIMIT_BYTES;

/** Called just before the kernel runs, only by tests (see setWasmFaultHookForTests). */
let faultHook: ((memory: WebAssembly.Memory) => void) | null = null;

/**
 * Forgets everything kept in linear memory between calls (FFT tables, the cached
 * kernel spectrum, output views): the next call rebuilds what it needs.
 */
function resetSharedState(): void {
  tables.clear();
  specValid = false;
  persistentTop = staticTop;
  outViews[0] = outViews[1] = null;
  outIndex[0] = outIndex[1] = -1;
}

/**
 * Throws unless [base, end) is a whole region of scratch: integer byte addresses at
 * or above the persistent tables and inside the memory. Checked before anything is
 * written, so that no length or offset, however it was computed, can write over the
 * tables or outside the memory.
 */
function assertScratch(base: number, end: number): void {
  if (
    !Number.isSafeInteger(base) || !Number.isSafeInteger(end) || base < persistentTop ||
    end < base || end > memoryEnd
  ) {
    throw new RangeError(
      `WebAssembly kernels: scratch must lie in [${persistentTop}, ${
        viewBuffer!.byteLength
      }), received [${base}, ${end})`,
    );
  }
}

function initialise(): boolean {
  if (wasm !== null) return true;
  const loaded = loadWasmExports();
  if (loaded === null) return false;
  wasm = loaded;
  memory = loaded.memory;
  staticTop = alignUp(loaded.heapBase());
  persistentTop = staticTop;
  refreshViews();
  return true;
}

function refreshViews(): void {
  const buffer = memory!.buffer;
  if (buffer === viewBuffer) return;
  viewBuffer = buffer;
  memoryEnd = buffer.byteLength;
  viewF32 = new Float32Array(buffer);
  viewF64 = new Float64Array(buffer);
  outViews[0] = null;
  outViews[1] = null;
}

/**
 * Grows linear memory so that bytes [0, end) exist. `needed` is what the calling
 * convolution would take in a fresh instance (see neededSinceCheck).
 */
function ensureMemory(end: number, needed = 0): void {
  if (needed > neededSinceCheck) neededSinceCheck = needed;
  // viewBuffer is memory.buffer until the next growth (only this module grows it);
  // reading the ArrayBuffer is cheaper than the Memory's buffer getter.
  const have = memoryEnd;
  if (end > have) {
    if (!Number.isSafeInteger(end) || end > memoryLimit) {
      throw new RangeError(
        `WebAssembly kernels: memory must stay within ${memoryLimit} bytes, ` +
          `received a request for ${end}`,
      );
    }
    try {
      memory!.grow(Math.ceil((end - have) / 65536));
    } catch (error) {
      throw new RangeError(
        `WebAssembly kernels: could not grow linear memory from ${have} to ${end} bytes ` +
          `(the runtime refused: ${(error as Error).message})`,
      );
    }
    refreshViews();
    armReleaseTimer();
  }
}

/** Starts the release timer when the memory is above the retention bound. */
function armReleaseTimer(): void {
  if (releaseTimer === null && viewBuffer !== null && viewBuffer.byteLength > retainBytes) {
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
 */
export function releaseIdleWasmMemory(): number {
  const bytes = viewBuffer === null ? 0 : viewBuffer.byteLength;
  const needed = neededSinceCheck;
  neededSinceCheck = 0;
  if (bytes <= retainBytes) {
    stopReleaseTimer();
    return 0;
  }
  if (needed > retainBytes) return 0;
  dropInstance();
  releaseCount++;
  return bytes;
}

/**
 * Forgets the instance and everything in its memory; the next call instantiates the
 * compiled module afresh (tens of microseconds). Used by the release timer, and after
 * any exception part-way through a call: whatever that call wrote, and wherever, no
 * later call can see it, not even the module's static data.
 */
function dropInstance(): void {
  stopReleaseTimer();
  wasm = null;
  memory = null;
  viewBuffer = null;
  memoryEnd = 0;
  viewF32 = new Float32Array(0);
  viewF64 = new Float64Array(0);
  resetSharedState();
  releaseWasmExports();
  instanceDrops++;
}

/**
 * Sets when idle linear memory is given back: above `bytes`, once a whole
 * `checkIntervalMs` passes without a call needing more (defaults
 * {@linkcode DEFAULT_WASM_RETAIN_BYTES} and {@linkcode DEFAULT_WASM_RELEASE_CHECK_MS}).
 *
 * @throws {RangeError} unless `bytes` is a non-negative integer and `checkIntervalMs`
 * a positive one.
 */
export function setWasmMemoryRetention(bytes: number, checkIntervalMs: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`Expected a retention bound in bytes (an integer >= 0), got ${bytes}`);
  }
  if (!Number.isSafeInteger(checkIntervalMs) || checkIntervalMs < 1) {
    throw new RangeError(
      `Expected a check interval in ms (an integer >= 1), got ${checkIntervalMs}`,
    );
  }
  retainBytes = bytes;
  releaseCheckMs = checkIntervalMs;
  stopReleaseTimer();
  armReleaseTimer();
}

/**
 * How many times this process dropped the kernels' instance: each release of idle
 * memory, and each call that failed part-way (after which the next call starts a
 * fresh instance, so that nothing the failed call wrote can be seen again).
 *
 * @example
 * ```ts
 * import { wasmInstanceDrops } from "./wasm_kernels.ts";
 * console.log(wasmInstanceDrops() >= 0); // true
 * ```
 */
export function wasmInstanceDrops(): number {
  return instanceDrops;
}

/** How many times this process gave idle linear memory back (see the module notes). */
export function wasmMemoryReleases(): number {
  return releaseCount;
}

function twiddleBytes(n: number, bytes: number): number {
  return alignUp(twiddleElements(n) * bytes);
}

/** Address of the tables of a complex FFT of size n: [twiddles][positions][real]. */
function fftTables(n: number, f64: boolean): number {
  const key = n * 2 + (f64 ? 1 : 0);
  const found = tables.get(key);
  if (found !== undefined) return found;
  const bytes = f64 ? 8 : 4;
  const base = persistentTop;
  const pos = base + twiddleBytes(n, bytes);
  const rt = pos + alignUp(n * 4);
  const end = base + fftTableBytes(n, f64);
  ensureMemory(end);
  if (f64) {
    wasm!.fftInitF64(base, pos, n);
    wasm!.realInitF64(rt, 2 * n);
  } else {
    wasm!.fftInitF32(base, pos, n);
    wasm!.realInitF32(rt, 2 * n);
  }
  tables.set(key, base);
  persistentTop = end;
  specValid = false; // its region was at the old persistentTop
  return base;
}

/** First byte of per-call scratch (after the cached spectrum, if any). */
function scratchBase(): number {
  return specValid ? persistentTop + specBytes : persistentTop;
}

function copyOut(slot: number, out: Float, address: number, length: number, f64: boolean): void {
  const index = f64 ? address / 8 : address / 4;
  if (length <= 32) {
    const view = f64 ? viewF64 : viewF32;
    for (let i = 0; i < length; i++) out[i] = view[index + i];
    return;
  }
  let view = outViews[slot];
  if (
    view === null || outIndex[slot] !== index || outLength[slot] !== length ||
    (view instanceof Float64Array) !== f64
  ) {
    view = f64 ? viewF64.subarray(index, index + length) : viewF32.subarray(index, index + length);
    outViews[slot] = view;
    outIndex[slot] = index;
    outLength[slot] = length;
  }
  out.set(view);
}

function checkWindow(
  n: number,
  m: number,
  outLength: number,
  start: number,
  length: number,
): void {
  const full = n + m - 1;
  if (n === 0 || m === 0) {
    throw new RangeError(`Expected non-empty signal and kernel, got lengths ${n} and ${m}`);
  }
  if (
    !Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 ||
    start + length > full || length > outLength
  ) {
    throw new RangeError(
      `Expected a window inside [0, ${full}) that fits out (length ${outLength}), ` +
        `got start ${start} and length ${length}`,
    );
  }
}

function requireWasm(): void {
  if (!enabled || !initialise()) {
    throw new Error("WebAssembly SIMD kernels are not available in this runtime");
  }
}

/** Bytes from the start of linear memory to the first byte a fresh instance can use. */
function freshBase(): number {
  return staticTop;
}

/**
 * Makes room for a call that needs `bytes` above the persistent tables: when the
 * tables of earlier calls leave too little of the address space, they are dropped
 * (the call rebuilds the ones it needs). False when even a fresh instance lacks room.
 */
function roomFor(bytes: number): boolean {
  if (freshBase() + bytes > memoryLimit) return false;
  if (persistentTop + bytes > memoryLimit) resetSharedState();
  return true;
}

/**
 * Runs `window` on consecutive pieces of `pieceLength` outputs of the window
 * `[start, start + length)`, each given only the part of the signal it reads, so that
 * a problem larger than the linear memory is computed in parts that fit.
 */
function inPieces(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  pieceLength: number,
  window: (s: Float, k: Float, o: Float, start: number, length: number, r: boolean) => void,
): void {
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  for (let done = 0; done < length; done += pieceLength) {
    const count = Math.min(pieceLength, length - done);
    const first = start + done;
    const lo = Math.max(0, first - m + 1);
    const hi = Math.min(n, first + count);
    window(
      signal.subarray(lo, hi),
      kernel,
      out.subarray(done, done + count),
      first - lo,
      count,
      reverseKernel,
    );
  }
}

/**
 * The longest piece (halving from `length`, no shorter than `shortest`) whose
 * `bytes(pieceLength)` fit in a fresh instance, or 0 when none does.
 */
function fittingPiece(
  length: number,
  shortest: number,
  bytes: (pieceLength: number) => number,
): number {
  const room = memoryLimit - freshBase();
  let piece = length;
  while (bytes(piece) > room) {
    if (piece <= shortest) return 0;
    piece = Math.max(shortest, Math.ceil(piece / 2));
  }
  return piece;
}

// ---- direct --------------------------------------------------------------------

/**
 * Direct (register-blocked SIMD) convolution window: `out[i] = full[start + i]`.
 *
 * Sums: every output is the float64 sum, tap by tap, of the products of the inputs'
 * values. A `Float64Array` output is that sum (f64x2 lanes). A `Float32Array` output is
 * that sum rounded once to float32: the kernel widens the float32 data to float64
 * (exactly) tile by tile, so each product is exact and the output equals the
 * `Float64Array` output of the same inputs rounded to float32, bit for bit. Its error
 * is thus half a float32 spacing of the output plus the float64 sum's own error, and
 * no float32 result can be closer: `[2^24, 1 x 299]` convolved with 300 ones gives
 * 16777516 at index 299, the float32 nearest to 16777515.
 *
 * A window too large for the linear memory (4 GiB) is computed in pieces that fit,
 * and one whose every piece is too large by the TypeScript direct kernel.
 *
 * @throws {RangeError} when the window is outside the full output or `out` too short.
 * @throws {Error} when WebAssembly SIMD is unavailable (check {@linkcode wasmKernels}).
 */
export function convolveDirectWasm(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
): void {
  requireWasm();
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  checkWindow(n, m, lengthOf(out), start, length);
  if (length === 0) return;
  const f64 = out instanceof Float64Array;
  // directBytes is below 8 (n + 3m + length) + 512 (padded < n + m + 16, count <
  // length + 16): the exact count is needed only near the limit.
  if (
    persistentTop + 8 * (n + 3 * m + length) + 512 > memoryLimit &&
    !roomFor(directBytes(n, m, start, length, f64))
  ) {
    directBeyondMemory(signal, kernel, out, start, length, reverseKernel, f64);
    return;
  }
  try {
    const bytes = f64 ? 8 : 4;
    const block = directBlock(f64);
    const count = Math.ceil(length / block) * block;
    // xp is the signal with m-1 zeros in front and zeros behind, long enough for the
    // last block: index q of xp is x[q - (m - 1)].
    const padded = start + count + m - 1;
    const hr = scratchBase();
    const xp = hr + alignUp(m * bytes);
    const y = xp + alignUp(Math.max(padded, n + m - 1) * bytes);
    const end = y + count * bytes;
    ensureMemory(end, end - hr);
    assertScratch(hr, end);
    const view = f64 ? viewF64 : viewF32;
    view.set(kernel, hr / bytes);
    view.set(signal, xp / bytes + m - 1);
    if (faultHook !== null) faultHook(memory!);
    const correlate = reverseKernel ? 1 : 0;
    if (f64) wasm!.directWindowF64(xp, hr, y, n, m, start, count, correlate);
    else wasm!.directWindowF32(xp, hr, y, n, m, start, count, correlate);
    copyOut(0, out, y, length, f64);
  } catch (error) {
    dropInstance();
    throw error;
  }
}

/**
 * A direct window too large for the linear memory: in pieces that fit, or on the
 * TypeScript kernel when none does. (Apart from convolveDirectWasm so that its
 * closure does not make every call allocate a context.)
 */
function directBeyondMemory(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  f64: boolean,
): void {
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  const piece = fittingPiece(
    length,
    directBlock(f64),
    (l) => directBytes(Math.min(n, l + m - 1), m, m - 1, l, f64),
  );
  if (piece === 0) convolveDirect(signal, kernel, out, start, length, reverseKernel);
  else inPieces(signal, kernel, out, start, length, reverseKernel, piece, convolveDirectWasm);
}

// ---- frequency domain ----------------------------------------------------------

function nextPowerOfTwo(value: number): number {
  let p = 16;
  while (p < value) p *= 2;
  return p;
}

/** Number of signal samples that the output window `[start, start + length)` reads (at least 1). */
export function effectiveSignal(n: number, m: number, start: number, length: number): number {
  const lo = Math.max(0, start - m + 1);
  const hi = Math.min(n, start + length);
  return Math.max(1, hi - lo);
}

/**
 * Complex FFT size for overlap-add of `nEff` signal samples with an m-tap kernel:
 * minimises the modelled cost (pairs of blocks per complex FFT, plus the kernel
 * spectrum, counted as if it could not be reused). Sizes whose working set leaves L2
 * pay a penalty because the transform then becomes memory-bound.
 */
export function chooseOverlapAddSize(nEff: number, m: number, f64: boolean): number {
  const bytes = f64 ? 8 : 4;
  let best = 0;
  let bestCost = Infinity;
  const smallest = nextPowerOfTwo(m + 1);
  // A signal much shorter than the kernel still needs one block of at least m + 1.
  const limit = Math.max(smallest, nextPowerOfTwo(Math.ceil(nEff / 2) + m - 1));
  for (let size = smallest; size <= limit; size *= 2) {
    const block = size - m + 1;
    const pairs = Math.ceil(Math.ceil(nEff / block) / 2);
    const transform = size * Math.log2(size);
    // forward + inverse + multiply/load/accumulate, per pair
    let cost = pairs * (2 * transform + 4 * size);
    cost += transform + 2 * size;
    if (4 * size * bytes > 512 * 1024) cost *= 1.25;
    if (cost < bestCost) {
      bestCost = cost;
      best = size;
    }
  }
  return best;
}

function overlapAddWindow(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  size: number,
  f64: boolean,
  n: number,
  m: number,
): void {
  const bytes = f64 ? 8 : 4;
  const tw = fftTables(size, f64);
  const keptBytes = spectrumBytes(m, size, f64);
  const hRe = persistentTop;
  const hIm = hRe + size * bytes;
  const kept = hRe + alignUp(2 * size * bytes);
  const x = hRe + keptBytes;
  const h = x + alignUp(n * bytes);
  const wRe = h + alignUp(m * bytes);
  const wIm = wRe + size * bytes;
  const y = wIm + size * bytes;
  const end = y + alignUp(length * bytes);
  ensureMemory(end, end - hRe + fftTableBytes(size, f64));
  assertScratch(hRe, end);
  const view = f64 ? viewF64 : viewF32;
  const w = wasm!;
  view.set(kernel, h / bytes);
  const reuse = specValid && specTaps === m && specReverse === reverseKernel &&
    specSize === size && specF64 === f64 && w.sameBits(h, kept, m * bytes) === 1;
  if (reuse) {
    spectrumReuseCount++;
  } else {
    view.copyWithin(kept / bytes, h / bytes, h / bytes + m);
    if (f64) {
      if (reverseKernel) w.reverseF64(h, m);
      w.spectrumF64(h, m, hRe, hIm, size, tw);
    } else {
      if (reverseKernel) w.reverseF32(h, m);
      w.spectrumF32(h, m, hRe, hIm, size, tw);
    }
    specValid = true;
    specTaps = m;
    specReverse = reverseKernel;
    specSize = size;
    specF64 = f64;
    specBytes = keptBytes;
  }
  view.set(signal, x / bytes);
  if (faultHook !== null) faultHook(memory!);
  const len = size - m + 1;
  if (f64) w.overlapAddF64(x, n, m, hRe, hIm, size, len, tw, wRe, wIm, y, start, length);
  else w.overlapAddF32(x, n, m, hRe, hIm, size, len, tw, wRe, wIm, y, start, length);
  copyOut(0, out, y, length, f64);
}

function checkSize(size: number, m: number): void {
  if (!Number.isInteger(size) || size < 16 || (size & (size - 1)) !== 0 || size < m) {
    throw new RangeError(`Expected fftSize a power of two >= max(16, ${m}), got ${size}`);
  }
}

/**
 * FFT convolution window with one complex transform pair: the relevant part of the
 * signal is split into two halves carried as the real and imaginary parts of one
 * complex FFT of size >= n/2 + m - 1. Sums follow the output's precision: float32
 * transforms for a `Float32Array`, float64 for a `Float64Array`.
 *
 * A window too large for the linear memory (4 GiB) is computed in pieces that fit.
 *
 * @throws {RangeError} when the window is outside the full output or `out` too short,
 * or when even a piece no longer than the kernel needs more than the 4 GiB memory
 * (see {@linkcode wasmFftTapLimit}).
 * @throws {Error} when WebAssembly SIMD is unavailable.
 */
export function convolveFftWasm(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  options?: WasmFftOptions,
): void {
  overlapAddWithBlocks(signal, kernel, out, start, length, reverseKernel, options, oneBlockSize);
}

/**
 * Fused overlap-add convolution window: kernel spectrum once per call (or reused),
 * then per pair of blocks forward FFT, multiply, inverse FFT and accumulate, all in
 * linear memory. Block size from {@linkcode chooseOverlapAddSize} unless given.
 * Precision and memory limits as {@linkcode convolveFftWasm}.
 *
 * @throws {RangeError} when the window is outside the full output or `out` too short,
 * or when even a piece no longer than the kernel needs more than the 4 GiB memory.
 * @throws {Error} when WebAssembly SIMD is unavailable.
 */
export function convolveOverlapAddWasm(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  options?: WasmFftOptions,
): void {
  overlapAddWithBlocks(
    signal,
    kernel,
    out,
    start,
    length,
    reverseKernel,
    options,
    chooseOverlapAddSize,
  );
}

/** The single-transform block size: the whole window's signal in one pair of blocks. */
function oneBlockSize(nEff: number, m: number): number {
  return nextPowerOfTwo(Math.ceil(nEff / 2) + m - 1);
}

/**
 * An upper bound of the module's static data (its `heapBase`, 3264 bytes today; a test
 * checks the bound), so that the tap limit can be computed without an instance.
 *
 * @example
 * ```ts
 * import { WASM_STATIC_BYTES_BOUND } from "./wasm_kernels.ts";
 * console.log(WASM_STATIC_BYTES_BOUND); // 4096
 * ```
 */
export const WASM_STATIC_BYTES_BOUND = 4096;

/** Shortest piece of output a frequency-domain call is split into (see inPieces). */
const SHORTEST_FFT_PIECE = 4096;

/**
 * Bytes a frequency-domain window of `length` outputs with an `m`-tap kernel needs in
 * a fresh instance when it is computed as a piece (given only the signal it reads).
 */
function fftPieceBytes(
  n: number,
  m: number,
  length: number,
  f64: boolean,
  blockSize: (nEff: number, m: number, f64: boolean) => number,
): number {
  const nPiece = Math.min(n, length + m - 1);
  const size = Math.max(blockSize(nPiece, m, f64), nextPowerOfTwo(m));
  return overlapAddBytes(nPiece, m, length, size, f64);
}

/**
 * The most kernel taps the WebAssembly FFT kernels take (in float64 when `f64`): a
 * longer kernel needs more than the 4 GiB linear memory even for a piece of output
 * as long as itself, and the call is refused with a RangeError before any work.
 * Longer signals are fine: they are computed in pieces.
 *
 * @example
 * ```ts
 * import { wasmFftTapLimit } from "./wasm_kernels.ts";
 * console.log(wasmFftTapLimit(false) > 2 ** 24); // true
 * ```
 */
export function wasmFftTapLimit(f64: boolean, limitBytes: number = memoryLimit): number {
  const base = WASM_STATIC_BYTES_BOUND;
  const fits = (m: number) =>
    base + fftPieceBytes(Infinity, m, Math.max(m, SHORTEST_FFT_PIECE), f64, oneBlockSize) <=
      limitBytes &&
    base + fftPieceBytes(Infinity, m, Math.max(m, SHORTEST_FFT_PIECE), f64, chooseOverlapAddSize) <=
      limitBytes;
  let lo = 1;
  let hi = 2 ** 28;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * What {@linkcode convolveFftWasm} and {@linkcode convolveOverlapAddWasm} share: the
 * checks, then the fused pipeline at `options.fftSize` or the size `blockSize` picks,
 * in pieces when the whole window does not fit in linear memory.
 */
function overlapAddWithBlocks(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  options: WasmFftOptions | undefined,
  blockSize: (nEff: number, m: number, f64: boolean) => number,
): void {
  requireWasm();
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  checkWindow(n, m, lengthOf(out), start, length);
  if (length === 0) return;
  const f64 = out instanceof Float64Array;
  const nEff = effectiveSignal(n, m, start, length);
  const size = options?.fftSize ?? blockSize(nEff, m, f64);
  checkSize(size, m);
  if (!roomFor(overlapAddBytes(n, m, length, size, f64))) {
    fftBeyondMemory(signal, kernel, out, start, length, reverseKernel, options, blockSize, size);
    return;
  }
  try {
    overlapAddWindow(signal, kernel, out, start, length, reverseKernel, size, f64, n, m);
  } catch (error) {
    dropInstance();
    throw error;
  }
}

/**
 * A frequency-domain window too large for the linear memory: in pieces that fit, or
 * a RangeError naming the limit when even a piece as long as the kernel does not.
 * (Apart from overlapAddWithBlocks so that its closures do not make every call
 * allocate a context.)
 */
function fftBeyondMemory(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  options: WasmFftOptions | undefined,
  blockSize: (nEff: number, m: number, f64: boolean) => number,
  size: number,
): void {
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  const f64 = out instanceof Float64Array;
  const piece = options?.fftSize === undefined
    ? fittingPiece(
      length,
      Math.max(m, SHORTEST_FFT_PIECE),
      (l) => fftPieceBytes(n, m, l, f64, blockSize),
    )
    : 0;
  if (piece === 0) {
    throw new RangeError(
      `WebAssembly FFT kernels: a ${f64 ? "float64" : "float32"} kernel must have at most ` +
        `${wasmFftTapLimit(f64)} taps to fit the ${memoryLimit}-byte ` +
        `linear memory${options?.fftSize === undefined ? "" : ` at fftSize ${size}`}, ` +
        `received ${m} taps (signal ${n}, output window ${length})`,
    );
  }
  const window = (s: Float, k: Float, o: Float, st: number, l: number, r: boolean) =>
    overlapAddWithBlocks(s, k, o, st, l, r, undefined, blockSize);
  inPieces(signal, kernel, out, start, length, reverseKernel, piece, window);
}

/**
 * Real FFT: `outRe[k] + i outIm[k] = sum_t input[t] e^{-2 pi i k t / n}` for
 * `k in [0, n/2]`. Precision follows `outRe` (both outputs must have the same type).
 *
 * @throws {RangeError} when n is not a power of two >= 32, an output is too short, or
 * the transform needs more than the 4 GiB linear memory.
 * @throws {Error} when WebAssembly SIMD is unavailable.
 */
export function realFftWasm(input: Float, outRe: Float, outIm: Float): void {
  requireWasm();
  const n = lengthOf(input);
  if (n < 32 || (n & (n - 1)) !== 0) {
    throw new RangeError(`Expected a power-of-two input length >= 32, got ${n}`);
  }
  const half = n / 2;
  const reLength = lengthOf(outRe);
  const imLength = lengthOf(outIm);
  if (reLength < half + 1 || imLength < half + 1) {
    throw new RangeError(
      `Expected outputs of length >= ${half + 1}, got ${reLength} and ${imLength}`,
    );
  }
  const f64 = outRe instanceof Float64Array;
  if ((outIm instanceof Float64Array) !== f64) {
    throw new TypeError("Expected outRe and outIm of the same element type");
  }
  const bytes = f64 ? 8 : 4;
  const scratch = alignUp(n * bytes) + half * bytes * 2 + 2 * alignUp((half + 1) * bytes);
  if (!roomFor(fftTableBytes(half, f64) + scratch)) {
    throw new RangeError(
      `Expected a real FFT that fits the ${memoryLimit}-byte linear memory, ` +
        `got ${n} points`,
    );
  }
  try {
    const tables = fftTables(half, f64);
    const pos = tables + twiddleBytes(half, bytes);
    const rt = pos + alignUp(half * 4);
    const x = scratchBase();
    const wRe = x + alignUp(n * bytes);
    const wIm = wRe + half * bytes;
    const oRe = wIm + half * bytes;
    const oIm = oRe + alignUp((half + 1) * bytes);
    const end = oIm + alignUp((half + 1) * bytes);
    ensureMemory(end, end - x + fftTableBytes(half, f64));
    assertScratch(x, end);
    (f64 ? viewF64 : viewF32).set(input, x / bytes);
    if (f64) wasm!.realFftF64(x, n, oRe, oIm, wRe, wIm, tables, pos, rt);
    else wasm!.realFftF32(x, n, oRe, oIm, wRe, wIm, tables, pos, rt);
    copyOut(0, outRe, oRe, half + 1, f64);
    copyOut(1, outIm, oIm, half + 1, f64);
  } catch (error) {
    dropInstance();
    throw error;
  }
}

/**
 * Test hook: pretends the linear memory can hold only `bytes` (null: the real
 * {@linkcode WASM_MEMORY_LIMIT_BYTES}), so that tests reach the limits with small
 * arrays. Drops the instance, so the next call starts with a fresh memory. Not part
 * of the public API.
 *
 * @example
 * ```ts
 * import { setWasmMemoryLimitForTests } from "./wasm_kernels.ts";
 * setWasmMemoryLimitForTests(1024 * 1024); // pieces, fallbacks and RangeErrors at 1 MiB
 * setWasmMemoryLimitForTests(null); // back to 4 GiB
 * ```
 */
export function setWasmMemoryLimitForTests(bytes: number | null): void {
  memoryLimit = bytes ?? WASM_MEMORY_LIMIT_BYTES;
  if (wasm !== null) dropInstance();
}

/**
 * Test hook: `hook(memory)` runs inside every direct and frequency-domain call, after
 * the inputs are copied into linear memory and before the kernel runs, or never when
 * `null`. Tests use it to corrupt memory and throw part-way through a call, then check
 * that the next call is still exact. Not part of the public API.
 *
 * @example
 * ```ts
 * import { setWasmFaultHookForTests } from "./wasm_kernels.ts";
 * setWasmFaultHookForTests(() => {
 *   throw new Error("simulated fault");
 * });
 * setWasmFaultHookForTests(null);
 * ```
 */
export function setWasmFaultHookForTests(
  hook: ((memory: WebAssembly.Memory) => void) | null,
): void {
  faultHook = hook;
}

/**
 * How many frequency-domain calls in this process reused the previous call's kernel
 * spectrum instead of transforming the kernel again (see the module notes).
 */
export function kernelSpectrumReuses(): number {
  return spectrumReuseCount;
}

/**
 * Turns the WebAssembly kernels off (or back on) for this process, so that tests can
 * force the TypeScript fallback: while off, {@linkcode wasmKernels} returns `null`.
 */
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** Current size of the kernels' linear memory in bytes (0 before first use and after a release). */
export function wasmMemoryBytes(): number {
  return memory === null ? 0 : memory.buffer.byteLength;
}

const KERNELS: WasmKernels = {
  convolveDirect: convolveDirectWasm,
  convolveFft: convolveFftWasm,
  convolveOverlapAdd: convolveOverlapAddWasm,
  realFft: realFftWasm,
  memoryBytes: wasmMemoryBytes,
};

/**
 * The WebAssembly SIMD kernels, or `null` when this runtime lacks WebAssembly SIMD
 * (or they were disabled with {@linkcode setWasmKernelsEnabled}): then use the plain
 * TypeScript kernels.
 */
export function wasmKernels(): WasmKernels | null {
  if (!enabled || !initialise()) return null;
  return KERNELS;
}
