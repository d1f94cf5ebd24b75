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
 * `Float32Array` output by float32 transforms (f32x4) in the FFT kernels, which take a
 * large mean out of the signal first and add its share back after (see
 * {@linkcode convolveFftWasm}), while the direct kernel sums it in f64x2 too and
 * rounds each output once (see {@linkcode convolveDirectWasm}). Inputs of the other
 * type are converted while they are copied into linear memory (mixed precision costs
 * nothing extra).
 *
 * Limits: a call's bytes are counted (`wasm_layout.ts`) before any work; one that does
 * not fit the 4 GiB memory runs in pieces, and an FFT kernel that no piece can hold is
 * a RangeError at once (see {@linkcode wasmFftTapLimit}).
 *
 * Faults: lengths come from the typed arrays' internal slots, every region is checked
 * to be scratch above the persistent tables before it is written, and an exception
 * part-way through a call drops the instance, so the next call starts afresh.
 *
 * Where things live: the instance, its memory layout, growth and release in
 * `wasm_instance.ts`; the kernel-spectrum cache in `kernel_spectrum.ts`; block sizes
 * in `wasm_cost_model.ts`; byte counts in `wasm_layout.ts`.
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
import { rangeError, typeError } from "../../validate.ts";
import { convolveDirect } from "../direct.ts";
import { checkPowerOfTwo, nextPowerOfTwo } from "../power_of_two.ts";
import type { WindowKernel } from "../window_kernel.ts";
import {
  chooseOverlapAddSize,
  effectiveSignal,
  MIN_WASM_FFT_SIZE,
  singleTransformSize,
} from "./wasm_cost_model.ts";
import {
  currentWasmInstance,
  dropWasmInstance,
  twiddleBytes,
  WASM_TEST_SETTINGS,
  type WasmInstance,
  wasmMemoryBytes,
} from "./wasm_instance.ts";
import {
  alignUp,
  directBlock,
  directBytes,
  directOutputCount,
  fftTableBytes,
  keptKernelOffset,
  overlapAddBytes,
  spectrumBytes,
  wideSpectrum,
} from "./wasm_layout.ts";

/** Options of the frequency-domain wrappers. */
export interface WasmFftOptions {
  /** Complex FFT size to use (power of two >= 16); default: chosen by cost. */
  fftSize?: number;
  /**
   * Transform in float64 whatever the output's type: a `Float32Array` signal and
   * kernel are widened as they are copied into linear memory and each output is the
   * float64 result rounded once to float32. Default: the output's precision.
   */
  float64?: boolean;
}

/** Options that make a float32 window transform in float64 (no per-call object). */
export const FLOAT64_TRANSFORMS: Readonly<WasmFftOptions> = Object.freeze({ float64: true });

/** A frequency-domain window kernel: a {@linkcode WindowKernel} that takes options. */
export type WasmFftKernel = (...args: [...Parameters<WindowKernel>, WasmFftOptions?]) => void;

/** The WebAssembly SIMD kernels, bound to the process-wide instance. */
export interface WasmKernels {
  /** Register-blocked direct convolution window. */
  convolveDirect: WindowKernel;
  /** Single-transform FFT convolution window (whole signal in one complex FFT). */
  convolveFft: WasmFftKernel;
  /** Fused overlap-add convolution window, block size chosen by cost. */
  convolveOverlapAdd: WasmFftKernel;
  /** Real FFT of `input` (power-of-two length >= 32) into `length/2 + 1` bins. */
  realFft(input: Float, outRe: Float, outIm: Float): void;
  /** Current size of the linear memory in bytes. */
  memoryBytes(): number;
}

/** The caller named in argument errors of the window kernels. */
const CALLER = "WebAssembly kernels";

/** A block-size heuristic of `wasm_cost_model.ts`. */
type BlockSize = (nEff: number, m: number, f64: boolean) => number;

/**
 * The length of a typed array, checked before any layout is computed from it: a Proxy
 * (not a view of a buffer) or a length that is not an integer in [0, 2^32) is a
 * TypeError. A subclass whose getter returns some other integer can only make its
 * own result wrong: every copy goes forward from the start of this call's scratch,
 * which lies above the persistent tables and the cached spectrum, and copies the
 * array's real length, which a copy past the end of memory refuses.
 */
function lengthOf(array: Float): number {
  if (!ArrayBuffer.isView(array)) throw typeError(CALLER, "an array", "a typed array", array);
  const length = array.length;
  if ((length >>> 0) !== length) {
    throw typeError(CALLER, "a typed array's length", "an integer in [0, 2^32)", length);
  }
  return length;
}

/** Throws unless the window `[start, start + length)` lies in the full output and fits `out`. */
function checkWindow(
  n: number,
  m: number,
  outLength: number,
  start: number,
  length: number,
): void {
  const full = n + m - 1;
  if (n === 0) throw rangeError(CALLER, "the signal's length", "at least 1", n);
  if (m === 0) throw rangeError(CALLER, "the kernel's length", "at least 1", m);
  if (!Number.isInteger(start) || start < 0 || start > full) {
    const inside = `an integer in [0, ${full}] (the full output's length)`;
    throw rangeError(CALLER, "start", inside, start);
  }
  const most = Math.min(full - start, outLength);
  if (!Number.isInteger(length) || length < 0 || length > most) {
    const fits = `an integer in [0, ${most}] (inside the full output and out's length)`;
    throw rangeError(CALLER, "length", fits, length);
  }
}

/**
 * What every call does when an exception leaves it part-way: drops the instance, so
 * that whatever the call wrote no later call can see, and returns the exception for
 * the caller to rethrow (`throw withInstanceDropped(error)`).
 */
function withInstanceDropped(error: unknown): unknown {
  dropWasmInstance();
  return error;
}

function requireInstance(): WasmInstance {
  const instance = currentWasmInstance();
  if (instance === null) {
    throw new Error("WebAssembly SIMD kernels are not available in this runtime");
  }
  return instance;
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
  window: WindowKernel,
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
  const instance = requireInstance();
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  checkWindow(n, m, lengthOf(out), start, length);
  if (length === 0) return;
  const f64 = out instanceof Float64Array;
  // directBytes is below 8 (n + 3m + length) + 512 (padded < n + m + 16, count <
  // length + 16): the exact count is needed only near the limit.
  if (
    instance.persistentTop + 8 * (n + 3 * m + length) + 512 > WASM_TEST_SETTINGS.memoryLimit &&
    !instance.roomFor(directBytes(n, m, start, length, f64))
  ) {
    directBeyondMemory(instance, signal, kernel, out, start, length, reverseKernel, f64);
    return;
  }
  try {
    const bytes = f64 ? 8 : 4;
    const count = directOutputCount(length, f64);
    // xp is the signal with m-1 zeros in front and zeros behind, long enough for the
    // last block: index q of xp is x[q - (m - 1)].
    const padded = start + count + m - 1;
    const hr = instance.scratchBase();
    const xp = hr + alignUp(m * bytes);
    const y = xp + alignUp(Math.max(padded, n + m - 1) * bytes);
    const end = y + count * bytes;
    instance.ensureMemory(end, end - hr);
    instance.assertScratch(hr, end);
    const view = f64 ? instance.viewF64 : instance.viewF32;
    view.set(kernel, hr / bytes);
    view.set(signal, xp / bytes + m - 1);
    const faultHook = WASM_TEST_SETTINGS.faultHook;
    if (faultHook !== null) faultHook(instance.memory);
    const correlate = reverseKernel ? 1 : 0;
    if (f64) instance.exports.directWindowF64(xp, hr, y, n, m, start, count, correlate);
    else instance.exports.directWindowF32(xp, hr, y, n, m, start, count, correlate);
    instance.copyOut(0, out, y, length, f64);
  } catch (error) {
    throw withInstanceDropped(error);
  }
}

/**
 * A direct window too large for the linear memory: in pieces that fit, or on the
 * TypeScript kernel when none does. (Apart from convolveDirectWasm so that its
 * closure does not make every call allocate a context.)
 */
function directBeyondMemory(
  instance: WasmInstance,
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
  const piece = instance.fittingPiece(
    length,
    directBlock(f64),
    (l) => directBytes(Math.min(n, l + m - 1), m, m - 1, l, f64),
  );
  if (piece === 0) convolveDirect(signal, kernel, out, start, length, reverseKernel);
  else inPieces(signal, kernel, out, start, length, reverseKernel, piece, convolveDirectWasm);
}

// ---- frequency domain ----------------------------------------------------------

function overlapAddWindow(
  instance: WasmInstance,
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
  const tw = instance.fftTables(size, f64);
  // A float32 spectrum is computed with the float64 tables (see wideSpectrum); they
  // are looked up (or made, before the layout below) unless the cache has them.
  const wide = wideSpectrum(size, f64);
  let tw64 = wide ? instance.spectrum.wideTables(size, f64) : 0;
  if (wide && tw64 === 0) tw64 = instance.fftTables(size, true);
  const keptBytes = spectrumBytes(m, size, f64);
  const hRe = instance.persistentTop;
  const hIm = hRe + size * bytes;
  const x = hRe + keptBytes;
  const h = x + alignUp(n * bytes);
  const wRe = h + alignUp(m * bytes);
  const wIm = wRe + size * bytes;
  const y = wIm + size * bytes;
  // the float64 work arrays of a wide spectrum (see wideSpectrum), after the window
  const work64 = y + alignUp(length * bytes);
  const end = work64 + (wide ? 16 * size : 0);
  instance.ensureMemory(
    end,
    end - hRe + fftTableBytes(size, f64) + (wide ? fftTableBytes(size, true) : 0),
  );
  instance.assertScratch(hRe, end);
  const view = f64 ? instance.viewF64 : instance.viewF32;
  const w = instance.exports;
  view.set(kernel, h / bytes);
  instance.spectrum.prepare(
    w,
    view,
    hRe,
    h,
    m,
    reverseKernel,
    size,
    f64,
    tw,
    keptBytes,
    tw64,
    work64,
  );
  view.set(signal, x / bytes);
  const faultHook = WASM_TEST_SETTINGS.faultHook;
  if (faultHook !== null) faultHook(instance.memory);
  const len = size - m + 1;
  if (f64) {
    w.overlapAddF64(x, n, m, hRe, hIm, size, len, tw, wRe, wIm, y, start, length);
  } else {
    // the kernel's bits kept by the spectrum cache, for the mean removal's sums
    const kept = hRe + keptKernelOffset(size, f64);
    const reverse = reverseKernel ? 1 : 0;
    w.overlapAddF32(x, n, m, hRe, hIm, size, len, tw, wRe, wIm, y, start, length, kept, reverse);
  }
  instance.copyOut(0, out, y, length, f64);
}

/**
 * FFT convolution window with one complex transform pair: the relevant part of the
 * signal is split into two halves carried as the real and imaginary parts of one
 * complex FFT of size >= n/2 + m - 1. Sums follow the output's precision: float32
 * transforms for a `Float32Array`, float64 for a `Float64Array` (and for a
 * `Float32Array` with `options.float64`, rounded once per output). The kernel's float32
 * spectrum is computed in float64 and rounded once per bin (FFT sizes up to
 * `WIDE_SPECTRUM_MAX_SIZE` of `wasm_layout.ts`), which removes its share of the error.
 * A float32 signal whose mean `a` is large against its fluctuation (`a^2` above its
 * variance) is transformed as `x - a`, and `a` times the sum of the taps each output
 * sees is added back after the inverse transforms: the transforms' rounding then
 * follows the outputs' fluctuation, not their size. A signal or kernel with a NaN or
 * an infinity is transformed as it is.
 *
 * A window too large for the linear memory (4 GiB) is computed in pieces that fit.
 *
 * @throws {RangeError} when the window is outside the full output or `out` too short,
 * or when even a piece no longer than the kernel needs more than the 4 GiB memory
 * (see {@linkcode wasmFftTapLimit}).
 * @throws {Error} when WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * import { convolveFftWasm } from "./wasm_kernels.ts";
 * const y = new Float64Array(4);
 * convolveFftWasm(new Float64Array([1, 2, 3]), new Float64Array([1, 1]), y, 0, 4, false);
 * console.log(y); // Float64Array [1, 3, 5, 3] (to rounding)
 * ```
 */
export const convolveFftWasm: WasmFftKernel = frequencyDomainKernel(singleTransformSize);

/**
 * Fused overlap-add convolution window: kernel spectrum once per call (or reused,
 * see `kernel_spectrum.ts`), then per pair of blocks forward FFT, multiply, inverse
 * FFT and accumulate, all in linear memory. Block size from
 * {@linkcode chooseOverlapAddSize} unless given. Precision and memory limits as
 * {@linkcode convolveFftWasm}.
 *
 * @throws {RangeError} when the window is outside the full output or `out` too short,
 * or when even a piece no longer than the kernel needs more than the 4 GiB memory.
 * @throws {Error} when WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * import { convolveOverlapAddWasm } from "./wasm_kernels.ts";
 * const y = new Float32Array(4);
 * convolveOverlapAddWasm(new Float32Array([1, 2, 3]), new Float32Array([1, 1]), y, 0, 4, false);
 * console.log(y); // Float32Array [1, 3, 5, 3] (to rounding)
 * ```
 */
export const convolveOverlapAddWasm: WasmFftKernel = frequencyDomainKernel(chooseOverlapAddSize);

/** A frequency-domain window kernel whose block size (unless given) comes from `blockSize`. */
function frequencyDomainKernel(blockSize: BlockSize): WasmFftKernel {
  return (signal, kernel, out, start, length, reverseKernel, options) =>
    overlapAddWithBlocks(signal, kernel, out, start, length, reverseKernel, options, blockSize);
}

/**
 * An upper bound of the module's static data (its `heapBase`; a test checks the
 * bound), so that the tap limit can be computed without an instance.
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
  blockSize: BlockSize,
): number {
  const nPiece = Math.min(n, length + m - 1);
  const size = Math.max(blockSize(nPiece, m, f64), nextPowerOfTwo(m, MIN_WASM_FFT_SIZE));
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
export function wasmFftTapLimit(
  f64: boolean,
  limitBytes: number = WASM_TEST_SETTINGS.memoryLimit,
): number {
  const base = WASM_STATIC_BYTES_BOUND;
  const fitsWith = (m: number, blockSize: BlockSize) =>
    base + fftPieceBytes(Infinity, m, Math.max(m, SHORTEST_FFT_PIECE), f64, blockSize) <=
      limitBytes;
  const fits = (m: number) => fitsWith(m, singleTransformSize) && fitsWith(m, chooseOverlapAddSize);
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
  blockSize: BlockSize,
): void {
  const instance = requireInstance();
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  checkWindow(n, m, lengthOf(out), start, length);
  if (length === 0) return;
  const f64 = out instanceof Float64Array || options?.float64 === true;
  const nEff = effectiveSignal(n, m, start, length);
  const size = options?.fftSize ?? blockSize(nEff, m, f64);
  checkPowerOfTwo(
    size,
    Math.max(MIN_WASM_FFT_SIZE, m),
    Infinity,
    "WebAssembly FFT kernels",
    "fftSize",
  );
  if (!instance.roomFor(overlapAddBytes(n, m, length, size, f64))) {
    fftBeyondMemory(signal, kernel, out, start, length, reverseKernel, options, blockSize, size);
    return;
  }
  try {
    overlapAddWindow(instance, signal, kernel, out, start, length, reverseKernel, size, f64, n, m);
  } catch (error) {
    throw withInstanceDropped(error);
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
  blockSize: BlockSize,
  size: number,
): void {
  const n = lengthOf(signal);
  const m = lengthOf(kernel);
  const f64 = out instanceof Float64Array || options?.float64 === true;
  const piece = options?.fftSize === undefined
    ? requireInstance().fittingPiece(
      length,
      Math.max(m, SHORTEST_FFT_PIECE),
      (l) => fftPieceBytes(n, m, l, f64, blockSize),
    )
    : 0;
  if (piece === 0) {
    const what = `a ${f64 ? "float64" : "float32"} kernel (signal ${n}, output window ${length})`;
    const at = options?.fftSize === undefined ? "" : ` at fftSize ${size}`;
    const fits = `at most ${wasmFftTapLimit(f64)} taps to fit the ` +
      `${WASM_TEST_SETTINGS.memoryLimit}-byte linear memory${at}`;
    throw rangeError("WebAssembly FFT kernels", what, fits, kernel);
  }
  const pieceOptions = options?.float64 === true ? FLOAT64_TRANSFORMS : undefined;
  const window = (s: Float, k: Float, o: Float, st: number, l: number, r: boolean) =>
    overlapAddWithBlocks(s, k, o, st, l, r, pieceOptions, blockSize);
  inPieces(signal, kernel, out, start, length, reverseKernel, piece, window);
}

/**
 * Real FFT: `outRe[k] + i outIm[k] = sum_t input[t] e^{-2 pi i k t / n}` for
 * `k in [0, n/2]`. Precision follows `outRe` (both outputs must have the same type).
 *
 * @throws {RangeError} when n is not a power of two >= 32, an output is too short, or
 * the transform needs more than the 4 GiB linear memory.
 * @throws {Error} when WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * import { realFftWasm } from "./wasm_kernels.ts";
 * const re = new Float32Array(17), im = new Float32Array(17);
 * realFftWasm(new Float32Array(32).fill(1), re, im);
 * console.log(re[0], re[1]); // 32 0
 * ```
 */
export function realFftWasm(input: Float, outRe: Float, outIm: Float): void {
  const instance = requireInstance();
  const n = lengthOf(input);
  checkPowerOfTwo(n, 32, Infinity, "realFftWasm", "input length");
  const half = n / 2;
  const reLength = lengthOf(outRe);
  const imLength = lengthOf(outIm);
  if (reLength < half + 1 || imLength < half + 1) {
    const short = reLength < half + 1 ? outRe : outIm;
    throw rangeError(
      "realFftWasm",
      reLength < half + 1 ? "outRe" : "outIm",
      `at least ${half + 1} elements long`,
      short,
    );
  }
  const f64 = outRe instanceof Float64Array;
  if ((outIm instanceof Float64Array) !== f64) {
    throw typeError(
      "realFftWasm",
      "outIm",
      `a ${f64 ? "Float64Array" : "Float32Array"} like outRe`,
      outIm,
    );
  }
  const bytes = f64 ? 8 : 4;
  const scratch = alignUp(n * bytes) + half * bytes * 2 + 2 * alignUp((half + 1) * bytes);
  if (!instance.roomFor(fftTableBytes(half, f64) + scratch)) {
    const fits =
      `a length whose real FFT fits the ${WASM_TEST_SETTINGS.memoryLimit}-byte linear memory`;
    throw rangeError("realFftWasm", "input", fits, input);
  }
  try {
    const tables = instance.fftTables(half, f64);
    const pos = tables + twiddleBytes(half, f64);
    const rt = pos + alignUp(half * 4);
    const x = instance.scratchBase();
    const wRe = x + alignUp(n * bytes);
    const wIm = wRe + half * bytes;
    const oRe = wIm + half * bytes;
    const oIm = oRe + alignUp((half + 1) * bytes);
    const end = oIm + alignUp((half + 1) * bytes);
    instance.ensureMemory(end, end - x + fftTableBytes(half, f64));
    instance.assertScratch(x, end);
    (f64 ? instance.viewF64 : instance.viewF32).set(input, x / bytes);
    if (f64) instance.exports.realFftF64(x, n, oRe, oIm, wRe, wIm, tables, pos, rt);
    else instance.exports.realFftF32(x, n, oRe, oIm, wRe, wIm, tables, pos, rt);
    instance.copyOut(0, outRe, oRe, half + 1, f64);
    instance.copyOut(1, outIm, oIm, half + 1, f64);
  } catch (error) {
    throw withInstanceDropped(error);
  }
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
 * (or tests turned them off): then use the plain TypeScript kernels. Instantiates
 * the module on first use; to ask without that side effect, see
 * `wasmInstanceStatus` in `wasm_instance.ts`.
 *
 * @example
 * ```ts
 * import { wasmKernels } from "./wasm_kernels.ts";
 * console.log(wasmKernels() === null ? "TypeScript kernels" : "WebAssembly kernels");
 * ```
 */
export function wasmKernels(): WasmKernels | null {
  return currentWasmInstance() === null ? null : KERNELS;
}
