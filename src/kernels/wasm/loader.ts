/**
 * Synchronous loader of the WebAssembly SIMD kernels. It holds nothing: it compiles
 * the module ({@linkcode compileWasm}) and instantiates it
 * ({@linkcode instantiateWasm}); `wasm_instance.ts` keeps the one module and the one
 * instance the kernels use.
 *
 * The module (about 25 KiB) is embedded as base64 in `convpool_bytes.ts`, so it loads
 * with `new WebAssembly.Module` + `new WebAssembly.Instance` on Deno, Bun and Node
 * without fetch, file access or an awaited promise. Where WebAssembly or its SIMD
 * proposal is missing, {@linkcode instantiateWasm} returns `null` and callers fall
 * back to the plain TypeScript kernels.
 *
 * @example
 * ```ts
 * import { instantiateWasm } from "./loader.ts";
 * const exports = instantiateWasm();
 * console.log(exports === null ? "TypeScript kernels" : "WebAssembly SIMD kernels");
 * ```
 *
 * @module
 */

import { decodeBase64 } from "../../runtime/base64.ts";
import { WASM_BASE64 } from "./convpool_bytes.ts";

/**
 * Direct window in one call: xp holds the signal at element m - 1, hr the kernel as
 * given; zero padding and the reversal (unless `correlate` is 1) happen inside.
 */
type DirectWindowCall = (
  xp: number,
  hr: number,
  y: number,
  n: number,
  m: number,
  start: number,
  count: number,
  correlate: number,
) => void;

/** Real FFT of n points at x into n/2+1 bins at outRe and outIm (wRe, wIm: scratch). */
type RealFftCall = (
  x: number,
  n: number,
  outRe: number,
  outIm: number,
  wRe: number,
  wIm: number,
  tw: number,
  pos: number,
  rt: number,
) => void;

/** Kernel spectrum (scrambled, scaled by 1/n) of the m taps at h. */
type SpectrumCall = (h: number, m: number, hRe: number, hIm: number, n: number, tw: number) => void;

/** Fused overlap-add window: blocks of len samples of x through transforms of size n. */
type OverlapAddCall = (
  x: number,
  nx: number,
  m: number,
  hRe: number,
  hIm: number,
  n: number,
  len: number,
  tw: number,
  wRe: number,
  wIm: number,
  y: number,
  start: number,
  length: number,
) => void;

/** A complex FFT over re and im in place, with the twiddles at tw. */
type ComplexFftCall = (re: number, im: number, tw: number, n: number) => void;

/** The raw ABI of the compiled module: byte addresses and element counts. */
export interface WasmExports {
  /** The instance's single linear memory (grown by the wrapper). */
  readonly memory: WebAssembly.Memory;
  /** First byte not used by the module's static data. */
  heapBase(): number;
  /** Elements of the twiddle table of a complex FFT of size n. */
  twiddleCount(n: number): number;
  /** Direct window, float32 (see {@linkcode DirectWindowCall}); count a multiple of 16. */
  directWindowF32: DirectWindowCall;
  /** Direct window, float64 (see {@linkcode DirectWindowCall}); count a multiple of 8. */
  directWindowF64: DirectWindowCall;
  /** In-place reversal, float32. */
  reverseF32(ptr: number, n: number): void;
  /** In-place reversal, float64. */
  reverseF64(ptr: number, n: number): void;
  /** Twiddle and position tables of a complex FFT of size n, float32. */
  fftInitF32(tw: number, pos: number, n: number): void;
  /** Twiddle and position tables of a complex FFT of size n, float64. */
  fftInitF64(tw: number, pos: number, n: number): void;
  /** Real-FFT twiddles for n real points, float32. */
  realInitF32(rt: number, n: number): void;
  /** Real-FFT twiddles for n real points, float64. */
  realInitF64(rt: number, n: number): void;
  /** Forward complex FFT (scrambled output), float32. */
  fftForwardF32: ComplexFftCall;
  /** Forward complex FFT (scrambled output), float64. */
  fftForwardF64: ComplexFftCall;
  /** Inverse complex FFT (scrambled input, natural output, times n), float32. */
  fftInverseF32: ComplexFftCall;
  /** Inverse complex FFT (scrambled input, natural output, times n), float64. */
  fftInverseF64: ComplexFftCall;
  /** Real FFT, float32. */
  realFftF32: RealFftCall;
  /** Real FFT, float64. */
  realFftF64: RealFftCall;
  /** 1 when the `bytes` bytes at a and b are bit-for-bit equal (bytes a multiple of 4). */
  sameBits(a: number, b: number, bytes: number): number;
  /** Kernel spectrum, float32. */
  spectrumF32: SpectrumCall;
  /**
   * Float32 kernel spectrum computed in float64 (tables tw64, scratch re64 and im64 of
   * n float64 each) and rounded once per bin.
   */
  spectrumWideF32(
    h: number,
    m: number,
    hRe: number,
    hIm: number,
    n: number,
    tw64: number,
    re64: number,
    im64: number,
  ): void;
  /** Kernel spectrum, float64. */
  spectrumF64: SpectrumCall;
  /**
   * Fused overlap-add window, float32. The kernel's bits are kept at `kept` (in the
   * spectrum cache); a signal with a large mean is transformed minus that mean and the
   * mean's share added back from those taps (reversed when `reverse` is 1), all inside
   * the module.
   */
  overlapAddF32: (...args: [...Parameters<OverlapAddCall>, kept: number, reverse: number]) => void;
  /** Fused overlap-add window, float64. */
  overlapAddF64: OverlapAddCall;
}

/**
 * A minimal module using `i8x16.splat` and `i8x16.popcnt` (final SIMD opcodes):
 * validating it tells whether this engine implements WebAssembly SIMD.
 */
const SIMD_PROBE: Uint8Array<ArrayBuffer> = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  10,
  1,
  8,
  0,
  65,
  0,
  253,
  15,
  253,
  98,
  11,
]);

/**
 * Whether WebAssembly with the SIMD proposal is available in this runtime (validates a
 * tiny probe module; instantiates nothing).
 *
 * @example
 * ```ts
 * import { simdSupported } from "./loader.ts";
 * console.log(typeof simdSupported()); // "boolean"
 * ```
 */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * The compiled module's bytes (a fresh copy each call).
 *
 * @example
 * ```ts
 * import { wasmBytes } from "./loader.ts";
 * console.log(wasmBytes()[0]); // 0 (the "\0asm" magic)
 * ```
 */
export function wasmBytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(WASM_BASE64);
}

/**
 * Compiles the kernels' module, or returns `null` without WebAssembly SIMD (or when
 * the engine refuses the module). Compiling costs far more than instantiating:
 * compile once and keep the module (`wasm_instance.ts` does).
 *
 * @example
 * ```ts
 * import { compileWasm } from "./loader.ts";
 * console.log(compileWasm() instanceof WebAssembly.Module); // true with SIMD
 * ```
 */
export function compileWasm(): WebAssembly.Module | null {
  if (!simdSupported()) return null;
  try {
    return new WebAssembly.Module(wasmBytes());
  } catch {
    return null; // callers fall back to the TypeScript kernels
  }
}

/**
 * Instantiates a NEW copy of the kernels (own linear memory) from `module` (by
 * default a freshly compiled one), or returns `null` when WebAssembly SIMD is
 * unavailable or instantiation fails. Holding the module and the instance is the
 * caller's job (the kernels keep theirs in `wasm_instance.ts`).
 *
 * @example
 * ```ts
 * import { instantiateWasm } from "./loader.ts";
 * const a = instantiateWasm(), b = instantiateWasm();
 * console.log(a === null || a.memory !== b!.memory); // true: each has its own memory
 * ```
 */
export function instantiateWasm(
  module: WebAssembly.Module | null = compileWasm(),
): WasmExports | null {
  if (module === null) return null;
  try {
    return new WebAssembly.Instance(module, {}).exports as unknown as WasmExports;
  } catch {
    return null;
  }
}
