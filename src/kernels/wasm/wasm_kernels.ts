/**
 * Typed wrappers around the WebAssembly SIMD kernels.
 *
 * Every convolution wrapper follows the kernel contract shared by all kernels: it
 * computes a WINDOW of the full linear convolution
 * `full[k] = sum_j x[k-j] h[j]`, `k in [0, n+m-1)`, writing `out[i] = full[start+i]`
 * for `i in [0, length)` (nothing else of `out` is touched). `reverseKernel` uses the
 * kernel reversed (correlation) without the caller copying it.
 *
 * Precision follows `out`: a `Float32Array` output is computed in f32x4, a
 * `Float64Array` output in f64x2; inputs of the other type are converted while they
 * are copied into linear memory (mixed precision costs nothing extra).
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

const ALIGN = 64;

function alignUp(value: number): number {
  return Math.ceil(value / ALIGN) * ALIGN;
}

function initialise(): boolean {
  if (wasm !== null) return true;
  const loaded = loadWasmExports();
  if (loaded === null) return false;
  wasm = loaded;
  memory = loaded.memory;
  persistentTop = alignUp(loaded.heapBase());
  refreshViews();
  return true;
}

function refreshViews(): void {
  const buffer = memory!.buffer;
  if (buffer === viewBuffer) return;
  viewBuffer = buffer;
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
  const have = viewBuffer!.byteLength;
  if (end > have) {
    memory!.grow(Math.ceil((end - have) / 65536));
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
  stopReleaseTimer();
  wasm = null;
  memory = null;
  viewBuffer = null;
  viewF32 = new Float32Array(0);
  viewF64 = new Float64Array(0);
  outViews[0] = outViews[1] = null;
  outIndex[0] = outIndex[1] = -1;
  tables.clear();
  specValid = false;
  persistentTop = 0;
  releaseWasmExports();
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

/** How many times this process gave idle linear memory back (see the module notes). */
export function wasmMemoryReleases(): number {
  return releaseCount;
}

function twiddleBytes(n: number, bytes: number): number {
  return alignUp(wasm!.twiddleCount(n) * bytes);
}

/** Bytes of the tables of a complex FFT of size n: [twiddles][positions][real]. */
function fftTableBytes(n: number, f64: boolean): number {
  const bytes = f64 ? 8 : 4;
  return twiddleBytes(n, bytes) + alignUp(n * 4) + alignUp((n + 8) * bytes);
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
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
): void {
  const full = signal.length + kernel.length - 1;
  if (signal.length === 0 || kernel.length === 0) {
    throw new RangeError(
      `Expected non-empty signal and kernel, got lengths ${signal.length} and ${kernel.length}`,
    );
  }
  if (
    !Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 ||
    start + length > full || length > out.length
  ) {
    throw new RangeError(
      `Expected a window inside [0, ${full}) that fits out (length ${out.length}), ` +
        `got start ${start} and length ${length}`,
    );
  }
}

function requireWasm(): void {
  if (!enabled || !initialise()) {
    throw new Error("WebAssembly SIMD kernels are not available in this runtime");
  }
}

// ---- direct --------------------------------------------------------------------

/**
 * Direct (register-blocked SIMD) convolution window: `out[i] = full[start + i]`.
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
  checkWindow(signal, kernel, out, start, length);
  if (length === 0) return;
  const f64 = out instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const n = signal.length;
  const m = kernel.length;
  const block = f64 ? 8 : 16;
  const count = Math.ceil(length / block) * block;
  // xp is the signal with m-1 zeros in front and zeros behind, long enough for the
  // last block: index q of xp is x[q - (m - 1)].
  const padded = start + count + m - 1;
  const hr = scratchBase();
  const xp = hr + alignUp(m * bytes);
  const y = xp + alignUp(Math.max(padded, n + m - 1) * bytes);
  ensureMemory(y + count * bytes, y + count * bytes - hr);
  const view = f64 ? viewF64 : viewF32;
  view.set(kernel, hr / bytes);
  view.set(signal, xp / bytes + m - 1);
  const correlate = reverseKernel ? 1 : 0;
  if (f64) wasm!.directWindowF64(xp, hr, y, n, m, start, count, correlate);
  else wasm!.directWindowF32(xp, hr, y, n, m, start, count, correlate);
  copyOut(0, out, y, length, f64);
}

// ---- frequency domain ----------------------------------------------------------

function nextPowerOfTwo(value: number): number {
  let p = 16;
  while (p < value) p *= 2;
  return p;
}

/** Signal elements that can reach the window (the rest is never transformed). */
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
): void {
  const f64 = out instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const n = signal.length;
  const m = kernel.length;
  const tw = fftTables(size, f64);
  const keptBytes = alignUp(2 * size * bytes) + alignUp(m * bytes);
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
 * complex FFT of size >= n/2 + m - 1.
 *
 * @throws {RangeError} when the window is outside the full output or `out` too short.
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
 *
 * @throws {RangeError} when the window is outside the full output or `out` too short.
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
 * What {@linkcode convolveFftWasm} and {@linkcode convolveOverlapAddWasm} share: the
 * checks, then the fused pipeline at `options.fftSize` or the size `blockSize` picks.
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
  checkWindow(signal, kernel, out, start, length);
  if (length === 0) return;
  const m = kernel.length;
  const nEff = effectiveSignal(signal.length, m, start, length);
  const size = options?.fftSize ?? blockSize(nEff, m, out instanceof Float64Array);
  checkSize(size, m);
  overlapAddWindow(signal, kernel, out, start, length, reverseKernel, size);
}

/**
 * Real FFT: `outRe[k] + i outIm[k] = sum_t input[t] e^{-2 pi i k t / n}` for
 * `k in [0, n/2]`. Precision follows `outRe` (both outputs must have the same type).
 *
 * @throws {RangeError} when n is not a power of two >= 32 or an output is too short.
 * @throws {Error} when WebAssembly SIMD is unavailable.
 */
export function realFftWasm(input: Float, outRe: Float, outIm: Float): void {
  requireWasm();
  const n = input.length;
  if (n < 32 || (n & (n - 1)) !== 0) {
    throw new RangeError(`Expected a power-of-two input length >= 32, got ${n}`);
  }
  const half = n / 2;
  if (outRe.length < half + 1 || outIm.length < half + 1) {
    throw new RangeError(
      `Expected outputs of length >= ${half + 1}, got ${outRe.length} and ${outIm.length}`,
    );
  }
  const f64 = outRe instanceof Float64Array;
  if ((outIm instanceof Float64Array) !== f64) {
    throw new TypeError("Expected outRe and outIm of the same element type");
  }
  const bytes = f64 ? 8 : 4;
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
  (f64 ? viewF64 : viewF32).set(input, x / bytes);
  if (f64) wasm!.realFftF64(x, n, oRe, oIm, wRe, wIm, tables, pos, rt);
  else wasm!.realFftF32(x, n, oRe, oIm, wRe, wIm, tables, pos, rt);
  copyOut(0, outRe, oRe, half + 1, f64);
  copyOut(1, outIm, oIm, half + 1, f64);
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
