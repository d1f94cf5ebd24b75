/**
 * Parallel batch throughput against a single thread, in the same run: large
 * batches (32 float32 signals of 65,536 samples with a 1,023- or 4,095-tap
 * kernel, 64 signals of 16,384 samples with a 255-tap kernel) through
 * `BatchOperations.convolutionBatch` on the calling thread and through
 * `convolutionBatchParallel` on one worker per core (fresh result memory, and
 * with `recycle: true`). Writes
 * `bench/results/parallel.<runtime>.json` (mitata rows) and prints the speed-up
 * (single-thread p50 / parallel p50) per batch.
 *
 * ```sh
 * node --expose-gc --import tsx bench/parallel.bench.ts
 * node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/parallel.bench.ts
 * node_modules/.bin/bun bench/parallel.bench.ts
 * ```
 *
 * @module
 */

import { bench, do_not_optimize } from "mitata";
import {
  BatchOperations,
  closeParallelWorkers,
  convolutionBatchParallel,
  type ConvolutionPair,
  getDefaultEngine,
} from "../mod.ts";
import { loadavg } from "node:os";
import { opaqueSignal, runAndSave } from "./harness.ts";

const WORKERS =
  (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ??
    2;

function batch(count: number, n: number, m: number): ConvolutionPair[] {
  const kernel = opaqueSignal(Float32Array, m);
  return Array.from({ length: count }, () => [opaqueSignal(Float32Array, n), kernel]);
}

const BATCHES = [
  ["32x65536x1023", batch(32, 65536, 1023)],
  ["32x65536x4095", batch(32, 65536, 4095)],
  ["64x16384x255", batch(64, 16384, 255)],
] as const;

const engine = getDefaultEngine();
for (const [label, pairs] of BATCHES) {
  await convolutionBatchParallel(pairs, { workers: WORKERS }); // start the workers
  bench(`${label} / single thread`, () => {
    const results = BatchOperations.convolutionBatch(pairs);
    for (const r of results) engine.release(r);
    do_not_optimize(results);
  });
  bench(`${label} / ${WORKERS} workers`, async () => {
    do_not_optimize(await convolutionBatchParallel(pairs));
  });
  bench(`${label} / ${WORKERS} workers recycled`, async () => {
    do_not_optimize(await convolutionBatchParallel(pairs, { recycle: true }));
  });
}

const rows = await runAndSave("parallel");
// Other processes on the machine take cores away from the workers first: say how busy it was.
console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const [label] of BATCHES) {
  const single = rows.find((r) => r.group === label && r.name === "single thread");
  for (const parallel of rows.filter((r) => r.group === label && r.name.includes("workers"))) {
    if (single) {
      console.log(
        `${label}: ${parallel.name} speed-up ${
          (single.p50 / parallel.p50).toFixed(2)
        }x (p50 over p50)`,
      );
    }
  }
}
closeParallelWorkers();
