/**
 * How many bytes of WebAssembly linear memory each kernel call needs, and the limit
 * those bytes must stay under. The wrappers in `wasm_kernels.ts` lay out memory with
 * these same functions, so the check made before any work and the layout used by the
 * work cannot disagree.
 *
 * Layout of the linear memory: the module's static data below `heapBase`, then the
 * persistent FFT tables (per size and precision), then the cached kernel spectrum,
 * then the scratch of the current call. Everything is 64-byte aligned.
 *
 * @example
 * ```ts
 * import { overlapAddBytes, WASM_MEMORY_LIMIT_BYTES } from "./wasm_layout.ts";
 * // a float32 overlap-add of 1e6 samples with 1000 taps, FFT size 4096, full output
 * const bytes = overlapAddBytes(1_000_000, 1000, 1_000_999, 4096, false);
 * console.log(bytes < WASM_MEMORY_LIMIT_BYTES); // true
 * ```
 *
 * @module
 */

/**
 * The most linear memory the kernels' module can have: 65536 pages of 64 KiB, the
 * wasm32 address space (the module declares no smaller maximum). Deno, Bun and Node
 * all grow a memory to exactly this size and refuse one page more.
 *
 * @example
 * ```ts
 * import { WASM_MEMORY_LIMIT_BYTES } from "./wasm_layout.ts";
 * console.log(WASM_MEMORY_LIMIT_BYTES / 2 ** 30); // 4 (GiB)
 * ```
 */
export const WASM_MEMORY_LIMIT_BYTES: number = 2 ** 32;

/** Alignment of every region of the layout, in bytes. *
 * @example
 * ```ts
 * import { WASM_ALIGN } from "./wasm_layout.ts";
 * console.log(WASM_ALIGN); // 64
 * ```
 */
export const WASM_ALIGN = 64;

/** `value` rounded up to a multiple of {@linkcode WASM_ALIGN}. *
 * @example
 * ```ts
 * import { alignUp } from "./wasm_layout.ts";
 * console.log(alignUp(65)); // 128
 * ```
 */
export function alignUp(value: number): number {
  return Math.ceil(value / WASM_ALIGN) * WASM_ALIGN;
}

/**
 * Elements of the twiddle table of a complex FFT of size `n` (a power of two >= 16):
 * radix-4 tables up to the largest quarter span, plus `n` for the radix-2 pass when
 * the number of radix-2 stages is odd (the same formula as `twiddleCount` in
 * `asm/convpool.ts`).
 *
 * @example
 * ```ts
 * import { twiddleElements } from "./wasm_layout.ts";
 * console.log(twiddleElements(16)); // 24
 * ```
 */
export function twiddleElements(n: number): number {
  const p = Math.round(Math.log2(n));
  const radix2 = ((p - 2) & 1) !== 0;
  const quarterSpanMax = radix2 ? n / 8 : n / 4;
  return 2 * (4 * quarterSpanMax - 4) + (radix2 ? n : 0);
}

/** Bytes of the tables of a complex FFT of size `n`: [twiddles][positions][real twiddles]. *
 * @example
 * ```ts
 * import { fftTableBytes } from "./wasm_layout.ts";
 * console.log(fftTableBytes(16, false)); // 320
 * ```
 */
export function fftTableBytes(n: number, f64: boolean): number {
  const bytes = f64 ? 8 : 4;
  return alignUp(twiddleElements(n) * bytes) + alignUp(n * 4) + alignUp((n + 8) * bytes);
}

/** Outputs the direct kernel computes per register block (16 in f32, 8 in f64). *
 * @example
 * ```ts
 * import { directBlock } from "./wasm_layout.ts";
 * console.log(directBlock(false), directBlock(true)); // 16 8
 * ```
 */
export function directBlock(f64: boolean): number {
  return f64 ? 8 : 16;
}

/**
 * Outputs the direct kernel computes for a window of `length`: rounded up to its
 * register block ({@linkcode directBlock}).
 *
 * @example
 * ```ts
 * import { directOutputCount } from "./wasm_layout.ts";
 * console.log(directOutputCount(270, false), directOutputCount(270, true)); // 272 272
 * ```
 */
export function directOutputCount(length: number, f64: boolean): number {
  const block = directBlock(f64);
  return Math.ceil(length / block) * block;
}

/**
 * A quantity of the window `[start, start + length)` of an `n`-sample signal and an
 * `m`-tap kernel in float64 (`f64`) or float32: bytes, work units.
 */
export type WindowMeasure = (
  n: number,
  m: number,
  start: number,
  length: number,
  f64: boolean,
) => number;

/**
 * Scratch bytes of a direct window of `length` outputs from `start` (signal `n`,
 * kernel `m`): the kernel, the zero-padded signal and the block-rounded output.
 *
 * @example
 * ```ts
 * import { directBytes } from "./wasm_layout.ts";
 * console.log(directBytes(256, 15, 0, 270, false)); // 2304
 * ```
 */
export const directBytes: WindowMeasure = (n, m, start, length, f64) => {
  const bytes = f64 ? 8 : 4;
  const count = directOutputCount(length, f64);
  const padded = start + count + m - 1;
  return alignUp(m * bytes) + alignUp(Math.max(padded, n + m - 1) * bytes) + count * bytes;
};

/**
 * Bytes an overlap-add (or single-transform FFT) window needs in a fresh instance:
 * the FFT tables of `size`, the kernel spectrum with the copy of the kernel's bits,
 * and the scratch (signal, kernel, two work blocks, output window).
 *
 * @example
 * ```ts
 * import { overlapAddBytes } from "./wasm_layout.ts";
 * console.log(overlapAddBytes(1000, 31, 1030, 64, false) > 0); // true
 * ```
 */
export function overlapAddBytes(
  n: number,
  m: number,
  length: number,
  size: number,
  f64: boolean,
): number {
  const bytes = f64 ? 8 : 4;
  return fftTableBytes(size, f64) + spectrumBytes(m, size, f64) + alignUp(n * bytes) +
    alignUp(m * bytes) + 2 * size * bytes + alignUp(length * bytes) +
    wideSpectrumBytes(size, f64);
}

/**
 * Largest FFT size at which a float32 kernel spectrum is computed in float64 (and
 * rounded once per bin); above it, in float32, so that the float64 tables and work
 * arrays do not lower the tap limit of the 4 GiB linear memory.
 *
 * @example
 * ```ts
 * import { WIDE_SPECTRUM_MAX_SIZE } from "./wasm_layout.ts";
 * console.log(WIDE_SPECTRUM_MAX_SIZE); // 1048576
 * ```
 */
export const WIDE_SPECTRUM_MAX_SIZE = 2 ** 20;

/**
 * True when the float32 kernel spectrum of FFT size `size` is computed in float64
 * (never for float64 data, whose spectrum is float64 anyway).
 *
 * @example
 * ```ts
 * import { wideSpectrum } from "./wasm_layout.ts";
 * console.log(wideSpectrum(1024, false), wideSpectrum(1024, true)); // true false
 * ```
 */
export function wideSpectrum(size: number, f64: boolean): boolean {
  return !f64 && size <= WIDE_SPECTRUM_MAX_SIZE;
}

/**
 * Bytes the float64 computation of a float32 kernel spectrum adds: the float64 FFT
 * tables of `size` and two float64 work arrays of `size` (0 when it is not used, see
 * {@linkcode wideSpectrum}).
 *
 * @example
 * ```ts
 * import { wideSpectrumBytes } from "./wasm_layout.ts";
 * console.log(wideSpectrumBytes(1024, true)); // 0
 * ```
 */
export function wideSpectrumBytes(size: number, f64: boolean): number {
  return wideSpectrum(size, f64) ? fftTableBytes(size, true) + 16 * size : 0;
}

/**
 * Byte offset, from the cached kernel spectrum's base, of the kernel's bits kept after
 * its re and im halves (in the caller's order, never reversed).
 *
 * @example
 * ```ts
 * import { keptKernelOffset } from "./wasm_layout.ts";
 * console.log(keptKernelOffset(16, false)); // 128
 * ```
 */
export function keptKernelOffset(size: number, f64: boolean): number {
  return alignUp(2 * size * (f64 ? 8 : 4));
}

/** Bytes of the cached kernel spectrum: its re and im halves, then the kernel's bits. *
 * @example
 * ```ts
 * import { spectrumBytes } from "./wasm_layout.ts";
 * console.log(spectrumBytes(15, 16, false)); // 192
 * ```
 */
export function spectrumBytes(m: number, size: number, f64: boolean): number {
  return keptKernelOffset(size, f64) + alignUp(m * (f64 ? 8 : 4));
}
