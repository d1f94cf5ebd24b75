import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kernelMemoryBytes, observedKernelSet } from "../src/kernels/dispatch.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import {
  currentWasmInstance,
  dropWasmInstance,
  kernelsModule,
  wasmInstanceDrops,
  wasmInstanceStatus,
  wasmMemoryBytes,
} from "../src/kernels/wasm/wasm_instance.ts";
import { fftTableBytes } from "../src/kernels/wasm/wasm_layout.ts";

describe("the WebAssembly instance", { skip: !simdSupported() }, () => {
  it("is read without side effects: status, memory and kernel set never instantiate", () => {
    currentWasmInstance();
    dropWasmInstance();
    const drops = wasmInstanceDrops();
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(wasmInstanceStatus(), {
        supported: true,
        enabled: true,
        alive: false,
        memoryBytes: 0,
      });
      assert.equal(wasmMemoryBytes(), 0);
      assert.equal(kernelMemoryBytes(), 0);
      assert.equal(observedKernelSet(), "wasm", "names the set the next call will use");
    }
    assert.equal(wasmInstanceStatus().alive, false, "reading instantiated the kernels");
    assert.equal(wasmInstanceDrops(), drops);
  });

  it("compiles the module once: a dropped instance and every streaming engine reuse it", () => {
    const module = kernelsModule();
    assert.ok(module instanceof WebAssembly.Module);
    currentWasmInstance();
    dropWasmInstance();
    currentWasmInstance();
    assert.equal(kernelsModule(), module);
  });

  it("is created once and kept until dropped", () => {
    const instance = currentWasmInstance();
    assert.ok(instance !== null);
    assert.equal(currentWasmInstance(), instance);
    const status = wasmInstanceStatus();
    assert.equal(status.alive, true);
    assert.equal(status.memoryBytes, instance.byteLength);
    const drops = wasmInstanceDrops();
    dropWasmInstance();
    assert.equal(wasmInstanceDrops(), drops + 1);
    assert.notEqual(currentWasmInstance(), instance, "a fresh instance after a drop");
  });

  it("lays FFT tables out once per size and precision, above the static data", () => {
    dropWasmInstance();
    const instance = currentWasmInstance()!;
    const base = instance.persistentTop;
    assert.equal(base, instance.staticTop);
    const f32 = instance.fftTables(64, false);
    assert.equal(f32, base);
    assert.equal(instance.fftTables(64, false), f32, "looked up, not rebuilt");
    const f64 = instance.fftTables(64, true);
    assert.equal(f64, base + fftTableBytes(64, false));
    assert.equal(instance.persistentTop, f64 + fftTableBytes(64, true));
    instance.resetSharedState();
    assert.equal(instance.persistentTop, instance.staticTop);
  });

  it("grows on demand and refuses scratch outside [persistentTop, end)", () => {
    dropWasmInstance();
    const instance = currentWasmInstance()!;
    const before = instance.byteLength;
    instance.ensureMemory(before + 1);
    assert.ok(instance.byteLength >= before + 1 && instance.byteLength % 65536 === 0);
    assert.equal(instance.viewF32.length * 4, instance.byteLength, "views follow the growth");
    instance.fftTables(16, false);
    const top = instance.persistentTop;
    instance.assertScratch(top, top + 64);
    assert.throws(() => instance.assertScratch(top - 64, top), RangeError);
    assert.throws(() => instance.assertScratch(top, instance.byteLength + 1), RangeError);
    assert.throws(() => instance.assertScratch(top + 0.5, top + 64), RangeError);
    assert.throws(
      () => instance.ensureMemory(2 ** 33),
      /needs \(bytes\) must be at most 4294967296, received number 8589934592$/,
    );
  });

  it("makes room by dropping old tables, and refuses what no instance can hold", () => {
    dropWasmInstance();
    const instance = currentWasmInstance()!;
    instance.fftTables(1024, true);
    assert.ok(instance.persistentTop > instance.staticTop);
    assert.equal(instance.roomFor(2 ** 32 - instance.staticTop), true);
    assert.equal(instance.persistentTop, instance.staticTop, "old tables dropped for room");
    assert.equal(instance.roomFor(2 ** 32), false);
  });
});
