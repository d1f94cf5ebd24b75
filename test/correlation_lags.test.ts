import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { correlate, correlationLags, MAX_OUTPUT_LENGTH } from "../mod.ts";
import type { Method, Mode } from "../src/types.ts";

const MODES: readonly Mode[] = ["full", "same", "valid"];
const METHODS: readonly Method[] = ["direct", "fft", "auto"];

/** `scipy.signal.correlation_lags`, transliterated from SciPy's source. */
function scipyCorrelationLags(in1: number, in2: number, mode: Mode): number[] {
  const arange = (from: number, to: number) =>
    Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  if (mode === "full") return arange(-in2 + 1, in1);
  if (mode === "same") {
    const lags = arange(-in2 + 1, in1);
    const mid = Math.floor(lags.length / 2);
    const bound = Math.floor(in1 / 2);
    return in1 % 2 === 0
      ? lags.slice(mid - bound, mid + bound)
      : lags.slice(mid - bound, mid + bound + 1);
  }
  const bound = in1 - in2;
  return bound >= 0 ? arange(0, bound + 1) : arange(bound, 1);
}

/** The one case where SciPy's correlation_lags is off by one from SciPy's correlate output. */
function scipyIsOffByOne(n: number, m: number, mode: Mode): boolean {
  return mode === "same" && n % 2 === 1 && m % 2 === 0;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe("correlationLags", () => {
  it("equals scipy.signal.correlation_lags for every mode and both length orders", () => {
    for (let n = 1; n <= 40; n++) {
      for (let m = 1; m <= 40; m++) {
        for (const mode of MODES) {
          const expected = scipyCorrelationLags(n, m, mode).map((lag) =>
            scipyIsOffByOne(n, m, mode) ? lag - 1 : lag
          );
          assert.deepEqual(Array.from(correlationLags(n, m, mode)), expected, `${n} ${m} ${mode}`);
        }
      }
    }
  });

  it("matches hand-checked values (SciPy 1.17 printed the scipy column)", () => {
    const cases: [number, number, Mode, number[], number[]][] = [
      // n, m, mode, ours, scipy.signal.correlation_lags
      [4, 2, "same", [-1, 0, 1, 2], [-1, 0, 1, 2]], // even m, even n: equal
      [6, 4, "same", [-2, -1, 0, 1, 2, 3], [-2, -1, 0, 1, 2, 3]],
      [4, 3, "same", [-1, 0, 1, 2], [-1, 0, 1, 2]],
      [2, 5, "same", [-2, -1], [-2, -1]],
      [3, 2, "same", [-1, 0, 1], [0, 1, 2]], // odd n, even m: SciPy's lags are one off
      [5, 4, "same", [-2, -1, 0, 1, 2], [-1, 0, 1, 2, 3]],
      [3, 4, "same", [-2, -1, 0], [-1, 0, 1]],
      [3, 2, "full", [-1, 0, 1, 2], [-1, 0, 1, 2]],
      [5, 3, "valid", [0, 1, 2], [0, 1, 2]],
      [3, 5, "valid", [-2, -1, 0], [-2, -1, 0]],
      [1, 1, "full", [0], [0]],
    ];
    for (const [n, m, mode, ours, scipy] of cases) {
      assert.deepEqual(Array.from(correlationLags(n, m, mode)), ours, `${n} ${m} ${mode}`);
      assert.deepEqual(scipyCorrelationLags(n, m, mode), scipy, `${n} ${m} ${mode} (scipy)`);
    }
  });

  it("defaults to full mode and returns a fresh Int32Array each call", () => {
    const a = correlationLags(3, 2);
    assert.ok(a instanceof Int32Array);
    assert.deepEqual(Array.from(a), [-1, 0, 1, 2]);
    assert.notEqual(correlationLags(3, 2), a);
  });

  it("gives the lag of every output that correlate computes, on every method", () => {
    const random = seeded(7);
    for (const [n, m] of [[9, 4], [8, 4], [7, 7], [4, 9], [3, 10], [1, 6], [6, 1], [33, 12]]) {
      const x = new Float64Array(n).map(random);
      const h = new Float64Array(m).map(random);
      for (const mode of MODES) {
        const lags = correlationLags(n, m, mode);
        for (const method of METHODS) {
          const y = correlate(x, h, { mode, method });
          assert.equal(y.length, lags.length);
          for (let i = 0; i < y.length; i++) {
            let sum = 0;
            for (let j = 0; j < m; j++) {
              const t = j + lags[i];
              if (t >= 0 && t < n) sum += x[t] * h[j];
            }
            assert.ok(Math.abs(y[i] - sum) < 1e-9, `${n} ${m} ${mode} ${method} output ${i}`);
          }
        }
      }
    }
  });

  it("reads the delay at the peak of correlate(delayed x, x), in every mode", () => {
    const random = seeded(11);
    for (const [n, m, delay] of [[101, 40, 17], [100, 40, 17], [101, 41, 0], [64, 64, 3]]) {
      const kernel = new Float32Array(m).map(random);
      const signal = new Float32Array(n);
      for (let t = 0; t < m && t + delay < n; t++) signal[t + delay] = kernel[t];
      for (const mode of MODES) {
        if (mode === "valid" && delay > n - m) continue; // the delay is outside the window
        for (const method of METHODS) {
          const corr = correlate(signal, kernel, { mode, method });
          const lags = correlationLags(n, m, mode);
          let peak = 0;
          for (let i = 1; i < corr.length; i++) if (corr[i] > corr[peak]) peak = i;
          assert.equal(lags[peak], delay, `${n} ${m} ${mode} ${method}`);
        }
      }
      // Arguments swapped (a kernel longer than the signal): the lag is the negative delay.
      const corr = correlate(kernel, signal, { mode: "full" });
      const lags = correlationLags(m, n, "full");
      let peak = 0;
      for (let i = 1; i < corr.length; i++) if (corr[i] > corr[peak]) peak = i;
      assert.equal(lags[peak], 0 - delay);
    }
  });

  it("rejects bad lengths and modes with the value quoted", () => {
    assert.throws(() => correlationLags("3" as unknown as number, 2), {
      name: "TypeError",
      message: /correlationLags: signalLength must be a number, received "3"/,
    });
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => correlationLags(3, bad), {
        name: "RangeError",
        message: /kernelLength must be a positive integer/,
      });
    }
    assert.throws(() => correlationLags(MAX_OUTPUT_LENGTH, 2), RangeError);
    assert.throws(() => correlationLags(3, 2, "middle" as Mode), {
      name: "RangeError",
      message: /mode must be "full", "same" or "valid", received "middle"/,
    });
  });
});
