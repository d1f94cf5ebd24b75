/**
 * The byte counts of `wasm_layout.ts` against the compiled module and against the
 * memory real calls take.
 *
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  alignUp,
  directBytes,
  fftTableBytes,
  keptKernelOffset,
  overlapAddBytes,
  spectrumBytes,
  twiddleElements,
  WASM_MEMORY_LIMIT_BYTES,
  WIDE_SPECTRUM_MAX_SIZE,
  wideSpectrum,
  wideSpectrumBytes,
} from "../src/kernels/wasm/wasm_layout.ts";
import { instantiateWasm, simdSupported } from "../src/kernels/wasm/loader.ts";
import {
  convolveDirectWasm,
  convolveOverlapAddWasm,
  WASM_STATIC_BYTES_BOUND,
} from "../src/kernels/wasm/wasm_kernels.ts";
import { setWasmMemoryLimitForTests } from "../src/internal/testing.ts";
import { wasmMemoryBytes } from "../src/kernels/wasm/wasm_instance.ts";

const wasmAvailable = simdSupported();

describe("WebAssembly memory layout", () => {
  it("is 64-byte aligned and the limit is the wasm32 address space", () => {
    assert.equal(alignUp(1), 64);
    assert.equal(alignUp(64), 64);
    assert.equal(WASM_MEMORY_LIMIT_BYTES, 65536 * 65536);
  });

  it("computes float32 kernel spectra in float64 up to WIDE_SPECTRUM_MAX_SIZE", () => {
    assert.ok(wideSpectrum(16, false));
    assert.ok(wideSpectrum(WIDE_SPECTRUM_MAX_SIZE, false));
    assert.ok(!wideSpectrum(2 * WIDE_SPECTRUM_MAX_SIZE, false));
    assert.ok(!wideSpectrum(1024, true));
    // The float64 tables and two float64 work arrays, counted in overlapAddBytes.
    assert.equal(wideSpectrumBytes(1024, false), fftTableBytes(1024, true) + 16 * 1024);
    assert.equal(wideSpectrumBytes(1024, true), 0);
    assert.equal(wideSpectrumBytes(2 * WIDE_SPECTRUM_MAX_SIZE, false), 0);
    assert.equal(
      overlapAddBytes(1000, 31, 1030, 64, false) - wideSpectrumBytes(64, false),
      fftTableBytes(64, false) + alignUp(2 * 64 * 4) + alignUp(31 * 4) + alignUp(1000 * 4) +
        alignUp(31 * 4) + 2 * 64 * 4 + alignUp(1030 * 4),
    );
  });

  it("keeps the kernel's bits after the spectrum's re and im halves", () => {
    assert.equal(keptKernelOffset(16, false), alignUp(2 * 16 * 4));
    assert.equal(keptKernelOffset(24, true), alignUp(2 * 24 * 8));
    // the kept kernel is the last part of the spectrum's region
    assert.equal(spectrumBytes(31, 64, false), keptKernelOffset(64, false) + alignUp(31 * 4));
  });

  it("counts the twiddles as the module does, and its static data fits the bound", {
    skip: !wasmAvailable,
  }, () => {
    const exports = instantiateWasm()!;
    for (let n = 16; n <= 2 ** 22; n *= 2) {
      assert.equal(twiddleElements(n), exports.twiddleCount(n), `n = ${n}`);
    }
    assert.ok(exports.heapBase() <= WASM_STATIC_BYTES_BOUND, `heapBase ${exports.heapBase()}`);
  });

  it("bounds the memory a call takes in a fresh instance", { skip: !wasmAvailable }, () => {
    const pages = (bytes: number) => Math.ceil(bytes / 65536) * 65536;
    const x = new Float64Array(300_000).fill(1);
    const h = new Float64Array(100).fill(1);
    const out = new Float64Array(300_099);
    setWasmMemoryLimitForTests(null); // a fresh instance
    convolveDirectWasm(x, h, out, 0, out.length, false);
    const direct = directBytes(300_000, 100, 0, out.length, true);
    assert.ok(wasmMemoryBytes() <= pages(WASM_STATIC_BYTES_BOUND + direct));
    assert.ok(wasmMemoryBytes() >= direct);
    setWasmMemoryLimitForTests(null);
    convolveOverlapAddWasm(x, h, out, 0, out.length, false, { fftSize: 1024 });
    const fft = overlapAddBytes(300_000, 100, out.length, 1024, true);
    assert.ok(wasmMemoryBytes() <= pages(WASM_STATIC_BYTES_BOUND + fft));
    assert.ok(wasmMemoryBytes() >= fft - fftTableBytes(1024, true));
    setWasmMemoryLimitForTests(null);
  });
});
