/**
 * The real-time convolution engine on WebAssembly SIMD: a zero-latency, non-uniformly
 * partitioned frequency-domain delay line for N input by M output channels, all of
 * its state in one private linear memory.
 *
 * Per block of `B` samples (the partition size of the first level, see
 * `partition_plan.ts`):
 * - the direct head (`B` taps per path) runs in the time domain on every chunk, so
 *   each input sample yields its output immediately, whatever the chunk sizes;
 * - each completed block is copied into a per-input ring, from which every level takes
 *   its input blocks of `P` samples;
 * - each level runs one slice of its current job: the forward FFT of its newest input
 *   block (once per input channel), the delay line's complex multiply-accumulate
 *   (once per path), the inverse FFT (once per output channel) and the add into the
 *   output channel's accumulator ring. The job's work is cut into slices of about
 *   equal modelled cost, one per block of the level's period `P / B`, so that every
 *   block costs about the same.
 *
 * Transforms are complex FFTs of `2P` points from the kernels in `asm/convpool.ts`,
 * spectra in their scrambled order. Two consecutive partitions of a path share one
 * complex spectrum `G = FFT(h[2q] + i h[2q + 1])`: since the input blocks are real,
 * the real part of the inverse transform is the even partitions' contribution and the
 * imaginary part the odd partitions' one, which belongs `P` samples later. So the delay
 * line holds full (not half) spectra and multiplies half as many of them.
 *
 * All memory is laid out and the linear memory grown once, in the constructor; the
 * typed-array views over it therefore stay valid, and processing allocates nothing.
 *
 * @example
 * ```ts
 * import { createFdlEngine } from "./fdl_engine.ts";
 * const engine = createFdlEngine(false, 1, 1, [{ input: 0, output: 0, kernel: new Float32Array([1, 0.5]) }], 8);
 * const out = new Float32Array(3);
 * engine?.process([new Float32Array([1, 2, 3])], 0, [out], 0, 3); // out: [1, 2.5, 4]
 * ```
 *
 * @module
 */

import { instantiateWasm } from "../../kernels/wasm/loader.ts";
import { kernelsModule } from "../../kernels/wasm/wasm_instance.ts";
import type { Float } from "../../types.ts";
import { type PartitionPlan, planPartitions } from "./partition_plan.ts";

/**
 * One input-to-output path and its kernel (impulse response).
 *
 * @example
 * ```ts
 * import type { FdlPath } from "./fdl_engine.ts";
 * const leftToRight: FdlPath = { input: 0, output: 1, kernel: new Float32Array([0.5]) };
 * ```
 */
export interface FdlPath {
  readonly input: number;
  readonly output: number;
  readonly kernel: Float;
}

/** One butterfly pass over columns `[u0, u1)` of a transform (f32 and f64 alike). */
type FdlPass = (
  k: number,
  re: number,
  im: number,
  span: number,
  tw: number,
  u0: number,
  u1: number,
) => void;

/** The delay line's multiply-accumulate over bins `[k0, k1)` (f32 and f64 alike). */
type FdlMac = (
  y: number,
  x: number,
  slotBytes: number,
  slots: number,
  newest: number,
  g: number,
  pairs: number,
  n: number,
  k0: number,
  k1: number,
  overwrite: number,
) => void;

/** The module's streaming exports (see the FDL section of `asm/convpool.ts`). */
interface FdlExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  fdlTwiddlesF32(tw: number, n: number): void;
  fdlTwiddlesF64(tw: number, n: number): void;
  fdlPassF32: FdlPass;
  fdlPassF64: FdlPass;
  fdlFinalF32(inverse: number, re: number, im: number, count: number): void;
  fdlFinalF64(inverse: number, re: number, im: number, count: number): void;
  fdlSpectrumF32(re: number, im: number, tw: number, n: number): void;
  fdlSpectrumF64(re: number, im: number, tw: number, n: number): void;
  fdlMacF32: FdlMac;
  fdlMacF64: FdlMac;
  fdlLoadF32(re: number, src: number, n: number, e0: number, e1: number): void;
  fdlLoadF64(re: number, src: number, n: number, e0: number, e1: number): void;
  fdlAddF32(dst: number, src: number, count: number): void;
  fdlAddF64(dst: number, src: number, count: number): void;
  fdlTakeF32(y: number, acc: number, count: number): void;
  fdlTakeF64(y: number, acc: number, count: number): void;
  fdlDirectF32(y: number, xh: number, hr: number, count: number, taps: number): void;
  fdlDirectF64(y: number, xh: number, hr: number, count: number, taps: number): void;
}

/** Step kinds of a level's job, in the order they run. */
const LOAD = 0;
const PASS = 1;
const FINAL = 2;
const MAC = 3;
const ADD = 4;

/**
 * Modelled cost of one unit of each step kind, relative (only the balance between
 * slices matters; the delay line's multiply-accumulate streams from memory, the
 * transforms work in cache): LOAD and ADD a chunk of CHUNK elements, PASS one vector
 * column of a radix-2/4 butterfly, FINAL one 64-byte tile, MAC one vector of bins per
 * kernel pair.
 */
const UNIT_COST = [16, 22, 13, 14, 20];
/** Elements per unit of LOAD and ADD steps. */
const CHUNK = 64;

/** Elements of padding after every buffer that vector code may read past its end. */
const PAD = 16;

/** One step of a level's job: a range of `units` work units of one kind. */
class Step {
  constructor(
    readonly kind: number,
    /** Input channel (LOAD, forward PASS/FINAL), output channel (inverse, ADD) or path (MAC). */
    readonly channel: number,
    /** PASS: radix kind 0-3; FINAL: 1 for the inverse; MAC: 1 to overwrite Y. */
    readonly variant: number,
    /** PASS: the span; MAC: the path's active pairs. */
    readonly span: number,
    /** PASS: twiddle address. */
    readonly twiddles: number,
    readonly units: number,
    /** Modelled cost of one unit. */
    readonly cost: number,
  ) {}
}

/** A level of partitions: its buffers, its job's steps and where its job stands. */
class Level {
  readonly steps: Step[] = [];
  /** Modelled cost of one whole job. */
  total = 0;
  /** Progress of the current job: step index, units done in it, cost done. */
  step = 0;
  unit = 0;
  done = 0;
  /** Block index (in units of `size`) of the current job's input block. */
  job = 0;
  constructor(
    readonly size: number,
    readonly offset: number,
    /** Blocks of `B` per period (`size / B`), a power of two. */
    readonly period: number,
    /** Delay-line slots per input: 2 * pairs - 1 (at least 1). */
    readonly slots: number,
    /** Per input: address of slot 0 of its delay line; slots are `4 * size` elements. */
    readonly spectra: Int32Array,
    /** Per output: address of Y (re then im, `2 * size` each). */
    readonly sums: Int32Array,
    /** Per path: address of its kernel pair spectra (`pairs` of `4 * size` elements). */
    readonly kernels: Int32Array,
  ) {}
}

/** Bytes rounded up to a multiple of 64. */
function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

function nextPowerOfTwo(value: number): number {
  let p = 1;
  while (p < value) p *= 2;
  return p;
}

function quarterSpanMax(n: number): number {
  return (Math.log2(n) - 2) % 2 === 1 ? n / 8 : n / 4;
}

/**
 * Creates the engine, or returns `null` when WebAssembly SIMD is unavailable or its
 * memory cannot hold the kernels (the caller then uses the TypeScript path). `paths` may name each (input, output) pair
 * at most once; `blockSize` is a power of two of at least 8.
 *
 * @example
 * ```ts
 * import { createFdlEngine } from "./fdl_engine.ts";
 * const h = new Float64Array(1000).fill(0.001);
 * const engine = createFdlEngine(true, 1, 1, [{ input: 0, output: 0, kernel: h }], 128);
 * console.log(engine === null ? "TypeScript path" : engine.plan.levels.length);
 * ```
 */
export function createFdlEngine(
  f64: boolean,
  inputs: number,
  outputs: number,
  paths: readonly FdlPath[],
  blockSize: number,
): FdlEngine | null {
  const exports = instantiateWasm(kernelsModule()) as unknown as FdlExports | null;
  if (exports === null || typeof exports.fdlMacF32 !== "function") return null;
  try {
    return new FdlEngine(exports, f64, inputs, outputs, paths, blockSize);
  } catch (error) {
    // The linear memory could not grow that far: the TypeScript path, on the JS heap.
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * The engine itself (see the module docs). Channel arrays are planar, as Web Audio
 * hands them: one array per channel. Made by {@linkcode createFdlEngine}.
 *
 * @example
 * ```ts
 * import { createFdlEngine } from "./fdl_engine.ts";
 * const h = new Float32Array(4096).fill(1 / 4096);
 * const paths = [{ input: 0, output: 0, kernel: h }, { input: 1, output: 1, kernel: h }];
 * const engine = createFdlEngine(false, 2, 2, paths, 128);
 * const outs = [new Float32Array(128), new Float32Array(128)];
 * engine?.process([new Float32Array(128), new Float32Array(128)], 0, outs, 0, 128);
 * engine?.process(null, 0, outs, 0, 128); // zeros in: the tail plays out
 * ```
 */
export class FdlEngine {
  /** The partition plan in use. */
  readonly plan: PartitionPlan;
  /** Kernel taps (the longest path's). */
  readonly kernelLength: number;

  readonly #f64: boolean;
  readonly #bytes: number;
  readonly #block: number;
  readonly #inputs: number;
  readonly #outputs: number;
  readonly #pathInput: Int32Array;
  readonly #pathOutput: Int32Array;
  readonly #levels: Level[];
  readonly #view: Float32Array | Float64Array;
  // Element indices (not bytes) into #view.
  readonly #history: Int32Array;
  readonly #inputRing: Int32Array;
  readonly #accumulator: Int32Array;
  readonly #scratch: Int32Array;
  readonly #heads: Int32Array;
  readonly #headLength: number;
  readonly #inputRingLength: number;
  readonly #accumulatorLength: number;
  readonly #stateStart: number;
  readonly #stateEnd: number;
  readonly #pass: FdlExports["fdlPassF32"];
  readonly #final: FdlExports["fdlFinalF32"];
  readonly #mac: FdlExports["fdlMacF32"];
  readonly #load: FdlExports["fdlLoadF32"];
  readonly #add: FdlExports["fdlAddF32"];
  readonly #take: FdlExports["fdlTakeF32"];
  readonly #direct: FdlExports["fdlDirectF32"];
  /** Position in the current block and blocks completed since the stream began. */
  #position = 0;
  #blocks = 0;

  constructor(
    exports: FdlExports,
    f64: boolean,
    inputs: number,
    outputs: number,
    paths: readonly FdlPath[],
    blockSize: number,
  ) {
    const B = blockSize;
    const bytes = f64 ? 8 : 4;
    this.#f64 = f64;
    this.#bytes = bytes;
    this.#block = B;
    this.#inputs = inputs;
    this.#outputs = outputs;
    this.#pathInput = Int32Array.from(paths, (path) => path.input);
    this.#pathOutput = Int32Array.from(paths, (path) => path.output);
    let m = 1;
    for (const path of paths) m = Math.max(m, path.kernel.length);
    this.kernelLength = m;
    const plan = planPartitions(m, B, inputs + outputs, Math.max(1, paths.length));
    this.plan = plan;
    this.#headLength = plan.headLength;
    let maxSize = B;
    for (const level of plan.levels) maxSize = Math.max(maxSize, level.size);
    this.#inputRingLength = 2 * maxSize;
    this.#accumulatorLength = nextPowerOfTwo(m + 2 * maxSize + B);

    // Layout, in bytes from heapBase: constants (twiddles, heads, kernel spectra), then
    // the state that reset() zeroes (histories, rings, delay lines, sums), in one run.
    let cursor = align(exports.heapBase());
    const reserve = (elements: number) => {
      const at = cursor;
      cursor += align((elements + PAD) * bytes);
      return at;
    };
    const twiddles = new Map<number, number>();
    for (const level of plan.levels) {
      const n = 2 * level.size;
      if (!twiddles.has(n)) twiddles.set(n, reserve(twiddleElements(n)));
    }
    const heads = new Int32Array(paths.length);
    for (let p = 0; p < paths.length; p++) heads[p] = reserve(this.#headLength);
    const pairCounts = plan.levels.map((level) => Math.ceil(level.count / 2));
    const kernelSpectra = plan.levels.map((level, l) =>
      Int32Array.from(paths, () => reserve(pairCounts[l] * 4 * level.size))
    );
    const stateStart = cursor;
    const history = Int32Array.from({ length: inputs }, () => reserve(2 * B));
    const inputRing = Int32Array.from({ length: inputs }, () => reserve(this.#inputRingLength));
    const accumulator = Int32Array.from(
      { length: outputs },
      () => reserve(this.#accumulatorLength),
    );
    const scratch = Int32Array.from({ length: outputs }, () => reserve(B));
    const levels = plan.levels.map((level, l) => {
      const slots = Math.max(1, 2 * pairCounts[l] - 1);
      const spectra = Int32Array.from({ length: inputs }, () => reserve(slots * 4 * level.size));
      const sums = Int32Array.from({ length: outputs }, () => reserve(4 * level.size));
      return new Level(
        level.size,
        level.offset,
        level.size / B,
        slots,
        spectra,
        sums,
        kernelSpectra[l],
      );
    });
    const stateEnd = cursor;

    const memory = exports.memory;
    const pages = Math.ceil(cursor / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const view = f64 ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
    this.#view = view;
    const element = (address: number) => address / bytes;
    this.#history = history.map(element);
    this.#inputRing = inputRing.map(element);
    this.#accumulator = accumulator.map(element);
    this.#scratch = scratch.map(element);
    this.#heads = heads;
    this.#stateStart = element(stateStart);
    this.#stateEnd = element(stateEnd);
    this.#levels = levels;
    this.#pass = f64 ? exports.fdlPassF64 : exports.fdlPassF32;
    this.#final = f64 ? exports.fdlFinalF64 : exports.fdlFinalF32;
    this.#mac = f64 ? exports.fdlMacF64 : exports.fdlMacF32;
    this.#load = f64 ? exports.fdlLoadF64 : exports.fdlLoadF32;
    this.#add = f64 ? exports.fdlAddF64 : exports.fdlAddF32;
    this.#take = f64 ? exports.fdlTakeF64 : exports.fdlTakeF32;
    this.#direct = f64 ? exports.fdlDirectF64 : exports.fdlDirectF32;

    // Constants: twiddles, reversed heads, kernel pair spectra.
    for (const [n, at] of twiddles) (f64 ? exports.fdlTwiddlesF64 : exports.fdlTwiddlesF32)(at, n);
    for (let p = 0; p < paths.length; p++) {
      const h = paths[p].kernel;
      const base = element(heads[p]);
      const taps = this.#headLength;
      for (let j = 0; j < taps; j++) {
        const tap = taps - 1 - j;
        view[base + j] = tap < h.length ? h[tap] : 0; // a shorter path's missing taps are zero
      }
    }
    const spectrum = f64 ? exports.fdlSpectrumF64 : exports.fdlSpectrumF32;
    const activePairs = plan.levels.map((level, l) =>
      Int32Array.from(paths, (path) => {
        const beyond = Math.max(0, path.kernel.length - level.offset);
        return Math.min(pairCounts[l], Math.ceil(beyond / (2 * level.size)));
      })
    );
    plan.levels.forEach((level, l) => {
      const P = level.size;
      const n = 2 * P;
      for (let p = 0; p < paths.length; p++) {
        const h = paths[p].kernel;
        for (let q = 0; q < pairCounts[l]; q++) {
          const re = kernelSpectra[l][p] + q * 4 * P * bytes;
          const im = re + n * bytes;
          const reIndex = element(re);
          view.fill(0, reIndex, reIndex + 2 * n);
          for (let part = 0; part < 2; part++) {
            const first = level.offset + (2 * q + part) * P;
            const last = Math.min(h.length, first + P);
            const to = reIndex + part * n;
            for (let t = first; t < last; t++) view[to + t - first] = h[t];
          }
          spectrum(re, im, twiddles.get(n)!, n);
        }
      }
      this.#planSteps(levels[l], twiddles.get(n)!, activePairs[l]);
    });
  }

  /** The job of a level as steps: load and forward FFT per input, MAC per path, inverse FFT and add per output. */
  #planSteps(level: Level, twiddles: number, activePairs: Int32Array): void {
    const n = 2 * level.size;
    const lanes = 16 / this.#bytes;
    const tile = 64 / this.#bytes;
    const sMax = quarterSpanMax(n);
    const radix2 = (Math.log2(n) - 2) % 2 === 1;
    const radix2Twiddles = twiddles + 2 * (4 * sMax - 4) * this.#bytes;
    const steps = level.steps;
    const add = (
      kind: number,
      channel: number,
      variant: number,
      span: number,
      tw: number,
      units: number,
    ) =>
      steps.push(
        new Step(
          kind,
          channel,
          variant,
          span,
          tw,
          units,
          UNIT_COST[kind] * (kind === MAC ? Math.max(1, span) : 1),
        ),
      );
    for (let i = 0; i < this.#inputs; i++) {
      add(LOAD, i, 0, 0, 0, Math.ceil(n / CHUNK));
      if (radix2) add(PASS, i, 0, n / 2, radix2Twiddles, n / (2 * lanes));
      for (let s = sMax; s >= 4; s /= 4) {
        add(PASS, i, 2, s, twiddles + 2 * (s - 4) * this.#bytes, n / (4 * lanes));
      }
      add(FINAL, i, 0, 0, 0, n / tile);
    }
    const written = new Uint8Array(this.#outputs);
    for (let p = 0; p < this.#pathInput.length; p++) {
      const o = this.#pathOutput[p];
      add(MAC, p, written[o] === 0 ? 1 : 0, activePairs[p], 0, n / lanes);
      written[o] = 1;
    }
    for (let o = 0; o < this.#outputs; o++) {
      if (written[o] === 0) continue;
      add(FINAL, o, 1, 0, 0, n / tile);
      for (let s = 4; s <= sMax; s *= 4) {
        add(PASS, o, 3, s, twiddles + 2 * (s - 4) * this.#bytes, n / (4 * lanes));
      }
      if (radix2) add(PASS, o, 1, n / 2, radix2Twiddles, n / (2 * lanes));
      add(ADD, o, 0, 0, 0, Math.ceil((2 * n) / CHUNK));
    }
    for (const step of steps) level.total += step.units * step.cost;
  }

  /**
   * Convolves `n` samples of every input channel (`inputs[c]` from `inputOffset`; zeros
   * when `inputs` is null) into every output channel (`outputs[c]` from
   * `outputOffset`, overwritten). Arrays are not checked here: the caller validates.
   */
  process(
    inputs: readonly Float[] | null,
    inputOffset: number,
    outputs: readonly Float[],
    outputOffset: number,
    n: number,
  ): void {
    const view = this.#view;
    const B = this.#block;
    const bytes = this.#bytes;
    const taps = this.#headLength;
    let done = 0;
    while (done < n) {
      const position = this.#position;
      const take = Math.min(n - done, B - position);
      for (let c = 0; c < this.#inputs; c++) {
        const write = this.#history[c] + B + position;
        if (inputs === null) view.fill(0, write, write + take);
        else {
          const input = inputs[c];
          const from = inputOffset + done;
          for (let i = 0; i < take; i++) view[write + i] = input[from + i];
        }
      }
      const ring = ((this.#blocks * B) & (this.#accumulatorLength - 1)) + position;
      for (let o = 0; o < this.#outputs; o++) {
        const y = this.#scratch[o] + position;
        this.#take(y * bytes, (this.#accumulator[o] + ring) * bytes, take);
      }
      for (let p = 0; p < this.#pathInput.length; p++) {
        const y = this.#scratch[this.#pathOutput[p]] + position;
        const xh = this.#history[this.#pathInput[p]] + B + position - taps + 1;
        this.#direct(y * bytes, xh * bytes, this.#heads[p], take, taps);
      }
      for (let o = 0; o < this.#outputs; o++) {
        const out = outputs[o];
        const y = this.#scratch[o] + position;
        const to = outputOffset + done;
        for (let i = 0; i < take; i++) out[to + i] = view[y + i];
      }
      done += take;
      this.#position = position + take;
      if (this.#position === B) this.#completeBlock();
    }
  }

  /** Forgets the stream: zeroes every history, ring, delay line and sum. */
  reset(): void {
    this.#view.fill(0, this.#stateStart, this.#stateEnd);
    this.#position = 0;
    this.#blocks = 0;
    for (const level of this.#levels) {
      level.step = 0;
      level.unit = 0;
      level.done = 0;
    }
  }

  #completeBlock(): void {
    const B = this.#block;
    const view = this.#view;
    this.#position = 0;
    const ringAt = (this.#blocks * B) & (this.#inputRingLength - 1);
    for (let c = 0; c < this.#inputs; c++) {
      const history = this.#history[c];
      view.copyWithin(this.#inputRing[c] + ringAt, history + B, history + 2 * B);
      view.copyWithin(history, history + B, history + 2 * B);
    }
    const blocks = ++this.#blocks;
    for (const level of this.#levels) {
      if (blocks < level.period) continue;
      const slot = blocks & (level.period - 1);
      if (slot === 0) level.job = blocks / level.period - 1;
      this.#runSlice(level, slot);
    }
  }

  /** Runs slice `slot` of the level's current job: work up to `(slot + 1) / period` of it. */
  #runSlice(level: Level, slot: number): void {
    const last = slot === level.period - 1;
    const target = last ? level.total : Math.ceil((level.total * (slot + 1)) / level.period);
    const steps = level.steps;
    while (level.done < target && level.step < steps.length) {
      const step = steps[level.step];
      const left = step.units - level.unit;
      const want = Math.min(left, Math.max(1, Math.ceil((target - level.done) / step.cost)));
      this.#runStep(level, step, level.unit, level.unit + want);
      level.unit += want;
      level.done += want * step.cost;
      if (level.unit === step.units) {
        level.step++;
        level.unit = 0;
      }
    }
    if (last) {
      level.step = 0;
      level.unit = 0;
      level.done = 0;
    }
  }

  #runStep(level: Level, step: Step, u0: number, u1: number): void {
    const bytes = this.#bytes;
    const P = level.size;
    const n = 2 * P;
    const newest = level.job % level.slots;
    switch (step.kind) {
      case LOAD: {
        const source = this.#inputRing[step.channel] +
          ((level.job * P) & (this.#inputRingLength - 1));
        const re = this.#spectra(level, step.channel, newest) * bytes;
        this.#load(re, source * bytes, n, u0 * CHUNK, Math.min(u1 * CHUNK, n));
        return;
      }
      case PASS:
      case FINAL: {
        const inverse = step.kind === PASS ? (step.variant & 1) : step.variant;
        const re = inverse
          ? level.sums[step.channel]
          : this.#spectra(level, step.channel, newest) * bytes;
        const im = re + n * bytes;
        if (step.kind === PASS) this.#pass(step.variant, re, im, step.span, step.twiddles, u0, u1);
        else {
          const tile = 64 / bytes;
          const offset = u0 * 64;
          this.#final(step.variant, re + offset, im + offset, (u1 - u0) * tile);
        }
        return;
      }
      case MAC: {
        const lanes = 16 / bytes;
        const p = step.channel;
        const x = level.spectra[this.#pathInput[p]];
        this.#mac(
          level.sums[this.#pathOutput[p]],
          x,
          4 * P * bytes,
          level.slots,
          newest,
          level.kernels[p],
          step.span,
          n,
          u0 * lanes,
          u1 * lanes,
          step.variant,
        );
        return;
      }
      default: {
        // ADD: Y's real part lands at the job's block start + offset, its imaginary
        // part (the odd partitions) P samples later; elements [0, 2n) of Y in order.
        const o = step.channel;
        const y = level.sums[o] / bytes;
        const start = level.job * P + level.offset;
        const e1 = Math.min(u1 * CHUNK, 2 * n);
        this.#accumulate(o, y, start, u0 * CHUNK, Math.min(e1, n));
        this.#accumulate(o, y, start + P - n, Math.max(u0 * CHUNK, n), e1);
      }
    }
  }

  /** Adds Y elements [e0, e1) at absolute times `start + e` into output o's ring. */
  #accumulate(o: number, y: number, start: number, e0: number, e1: number): void {
    const bytes = this.#bytes;
    const length = this.#accumulatorLength;
    const base = this.#accumulator[o];
    let e = e0;
    while (e < e1) {
      const at = (start + e) & (length - 1);
      const count = Math.min(e1 - e, length - at);
      this.#add((base + at) * bytes, (y + e) * bytes, count);
      e += count;
    }
  }

  /** Element index of delay-line slot `slot` of input `c` (re; im follows at +2P). */
  #spectra(level: Level, c: number, slot: number): number {
    return (level.spectra[c] / this.#bytes) + slot * 4 * level.size;
  }
}

/** Elements of the twiddle table of a size-n complex FFT (as `twiddleCount` in the module). */
function twiddleElements(n: number): number {
  const radix2 = (Math.log2(n) - 2) % 2 === 1;
  const sMax = radix2 ? n / 8 : n / 4;
  return 2 * (4 * sMax - 4) + (radix2 ? n : 0);
}
