/**
 * Do Float32 and Float64 streaming convolvers slow each other down? In one process,
 * `StreamingConvolver.process(block, out)` runs with a Float32 kernel, then with a
 * second Float32 kernel (the control: same precision, later in the run), then with a
 * Float64 kernel, then with a Float32 kernel again (96,000 taps, 128-frame blocks,
 * the real-time audio case). If a hot loop turns polymorphic once it has seen both
 * array types, the last Float32 row is slower than the control. The rows run in
 * registration order (mitata), so nothing before the Float64 row touches Float64.
 *
 * Prints the per-block medians, the ratio Float32 after / Float32 before and the
 * ratio Float32 after / control (what the Float64 row alone accounts for, without
 * the drift of a later row); writes `bench/results/stream_precision_mix.<runtime>.json`.
 *
 * ```sh
 * node --expose-gc --import tsx bench/stream_precision_mix.bench.ts
 * node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/stream_precision_mix.bench.ts
 * node_modules/.bin/bun bench/stream_precision_mix.bench.ts
 * ```
 *
 * @module
 */

import { bench, do_not_optimize } from "mitata";
import { readFileSync, writeFileSync } from "node:fs";
import { StreamingConvolver } from "../mod.ts";
import { formatNs, opaqueSignal, runAndSave, runtimeName } from "./harness.ts";

const RATE = 48_000;
const BLOCK = 128;
const TAPS = 2 * RATE;
const GROUP = `${TAPS} taps block ${BLOCK}`;

const phases = [
  ["f32 before", Float32Array],
  ["f32 control", Float32Array],
  ["f64", Float64Array],
  ["f32 after", Float32Array],
] as const;

for (const [name, Type] of phases) {
  bench(`${GROUP} / ${name}`, function* () {
    const convolver = new StreamingConvolver<Float32Array | Float64Array>(
      opaqueSignal(Type, TAPS),
      { blockSize: BLOCK },
    );
    const input = opaqueSignal(Type, BLOCK);
    const out = new Type(BLOCK);
    yield () => do_not_optimize(convolver.process(input, out));
  });
}

const rows = await runAndSave("stream_precision_mix");
const p50 = (name: string) => rows.find((row) => row.name === name)!.p50;
const ratio = p50("f32 after") / p50("f32 before");
const ratioToControl = p50("f32 after") / p50("f32 control");
console.log(
  `Float32 per block: before ${formatNs(p50("f32 before"))}, control ${
    formatNs(p50("f32 control"))
  }, after Float64 ${formatNs(p50("f32 after"))}: ratio after/before ${
    ratio.toFixed(2)
  }, after/control ${ratioToControl.toFixed(2)} (Float64 ${formatNs(p50("f64"))})`,
);
// The ratio goes into the results file next to the rows.
const file = new URL(`./results/stream_precision_mix.${runtimeName}.json`, import.meta.url);
const saved = JSON.parse(readFileSync(file, "utf8"));
writeFileSync(
  file,
  JSON.stringify(
    { ...saved, ratioAfterBefore: ratio, ratioAfterControl: ratioToControl },
    null,
    2,
  ) + "\n",
);
