/**
 * Benchmarks of the WebAssembly SIMD kernels (mitata 1.0), one JSON file per runtime:
 * `bench/results/wasm_kernels.<runtime>.json`.
 *
 * - direct float32 kernel at 4096x63 in GMAC/s (n*m multiply-adds per call);
 * - 4096-point real float32 FFT against `@echogarden/pffft-wasm` (SIMD build) and
 *   fft.js: ours includes copying the input in and both output arrays out; pffft is
 *   timed both bare (input already in its heap) and with the same copies;
 * - the grid 256x15, 4096x63, 65536x1023, 1048576x4095 (float32, full mode) for every
 *   wasm method.
 *
 * @example
 * ```sh
 * node --import tsx bench/wasm_kernels.bench.ts
 * node_modules/.bin/deno run -A bench/wasm_kernels.bench.ts
 * node_modules/.bin/bun bench/wasm_kernels.bench.ts
 * node --import tsx bench/wasm_kernels.bench.ts --filter=rfft   # subset, .tmp.json
 * ```
 *
 * @module
 */

import { bench, do_not_optimize, run } from "mitata";
import { mkdirSync, writeFileSync } from "node:fs";
import FFT from "fft.js";
import {
  convolveDirectWasm,
  convolveFftWasm,
  convolveOverlapAddWasm,
  realFftWasm,
  wasmKernels,
} from "../src/kernels/wasm/wasm_kernels.ts";
import { instantiateWasm } from "../src/kernels/wasm/loader.ts";
import { warmUp } from "./harness.ts";

/** The runtime executing this file. */
const RUNTIME: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** Pseudo-random data seeded from the clock, so the JIT cannot treat it as constant. */
function opaque(length: number): Float32Array {
  const a = new Float32Array(length);
  let s = (Date.now() ^ Math.imul(length, 2654435761)) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  return a;
}

/** The SIMD build of pffft (the package's default export is the scalar one). */
const PFFFT_SPECIFIER: string = "@echogarden/pffft-wasm/simd";

/** The emscripten module surface of pffft-wasm that this benchmark uses. */
interface Pffft {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, kind: number): number;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_transform(setup: number, input: number, output: number, work: number, dir: number): void;
  _pffft_transform_ordered(
    setup: number,
    input: number,
    output: number,
    work: number,
    dir: number,
  ): void;
}

if (wasmKernels() === null) {
  console.log("WebAssembly SIMD unavailable in this runtime: nothing to benchmark");
} else {
  // ---- direct GMAC/s ----
  const dx = opaque(4096);
  const dh = opaque(63);
  const dy = new Float32Array(4096 + 62);
  bench("direct/4096x63 wasm direct f32", () => {
    convolveDirectWasm(dx, dh, dy, 0, dy.length, false);
    do_not_optimize(dy);
  });

  // ---- real FFT 4096 ----
  const N = 4096;
  const fx = opaque(N);
  const re = new Float32Array(N / 2 + 1);
  const im = new Float32Array(N / 2 + 1);
  bench("rfft/4096 wasm realFft (copy in+out)", () => {
    realFftWasm(fx, re, im);
    do_not_optimize(re);
  });
  // pffft-wasm ships no type declarations: import it through a string variable so the
  // type checker does not look for them, and type the part we use ourselves.
  const pffftModule = await import(PFFFT_SPECIFIER) as { default: () => Promise<Pffft> };
  const pffft = await pffftModule.default();
  // Our transform alone, data already in linear memory (a private instance, so the
  // wrapper's layout is untouched): the like-for-like figure against bare pffft.
  const raw = instantiateWasm()!;
  raw.memory.grow(8);
  const tw = Math.ceil(raw.heapBase() / 64) * 64;
  const tpos = tw + raw.twiddleCount(N / 2) * 4 + 64;
  const trt = tpos + (N / 2) * 4 + 64;
  const tx = trt + (N / 2 + 8) * 4 + 64;
  const twr = tx + N * 4;
  const twi = twr + (N / 2) * 4;
  const tor = twi + (N / 2) * 4;
  const toi = tor + (N / 2 + 16) * 4;
  raw.fftInitF32(tw, tpos, N / 2);
  raw.realInitF32(trt, N);
  new Float32Array(raw.memory.buffer).set(fx, tx / 4);
  bench("rfft/4096 wasm realFft in linear memory (no copies)", () => {
    raw.realFftF32(tx, N, tor, toi, twr, twi, tw, tpos, trt);
  });
  const setup = pffft._pffft_new_setup(N, 0);
  const pin = pffft._pffft_aligned_malloc(N * 4);
  const pout = pffft._pffft_aligned_malloc(N * 4);
  const pwork = pffft._pffft_aligned_malloc(N * 4);
  pffft.HEAPF32.set(fx, pin / 4);
  bench("rfft/4096 pffft-wasm simd ordered", () => {
    pffft._pffft_transform_ordered(setup, pin, pout, pwork, 0);
  });
  bench("rfft/4096 pffft-wasm simd unordered", () => {
    pffft._pffft_transform(setup, pin, pout, pwork, 0);
  });
  const pview = pffft.HEAPF32.subarray(pout / 4, pout / 4 + N);
  const pres = new Float32Array(N);
  bench("rfft/4096 pffft-wasm simd ordered (copy in+out)", () => {
    pffft.HEAPF32.set(fx, pin / 4);
    pffft._pffft_transform_ordered(setup, pin, pout, pwork, 0);
    pres.set(pview);
    do_not_optimize(pres);
  });
  const fftjs = new FFT(N);
  const fjOut = fftjs.createComplexArray() as number[];
  const fjIn = Array.from(fx);
  bench("rfft/4096 fft.js realTransform", () => {
    fftjs.realTransform(fjOut, fjIn);
    do_not_optimize(fjOut);
  });

  // Every WebAssembly path above runs for a while before sampling (see `warmUp`).
  warmUp(() => convolveDirectWasm(dx, dh, dy, 0, dy.length, false), 150);
  warmUp(() => realFftWasm(fx, re, im), 150);
  warmUp(() => raw.realFftF32(tx, N, tor, toi, twr, twi, tw, tpos, trt), 150);
  warmUp(() => pffft._pffft_transform_ordered(setup, pin, pout, pwork, 0), 150);
  warmUp(() => pffft._pffft_transform(setup, pin, pout, pwork, 0), 150);

  // ---- grid ----
  const GRID: [number, number][] = [[256, 15], [4096, 63], [65536, 1023], [1048576, 4095]];
  for (const [n, m] of GRID) {
    const x = opaque(n);
    const h = opaque(m);
    const y = new Float32Array(n + m - 1);
    const g = `grid/${n}x${m}`;
    bench(`${g} wasm direct`, () => {
      convolveDirectWasm(x, h, y, 0, y.length, false);
      do_not_optimize(y);
    });
    bench(`${g} wasm fft`, () => {
      convolveFftWasm(x, h, y, 0, y.length, false);
      do_not_optimize(y);
    });
    bench(`${g} wasm overlap-add`, () => {
      convolveOverlapAddWasm(x, h, y, 0, y.length, false);
      do_not_optimize(y);
    });
    // Two kernels in turn: every call transforms its kernel (no spectrum reuse).
    const other = h.map((v) => -v);
    let flip = false;
    bench(`${g} wasm overlap-add new kernel each call`, () => {
      flip = !flip;
      convolveOverlapAddWasm(x, flip ? other : h, y, 0, y.length, false);
      do_not_optimize(y);
    });
  }

  // `--filter=<regex>` runs a subset (e.g. --filter=rfft) and writes a .tmp.json
  // (git-ignored) so that a partial run never replaces the full results file.
  const filterArg = process.argv.find((a) => a.startsWith("--filter="));
  const filter = filterArg === undefined ? undefined : new RegExp(filterArg.slice(9));
  const result = await run({ format: "quiet", filter });
  const rows: {
    group: string;
    name: string;
    p50_ns: number;
    avg_ns: number;
    min_ns: number;
    samples: number;
    gmacs?: number;
  }[] = [];
  // Multiply-adds of a direct n x m convolution: the GMAC/s figure of every grid row
  // (for FFT methods an "equivalent" rate, useful to compare methods at one shape).
  const macs = (group: string): number => {
    const shape = /(\d+)x(\d+)$/.exec(group);
    return shape === null ? NaN : Number(shape[1]) * Number(shape[2]);
  };
  for (const trial of result.benchmarks) {
    for (const r of trial.runs) {
      if (r.error || !r.stats) continue;
      const full = r.name;
      const cut = full.indexOf(" ");
      rows.push({
        group: full.slice(0, cut),
        name: full.slice(cut + 1),
        p50_ns: r.stats.p50,
        avg_ns: r.stats.avg,
        min_ns: r.stats.min,
        samples: r.stats.samples.length,
        gmacs: macs(full.slice(0, cut)) / r.stats.p50,
      });
    }
  }
  const p50 = (group: string, name: string): number =>
    rows.find((r) => r.group === group && r.name === name)?.p50_ns ?? NaN;
  const direct = p50("direct/4096x63", "wasm direct f32");
  const ours = p50("rfft/4096", "wasm realFft (copy in+out)");
  const summary = {
    direct_4096x63_gmacs: (4096 * 63) / direct,
    rfft4096_ns: ours,
    rfft4096_over_pffft_ordered: ours / p50("rfft/4096", "pffft-wasm simd ordered"),
    rfft4096_over_pffft_unordered: ours / p50("rfft/4096", "pffft-wasm simd unordered"),
    rfft4096_bare_over_pffft_ordered:
      p50("rfft/4096", "wasm realFft in linear memory (no copies)") /
      p50("rfft/4096", "pffft-wasm simd ordered"),
    rfft4096_over_pffft_ordered_with_copies: ours /
      p50("rfft/4096", "pffft-wasm simd ordered (copy in+out)"),
    rfft4096_over_fftjs: ours / p50("rfft/4096", "fft.js realTransform"),
  };
  const report = {
    runtime: RUNTIME,
    version: RUNTIME === "node"
      ? process.versions.node
      : RUNTIME === "bun"
      ? (globalThis as unknown as { Bun: { version: string } }).Bun.version
      : (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno,
    date: new Date().toISOString(),
    unit: "ns per call (median)",
    summary,
    rows,
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const suffix = filter === undefined ? "json" : "tmp.json";
  const file = new URL(`./results/wasm_kernels.${RUNTIME}.${suffix}`, import.meta.url);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  for (const r of rows) {
    const us = r.p50_ns / 1000;
    const rate = Number.isFinite(r.gmacs) ? `${r.gmacs!.toFixed(1).padStart(8)} GMAC/s` : "";
    console.log(
      `${r.group.padEnd(20)} ${r.name.padEnd(44)} ${
        us.toFixed(us < 100 ? 2 : 0).padStart(10)
      } us${rate}`,
    );
  }
  console.log(JSON.stringify(summary, null, 2));
}
