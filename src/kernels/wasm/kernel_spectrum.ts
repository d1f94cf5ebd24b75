/**
 * The kernel-spectrum cache of the WebAssembly frequency-domain kernels: the last
 * kernel's spectrum stays in linear memory (just above the persistent FFT tables),
 * together with a copy of the kernel's (converted) bits. A later call whose kernel
 * has the same bits, length, direction, FFT size and precision reuses the spectrum;
 * the check costs one SIMD comparison of m elements, so a kernel mutated in place, or
 * a different array with the same values, is always handled correctly.
 *
 * Layout at the cache's base: the spectrum's re half, its im half (each
 * `size` elements, together aligned), then the kernel's bits
 * (see `spectrumBytes` in `wasm_layout.ts`).
 *
 * @example
 * ```ts
 * import { KernelSpectrumCache, kernelSpectrumReuses } from "./kernel_spectrum.ts";
 * const cache = new KernelSpectrumCache();
 * console.log(cache.occupiedBytes, kernelSpectrumReuses() >= 0); // 0 true
 * ```
 *
 * @module
 */

import type { WasmExports } from "./loader.ts";
import { keptKernelOffset } from "./wasm_layout.ts";

let reuses = 0;

/**
 * How many frequency-domain calls in this process reused the previous call's kernel
 * spectrum instead of transforming the kernel again.
 *
 * @example
 * ```ts
 * import { kernelSpectrumReuses } from "./kernel_spectrum.ts";
 * console.log(kernelSpectrumReuses() >= 0); // true
 * ```
 */
export function kernelSpectrumReuses(): number {
  return reuses;
}

/**
 * The spectrum of the last kernel one instance transformed (one per
 * {@linkcode WasmInstance}; it dies with the instance's memory).
 *
 * @example
 * ```ts
 * import { KernelSpectrumCache } from "./kernel_spectrum.ts";
 * const cache = new KernelSpectrumCache();
 * cache.invalidate(); // e.g. after new FFT tables were laid over its region
 * console.log(cache.occupiedBytes); // 0
 * ```
 */
export class KernelSpectrumCache {
  #valid = false;
  #taps = 0;
  #reverse = false;
  #size = 0;
  #f64 = false;
  #bytes = 0;
  #tw64 = 0;

  /**
   * The float64 tables a float32 spectrum of `size` was computed with, while the
   * cache holds one of that size (they stay put: making tables invalidates the
   * cache), else 0. Lets a call whose spectrum is cached skip looking them up.
   */
  wideTables(size: number, f64: boolean): number {
    return this.#valid && this.#size === size && this.#f64 === f64 ? this.#tw64 : 0;
  }

  /** Bytes the cache occupies at its base (0 while it holds nothing). */
  get occupiedBytes(): number {
    return this.#valid ? this.#bytes : 0;
  }

  /** Forgets the spectrum (its region is about to be overwritten). */
  invalidate(): void {
    this.#valid = false;
  }

  /**
   * Makes the spectrum of the `m`-tap kernel at byte address `h` (already copied
   * into linear memory, converted to the precision `f64`) available at `base`: the
   * re half at `base`, the im half `size` elements later. Reuses the cached one when
   * it was made from the same bits, length, direction and size; else copies the bits
   * next to it, reverses the kernel in place when `reverseKernel`, and transforms it
   * with the FFT tables at `tw`. `bytes` is what the region takes
   * (`spectrumBytes(m, size, f64)`). A float32 spectrum is computed in float64 and
   * rounded once per bin when `tw64` (the float64 tables of `size`) is not 0, with
   * `2 size` float64 of scratch at `work64` (see `wideSpectrum` in `wasm_layout.ts`).
   */
  prepare(
    wasm: WasmExports,
    view: Float32Array | Float64Array,
    base: number,
    h: number,
    m: number,
    reverseKernel: boolean,
    size: number,
    f64: boolean,
    tw: number,
    bytes: number,
    tw64 = 0,
    work64 = 0,
  ): void {
    const elementBytes = f64 ? 8 : 4;
    const hIm = base + size * elementBytes;
    const kept = base + keptKernelOffset(size, f64);
    if (
      this.#valid && this.#taps === m && this.#reverse === reverseKernel &&
      this.#size === size && this.#f64 === f64 && wasm.sameBits(h, kept, m * elementBytes) === 1
    ) {
      reuses++;
      return;
    }
    view.copyWithin(kept / elementBytes, h / elementBytes, h / elementBytes + m);
    if (f64) {
      if (reverseKernel) wasm.reverseF64(h, m);
      wasm.spectrumF64(h, m, base, hIm, size, tw);
    } else {
      if (reverseKernel) wasm.reverseF32(h, m);
      if (tw64 !== 0) wasm.spectrumWideF32(h, m, base, hIm, size, tw64, work64, work64 + 8 * size);
      else wasm.spectrumF32(h, m, base, hIm, size, tw);
    }
    this.#valid = true;
    this.#taps = m;
    this.#reverse = reverseKernel;
    this.#size = size;
    this.#f64 = f64;
    this.#bytes = bytes;
    this.#tw64 = tw64;
  }
}
