import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convolve, correlate, createEngine } from "../mod.ts";
import { METHOD_INDEX, OPERATION_INDEX, pairIndex } from "../src/metrics/operation_metrics.ts";
import type { KernelMethod } from "../src/types.ts";
import type { Operation } from "../src/metrics/operation_metrics.ts";
import { directWork } from "../src/kernels/wasm/wasm_cost_model.ts";
import { outputLength, outputStart } from "../src/modes.ts";
import { kernelWindowStart, transposes } from "../src/transpose.ts";
import type { Method, Mode } from "../src/types.ts";
import {
  assertClose,
  convolutionScale,
  randomSignal,
  referenceConvolve,
  referenceWindow,
} from "./helpers/reference.ts";

const MODES: readonly Mode[] = ["full", "same", "valid"];
const METHODS_ASKED: readonly Method[] = ["direct", "fft", "auto"];

function operationCount(counters: { operations: Float64Array }, op: string, method: string) {
  return counters.operations[
    pairIndex(OPERATION_INDEX[op as Operation], METHOD_INDEX[method as KernelMethod])
  ];
}

describe("the transposed problem", () => {
  it("gives the kernels the longer input as their signal, in every mode", () => {
    for (let n = 1; n <= 24; n++) {
      for (let m = 1; m <= 24; m++) {
        const swap = transposes(n, m);
        const signalSeen = swap ? m : n, kernelSeen = swap ? n : m;
        assert.ok(signalSeen >= kernelSeen, `${n} ${m}`);
        assert.equal(swap, m > n);
      }
    }
  });

  it("maps every mode's window to the same values (convolution) or their mirror (correlation)", () => {
    for (const [n, m] of [[1, 5], [2, 5], [3, 8], [4, 9], [5, 5], [7, 2]]) {
      const x = randomSignal(Float64Array, n, n);
      const h = randomSignal(Float64Array, m, m + 100);
      for (const mode of MODES) {
        const start = outputStart(n, m, mode), length = outputLength(n, m, mode);
        for (const correlate of [false, true]) {
          const expected = referenceWindow(x, h, start, length, correlate);
          const swap = transposes(n, m);
          const kernelStart = kernelWindowStart(n, m, start, length, correlate);
          const seen = swap
            ? referenceWindow(h, x, kernelStart, length, correlate)
            : referenceWindow(x, h, kernelStart, length, correlate);
          if (swap && correlate) seen.reverse();
          assertClose(seen, expected, 1e-12, `${n} ${m} ${mode} ${correlate}`);
        }
      }
    }
  });

  it("keeps SciPy's results when the kernel is longer, on every method", () => {
    for (const [n, m] of [[1, 64], [3, 100], [17, 300], [40, 41], [100, 1000]]) {
      for (const Type of [Float32Array, Float64Array] as const) {
        const x = randomSignal(Type, n, 3 * n);
        const h = randomSignal(Type, m, 5 * m);
        const tolerance = Type === Float32Array ? 1e-5 : 1e-12;
        for (const mode of MODES) {
          for (const method of METHODS_ASKED) {
            const label = `${Type.name} ${n}x${m} ${mode} ${method}`;
            const scale = convolutionScale(x, h);
            assertClose(
              convolve(x, h, { mode, method }),
              referenceConvolve(x, h, mode),
              tolerance,
              `convolve ${label}`,
              scale,
            );
            assertClose(
              correlate(x, h, { mode, method }),
              referenceConvolve(x, h, mode, true),
              tolerance,
              `correlate ${label}`,
              scale,
            );
          }
        }
      }
    }
  });

  it("asks the direct kernel for work that follows the shorter input (work units)", () => {
    // The direct kernel's multiply-adds for the operands it is given (its cost model's
    // work count): both argument orders cost the same, and 1 x 65536 is 65536, not 2^32.
    const work = (n: number, m: number, mode: Mode) =>
      directWork(transposes(n, m) ? n : m, outputLength(n, m, mode), false);
    for (const mode of MODES) {
      for (const [n, m] of [[1, 65536], [300, 4000], [17, 18], [1000, 999]]) {
        if (mode === "same") continue; // same keeps the first argument's length
        assert.equal(work(n, m, mode), work(m, n, mode), `${n} ${m} ${mode}`);
      }
    }
    assert.equal(work(1, 65536, "full"), 65536);
    assert.equal(work(65536, 1, "full"), 65536);
  });

  it("lets the cost model see the transposed shape (counted kernel choices)", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    const x = randomSignal(Float32Array, 1, 1);
    const h = randomSignal(Float32Array, 65536, 2);
    convolve(x, h, { engine });
    convolve(h, x, { engine });
    correlate(x, h, { engine });
    correlate(h, x, { engine });
    // One tap per output: the model picks the direct kernel in both orders.
    assert.equal(operationCount(engine.metrics, "convolve", "direct"), 2);
    assert.equal(operationCount(engine.metrics, "correlate", "direct"), 2);
    // And whatever it picks, both orders pick the same kernel.
    for (const [n, m] of [[64, 4096], [500, 20000], [3, 70000]]) {
      const before = Array.from(engine.metrics.operations);
      const a = randomSignal(Float32Array, n, n), b = randomSignal(Float32Array, m, m);
      convolve(a, b, { engine });
      const first = Array.from(engine.metrics.operations, (v, i) => v - before[i]);
      convolve(b, a, { engine });
      const second = Array.from(engine.metrics.operations, (v, i) => v - before[i] - first[i]);
      assert.deepEqual(second, first, `${n}x${m}`);
    }
    engine.close();
  });
});
