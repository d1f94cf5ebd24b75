/**
 * convpool against the JavaScript peers a user could pick instead, float32 full
 * mode, at the DESIGN.md grid: 256x15, 4096x63, 65536x1023 and 1048576x4095.
 *
 *   node --import tsx bench/convolve.bench.ts
 *   deno run -A bench/convolve.bench.ts
 *   bun bench/convolve.bench.ts
 *
 * ml-convolution returns a `number[]` of the signal's length (borders cut to the
 * same size), so it does slightly less output work than full mode.
 *
 * @module
 */

import { bench, do_not_optimize } from "mitata";
import { directConvolution, fftConvolution } from "ml-convolution";
import { convolve } from "../mod.ts";
import { opaqueSignal, runAndSave } from "./harness.ts";

/** The grid of DESIGN.md section 6. */
export const GRID: readonly [number, number][] = [[256, 15], [4096, 63], [65536, 1023], [
  1048576,
  4095,
]];

/** Direct-sum peers are skipped above this many multiply-adds (they take seconds). */
const DIRECT_LIMIT = 2e8;

/** What a user would write by hand: the textbook double loop. */
function plainJsConvolve(x: Float32Array, h: Float32Array, y: Float32Array): Float32Array {
  y.fill(0);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    for (let j = 0; j < h.length; j++) y[i + j] += xi * h[j];
  }
  return y;
}

for (const [n, m] of GRID) {
  const group = `${n}x${m}`;
  const directFeasible = n * m <= DIRECT_LIMIT;
  for (const method of ["auto", "direct", "fft"] as const) {
    if (method === "direct" && !directFeasible) continue;
    bench(`${group} / convpool ${method}`, function* () {
      const x = opaqueSignal(Float32Array, n);
      const h = opaqueSignal(Float32Array, m);
      const options = { method, out: new Float32Array(n + m - 1) };
      yield () => do_not_optimize(convolve(x, h, options));
    });
  }
  if (directFeasible) {
    bench(`${group} / plain JS direct`, function* () {
      const x = opaqueSignal(Float32Array, n);
      const h = opaqueSignal(Float32Array, m);
      const y = new Float32Array(n + m - 1);
      yield () => do_not_optimize(plainJsConvolve(x, h, y));
    });
    bench(`${group} / ml-convolution direct`, function* () {
      const x = opaqueSignal(Float32Array, n);
      const h = opaqueSignal(Float32Array, m);
      yield () => do_not_optimize(directConvolution(x, h));
    });
  }
  bench(`${group} / ml-convolution fft`, function* () {
    const x = opaqueSignal(Float32Array, n);
    const h = opaqueSignal(Float32Array, m);
    yield () => do_not_optimize(fftConvolution(x, h));
  });
}

const filterArgument = (globalThis as { process?: { argv: string[] } }).process?.argv
  .find((a) => a.startsWith("--filter="));
await runAndSave("convolve", filterArgument ? new RegExp(filterArgument.slice(9)) : undefined);
