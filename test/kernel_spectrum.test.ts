import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KernelSpectrumCache, kernelSpectrumReuses } from "../src/kernels/wasm/kernel_spectrum.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { currentWasmInstance, dropWasmInstance } from "../src/kernels/wasm/wasm_instance.ts";
import { spectrumBytes } from "../src/kernels/wasm/wasm_layout.ts";

describe("the kernel-spectrum cache", { skip: !simdSupported() }, () => {
  it("occupies nothing until it holds a spectrum, and nothing after invalidate", () => {
    const cache = new KernelSpectrumCache();
    assert.equal(cache.occupiedBytes, 0);
    cache.invalidate();
    assert.equal(cache.occupiedBytes, 0);
  });

  it("reuses a spectrum only for the same bits, length, direction, size and precision", () => {
    dropWasmInstance();
    const instance = currentWasmInstance()!;
    const size = 64, m = 5;
    const tw = instance.fftTables(size, false);
    const bytes = spectrumBytes(m, size, false);
    const base = instance.persistentTop;
    const h = base + bytes; // the kernel's copy, just above the cache
    instance.ensureMemory(h + 4 * m);
    const cache = new KernelSpectrumCache();
    const view = instance.viewF32;
    const kernel = [1, 2, 3, 4, 5];
    const prepare = (reverse: boolean, fftSize = size): number => {
      view.set(kernel, h / 4);
      const before = kernelSpectrumReuses();
      cache.prepare(instance.exports, view, base, h, m, reverse, fftSize, false, tw, bytes);
      return kernelSpectrumReuses() - before;
    };
    assert.equal(prepare(false), 0, "first: transformed");
    assert.equal(cache.occupiedBytes, bytes);
    // The spectrum of [1, 2, 3, 4, 5] at frequency 0 is its sum (scaled by 1/size).
    const dc = view[base / 4];
    assert.ok(Math.abs(dc - 15 / size) < 1e-6, `DC bin ${dc}`);
    assert.equal(prepare(false), 1, "same kernel: reused");
    assert.equal(prepare(true), 0, "reversed: transformed again");
    kernel[2] = 30;
    assert.equal(prepare(true), 0, "changed bits: transformed again");
    assert.equal(prepare(true), 1);
    cache.invalidate();
    assert.equal(prepare(true), 0, "invalidated: transformed again");
  });

  it("computes a float32 spectrum in float64 and rounds each bin once, given tw64", () => {
    dropWasmInstance();
    const instance = currentWasmInstance()!;
    const size = 256, m = 100;
    const tw = instance.fftTables(size, false);
    const tw64 = instance.fftTables(size, true);
    const bytes = spectrumBytes(m, size, false);
    const base = instance.persistentTop;
    const h = base + bytes;
    const work64 = h + 8 * m + 64; // 16-byte aligned: base, bytes and 8 m are
    const h64 = work64 + 16 * size; // a float64 spectrum of the same kernel, for reference
    const end = h64 + 16 * size + 8 * m;
    instance.ensureMemory(end);
    const kernel = Float32Array.from({ length: m }, (_, i) => Math.sin(i * 1.7) + 0.5);
    instance.viewF32.set(kernel, h / 4);
    const cache = new KernelSpectrumCache();
    cache.prepare(
      instance.exports,
      instance.viewF32,
      base,
      h,
      m,
      false,
      size,
      false,
      tw,
      bytes,
      tw64,
      work64,
    );
    assert.equal(cache.wideTables(size, false), tw64);
    assert.equal(cache.wideTables(size, true), 0);
    assert.equal(cache.wideTables(2 * size, false), 0);
    const got = instance.viewF32.slice(base / 4, base / 4 + 2 * size);
    instance.viewF64.set(kernel, (end - 8 * m) / 8);
    instance.exports.spectrumF64(end - 8 * m, m, h64, h64 + 8 * size, size, tw64);
    // Bin k sits at f32 position q32(r) and f64 position q64(r), r = bitreverse(k):
    // the two scrambled orders of asm/convpool.ts (fillPositions).
    const bits = Math.log2(size);
    for (let k = 0; k < size; k++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((k >> b) & 1) << (bits - 1 - b);
      const q32 = (r & ~15) | ((r & 3) << 2) | ((r >> 2) & 3);
      const q64 = (r & ~7) | ((r & 3) << 1) | ((r >> 2) & 1);
      for (const half of [0, 1]) {
        const wide = instance.viewF64[h64 / 8 + half * size + q64];
        assert.equal(got[half * size + q32], Math.fround(wide), `bin ${k} half ${half}`);
      }
    }
    cache.invalidate();
    assert.equal(cache.wideTables(size, false), 0);
  });
});
