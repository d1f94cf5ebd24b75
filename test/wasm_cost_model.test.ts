import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chooseWasmMethod,
  directWork,
  overlapAddUnits,
  WASM_COST_CONSTANTS,
  type WasmCostConstants,
} from "../src/kernels/wasm/wasm_cost_model.ts";
import { outputLength, outputStart } from "../src/modes.ts";
import type { Mode } from "../src/types.ts";
import { measureHeapGrowth } from "./helpers/heap_probe.ts";

/** The model's pick for a mode window, as the dispatcher asks for it. */
function pick(n: number, m: number, mode: Mode, f64: boolean): string {
  return chooseWasmMethod(n, m, outputStart(n, m, mode), outputLength(n, m, mode), f64, false);
}

/** Smallest full-mode kernel length at which the model leaves direct (null: never up to `limit`). */
function crossover(n: number, f64: boolean, limit = 4096): number | null {
  for (let m = 1; m <= limit; m++) if (pick(n, m, "full", f64) !== "direct") return m;
  return null;
}

describe("the WebAssembly cost model", () => {
  // bench/calibrate_wasm.bench.ts measured these winners on Node, Deno and Bun (the
  // float32 direct kernel has only become dearer since it sums in float64, which moves
  // none of these points).
  const GRID: [number, number, string][] = [
    [256, 15, "direct"],
    [4096, 63, "overlap_add"],
    [65536, 1023, "overlap_add"],
    [1048576, 4095, "overlap_add"],
  ];
  for (const [n, m, expected] of GRID) {
    it(`picks ${expected} at the benchmark grid point ${n}x${m}, float32 and float64`, () => {
      assert.equal(pick(n, m, "full", false), expected);
      assert.equal(pick(n, m, "full", true), expected);
    });
  }

  it("picks direct for tiny kernels and overlap-add for long ones on every signal length", () => {
    // (At 64 samples direct wins for every kernel up to 64 taps: measured a tie at 64x63.)
    for (const n of [256, 4096, 65536, 1048576]) {
      for (const f64 of [false, true]) {
        assert.equal(pick(n, 3, "full", f64), "direct", `${n}x3`);
        assert.equal(pick(n, Math.min(n, 1023), "full", f64), "overlap_add", `${n}x1023`);
      }
    }
  });

  it("always answers overlap-add for method fft", () => {
    assert.equal(chooseWasmMethod(256, 3, 0, 258, false, true), "overlap_add");
    assert.equal(chooseWasmMethod(16, 2, 0, 17, true, true), "overlap_add");
  });

  it("never returns to direct once a growing kernel is clearly past the crossover", () => {
    // Right at the crossover the two predictions are within a few percent, and the
    // overlap-add block size steps as m grows, so the pick may flip once or twice
    // there (measured: a tie either way). Past 1.25x the first crossover it may not.
    for (const n of [256, 1024, 4096, 65536]) {
      for (const f64 of [false, true]) {
        const first = crossover(n, f64);
        assert.notEqual(first, null, `n=${n}`);
        for (let m = Math.ceil(first! * 1.25); m <= Math.min(n, 2048); m++) {
          assert.equal(pick(n, m, "full", f64), "overlap_add", `n=${n} m=${m} f64=${f64}`);
        }
      }
    }
  });

  it("moves the crossover to shorter kernels (or keeps it) as the signal grows", () => {
    for (const f64 of [false, true]) {
      let previous = Infinity;
      for (const n of [256, 1024, 4096, 16384, 65536, 262144, 1048576]) {
        const m = crossover(n, f64)!;
        assert.ok(m <= previous, `n=${n}: crossover ${m} after ${previous}`);
        assert.ok(m >= 16 && m <= 96, `n=${n}: crossover ${m} outside the measured range`);
        previous = m;
      }
    }
  });

  it("leaves direct earlier in float32 than in float64: same f64x2 sums, cheaper f32 transforms", () => {
    for (const n of [1024, 65536]) assert.ok(crossover(n, false)! <= crossover(n, true)!);
  });

  it("prices float64 transforms of float32 data between the two precisions", () => {
    // float32 direct sums against float64 transforms: direct stays cheaper for longer
    // than against float32 transforms; 4096x63 still transforms (in float64).
    const wide = (n: number, m: number) => chooseWasmMethod(n, m, 0, n + m - 1, false, false, true);
    for (const n of [1024, 65536]) {
      let m = 1;
      while (wide(n, m) === "direct") m++;
      assert.ok(crossover(n, false)! <= m, `n ${n}: ${crossover(n, false)} > ${m}`);
    }
    assert.equal(wide(4096, 63), "overlap_add");
    assert.equal(wide(256, 15), "direct");
  });

  it("counts only the window's work for same and valid modes", () => {
    // A valid window of 101 outputs of a 900-tap kernel is cheap directly, while the
    // full convolution of the same arrays is not.
    assert.equal(pick(1000, 900, "valid", false), "direct");
    assert.equal(pick(1000, 900, "full", false), "overlap_add");
    assert.equal(pick(65536, 1023, "same", false), "overlap_add");
    assert.equal(pick(256, 15, "same", false), "direct");
    assert.ok(
      overlapAddUnits(65536, 255, 254, 65536 - 254, false) <
        overlapAddUnits(65536, 255, 0, 65536 + 254, false) * 1.01,
    );
  });

  it("counts the direct kernel's work with outputs rounded up to its register block", () => {
    assert.equal(directWork(10, 17, false), 32 * 10);
    assert.equal(directWork(10, 17, true), 24 * 10);
    assert.equal(directWork(63, 4096 + 62, false), 4160 * 63);
  });

  it("treats a kernel longer than the signal like the transposed problem for overlap-add", () => {
    assert.equal(pick(64, 4095, "full", false), "overlap_add");
    assert.equal(pick(16, 63, "full", false), "direct");
  });

  it("ships finite positive per-unit constants, float64 dearer than float32", () => {
    const c: WasmCostConstants = WASM_COST_CONSTANTS;
    for (const [key, value] of Object.entries(c)) {
      assert.ok(Number.isFinite(value) && value >= 0, `${key} = ${value}`);
    }
    assert.ok(c.directPerMultiplyAdd64 > c.directPerMultiplyAdd32);
    assert.ok(c.overlapAddPerUnit64 > c.overlapAddPerUnit32);
    assert.ok(Object.isFrozen(c));
  });

  it("honours constants passed in", () => {
    const freeDirect = { ...WASM_COST_CONSTANTS, directPerMultiplyAdd32: 0, directPerSample32: 0 };
    assert.equal(
      chooseWasmMethod(65536, 1023, 0, 66558, false, false, false, freeDirect),
      "direct",
    );
  });

  it("allocates nothing per call once warm", async () => {
    const cases = [[256, 15], [4096, 63], [65536, 1023], [1000, 900], [64, 4095]];
    let k = 0;
    let overlapAdds = 0;
    const call = () => {
      const [n, m] = cases[k];
      k = k === cases.length - 1 ? 0 : k + 1;
      if (chooseWasmMethod(n, m, 0, n + m - 1, (k & 1) === 1, false) === "overlap_add") {
        overlapAdds++;
      }
    };
    for (let i = 0; i < 50_000; i++) call();
    const result = await measureHeapGrowth(call, { calls: 100_000 });
    console.log(
      `zero-allocation: chooseWasmMethod: B/call per probe round ${result.roundBytesPerCall}`,
    );
    assert.ok(result.bytesPerCall < 4, `${result.bytesPerCall} B/call via ${result.reader}`);
    assert.ok(overlapAdds > 0);
  });
});
