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
});
