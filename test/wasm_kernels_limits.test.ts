/**
 * Limits and faults of the WebAssembly kernels: a problem beyond the linear memory is
 * computed in pieces, by the TypeScript kernel, or refused at once with a RangeError;
 * a call that fails part-way, or hostile input, never leaves state that a later call
 * would trust. The limit is lowered with a test hook so small arrays reach it.
 *
 * @module
 */

import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Float } from "../src/types.ts";
import {
  convolveDirectWasm,
  convolveFftWasm,
  convolveOverlapAddWasm,
  FLOAT64_TRANSFORMS,
  realFftWasm,
  wasmFftTapLimit,
} from "../src/kernels/wasm/wasm_kernels.ts";
import { setWasmFaultHookForTests, setWasmMemoryLimitForTests } from "../src/internal/testing.ts";
import { wasmInstanceDrops, wasmMemoryBytes } from "../src/kernels/wasm/wasm_instance.ts";
import { WASM_MEMORY_LIMIT_BYTES } from "../src/kernels/wasm/wasm_layout.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { convolve } from "../src/convolve.ts";
import {
  assertClose,
  convolutionScale,
  randomSignal,
  referenceFull,
  referenceRealDft,
} from "./helpers/reference.ts";

const MIB = 1024 * 1024;

/** Asserts a full output against the float64 reference at the output type's tolerance. */
function assertFull(out: Float, x: Float, h: Float, label: string, reverse = false): void {
  const tolerance = out instanceof Float32Array ? 4e-6 : 1e-13;
  assertClose(out, referenceFull(x, h, reverse), tolerance, label, convolutionScale(x, h));
}

/** One ordinary FFT, overlap-add and direct call each, checked against the reference. */
function assertKernelsExact(label: string): void {
  const x = randomSignal(Float32Array, 300, 5);
  const h = randomSignal(Float32Array, 17, 6);
  const out = new Float32Array(316);
  for (const kernel of [convolveFftWasm, convolveOverlapAddWasm, convolveDirectWasm]) {
    out.fill(0);
    kernel(x, h, out, 0, 316, false);
    assertFull(out, x, h, `${label}: ${kernel.name}`);
  }
  const input = randomSignal(Float64Array, 64, 7);
  const re = new Float64Array(33);
  const im = new Float64Array(33);
  realFftWasm(input, re, im);
  const dft = referenceRealDft(input);
  for (let k = 0; k <= 32; k++) {
    assert.ok(Math.abs(re[k] - dft[2 * k]) < 1e-12, `${label}: real FFT re[${k}]`);
    assert.ok(Math.abs(im[k] - dft[2 * k + 1]) < 1e-12, `${label}: real FFT im[${k}]`);
  }
}

const wasmAvailable = simdSupported();

describe("WebAssembly kernels: limits", { skip: !wasmAvailable }, () => {
  afterEach(() => setWasmMemoryLimitForTests(null));

  it("compute the tap limit of the FFT kernels from the layout", () => {
    assert.equal(wasmFftTapLimit(false), 2 ** 25);
    assert.equal(wasmFftTapLimit(true), 2 ** 24);
    assert.equal(wasmFftTapLimit(false, WASM_MEMORY_LIMIT_BYTES / 2), 2 ** 24);
  });

  it("compute a window larger than the memory in pieces that fit", () => {
    setWasmMemoryLimitForTests(2 * MIB);
    for (const ArrayType of [Float32Array, Float64Array]) {
      const x = randomSignal(ArrayType, 200_000, 1);
      const h = randomSignal(ArrayType, 31, 2);
      for (const kernel of [convolveFftWasm, convolveOverlapAddWasm, convolveDirectWasm]) {
        for (const reverse of [false, true]) {
          const out = new ArrayType(200_030);
          kernel(x, h, out, 0, out.length, reverse);
          assertFull(out, x, h, `${kernel.name} ${ArrayType.name} rev=${reverse}`, reverse);
          assert.ok(wasmMemoryBytes() <= 2 * MIB, `memory ${wasmMemoryBytes()}`);
        }
      }
    }
  });

  it("keep float64 transforms of a float32 window in every piece", () => {
    const x = randomSignal(Float32Array, 200_000, 1);
    const h = randomSignal(Float32Array, 31, 2);
    const wide = new Float64Array(200_030);
    convolveOverlapAddWasm(Float64Array.from(x), Float64Array.from(h), wide, 0, 200_030, false);
    setWasmMemoryLimitForTests(2 * MIB);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
      const out = new Float32Array(200_030);
      kernel(x, h, out, 0, out.length, false, FLOAT64_TRANSFORMS);
      assert.ok(wasmMemoryBytes() <= 2 * MIB, `memory ${wasmMemoryBytes()}`);
      assertFull(out, x, h, `${kernel.name} float64 transforms`, false);
      // rounded once from float64 sums: within half a float32 spacing plus a hair
      let worst = 0;
      for (let i = 0; i < out.length; i++) {
        const spacing = Math.abs(Math.fround(wide[i]) - wide[i]);
        worst = Math.max(worst, Math.abs(out[i] - wide[i]) - spacing);
      }
      assert.ok(worst <= 1e-12, `${kernel.name}: ${worst}`);
    }
  });

  it("use the TypeScript direct kernel when no piece fits", () => {
    setWasmMemoryLimitForTests(1 * MIB);
    const x = randomSignal(Float64Array, 50, 3);
    const h = randomSignal(Float64Array, 100_000, 4);
    const out = new Float64Array(100_049);
    convolveDirectWasm(x, h, out, 0, out.length, false);
    assertFull(out, x, h, "direct beyond the memory");
  });

  it("refuse an FFT kernel beyond the tap limit before any work, naming both", () => {
    setWasmMemoryLimitForTests(1 * MIB);
    assertKernelsExact("before");
    const before = wasmMemoryBytes();
    const x = randomSignal(Float32Array, 1000, 8);
    const h = randomSignal(Float32Array, 100_000, 9);
    const out = new Float32Array(100_999);
    const limit = wasmFftTapLimit(false);
    assert.ok(limit < 100_000);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm]) {
      assert.throws(
        () => kernel(x, h, out, 0, out.length, false),
        (error: Error) =>
          error instanceof RangeError && error.message.includes(`at most ${limit} taps`) &&
          error.message.includes("received Float32Array(length 100000)") &&
          error.message.includes(`${1 * MIB}-byte`),
      );
    }
    assert.equal(wasmMemoryBytes(), before, "nothing was grown");
    assertKernelsExact("after");
  });

  it("refuse 2^26 x 2^26 float32 at once, and compute exactly right after", () => {
    const a = new Float32Array(2 ** 26);
    const b = new Float32Array(2 ** 26);
    assert.throws(
      () => convolve(a, b),
      (error: Error) =>
        error instanceof RangeError && error.message.includes("at most 33554432 taps") &&
        error.message.includes("received Float32Array(length 67108864)"),
    );
    assertKernelsExact("after 2^26");
  });
});

describe("WebAssembly kernels: faults", { skip: !wasmAvailable }, () => {
  afterEach(() => setWasmFaultHookForTests(null));

  it("a call that fails part-way leaves nothing that a later call trusts", () => {
    const x = randomSignal(Float32Array, 300, 5);
    const h = randomSignal(Float32Array, 17, 6);
    const out = new Float32Array(316);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm, convolveDirectWasm]) {
      assertKernelsExact(`before ${kernel.name}`);
      const drops = wasmInstanceDrops();
      setWasmFaultHookForTests((memory) => {
        // junk over all of memory, address 0, tables and cached spectrum included
        new Uint8Array(memory.buffer).fill(0xa5);
        throw new Error("fault in the middle of a call");
      });
      assert.throws(() => kernel(x, h, out, 0, 316, false), /fault in the middle/);
      setWasmFaultHookForTests(null);
      assert.equal(wasmInstanceDrops(), drops + 1, "the instance was dropped");
      assertKernelsExact(`after ${kernel.name}`);
    }
  });

  it("hostile lengths never reach linear memory", () => {
    assertKernelsExact("before");
    const liar = new Proxy(new Float32Array(4), {
      get: (target, key) => key === "length" ? NaN : Reflect.get(target, key, target),
    });
    const signal = new Float32Array(4000).fill(1);
    const out = new Float32Array(4003);
    for (const kernel of [convolveFftWasm, convolveOverlapAddWasm, convolveDirectWasm]) {
      assert.throws(() => kernel(signal, liar, out, 0, 4003, true), TypeError);
      assert.throws(() => kernel(liar, signal, out, 0, 4003, false), TypeError);
    }
    // A subclass whose length getter returns NaN or a negative number is refused too.
    for (const lie of [NaN, -1, 2.5]) {
      class Lying extends Float32Array {
        override get length(): number {
          return lie;
        }
      }
      const h = new Lying(3);
      for (const kernel of [convolveFftWasm, convolveOverlapAddWasm, convolveDirectWasm]) {
        assert.throws(() => kernel(signal, h, out, 0, 4002, false), TypeError);
      }
    }
    assertKernelsExact("after");
  });
});
