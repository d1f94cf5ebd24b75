/**
 * Both argument orders of `convolve` and `correlate` (mitata 1.0): when the kernel is
 * longer than the signal the kernels get the transposed problem, so `convolve(x, h)`
 * and `convolve(h, x)` should cost the same. Shapes: 1 x 65536 (one tap against a
 * long kernel), 300 x 4000 and 4000 x 100000, float32, full mode, methods `direct`
 * and `auto`, written into a hoisted `out`. Writes `bench/results/transpose.<runtime>.json`.
 *
 * @example
 * ```sh
 * node --import tsx bench/transpose.bench.ts
 * node_modules/.bin/deno run -A bench/transpose.bench.ts
 * node_modules/.bin/bun bench/transpose.bench.ts
 * ```
 *
 * @module
 */

import { bench, do_not_optimize } from "mitata";
import { convolve, correlate } from "../mod.ts";
import type { Method } from "../src/types.ts";
import { opaqueSignal, runAndSave, warmUp } from "./harness.ts";

const SHAPES: [number, number][] = [[1, 65536], [300, 4000], [4000, 100000]];
const ASKED: Method[] = ["direct", "auto"];

for (const [short, long] of SHAPES) {
  const a = opaqueSignal(Float32Array, short);
  const b = opaqueSignal(Float32Array, long);
  for (const method of ASKED) {
    // The 4000 x 100000 direct call takes long enough that one order suffices per sample.
    if (method === "direct" && short * long > 1e8) continue;
    // A hoisted `out`: the rows time the kernels, not the allocation of a new output.
    const options = { method, out: new Float32Array(short + long - 1) };
    const group = `${short}x${long}`;
    warmUp(() => convolve(b, a, options), 100);
    bench(
      `${group} / ${method} convolve(short, long)`,
      () => do_not_optimize(convolve(a, b, options)),
    );
    bench(
      `${group} / ${method} convolve(long, short)`,
      () => do_not_optimize(convolve(b, a, options)),
    );
    bench(
      `${group} / ${method} correlate(short, long)`,
      () => do_not_optimize(correlate(a, b, options)),
    );
    bench(
      `${group} / ${method} correlate(long, short)`,
      () => do_not_optimize(correlate(b, a, options)),
    );
  }
}

await runAndSave("transpose");
