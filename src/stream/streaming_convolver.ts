/**
 * A streaming FIR filter: feed a signal in chunks of any size, get the full
 * convolution back chunk by chunk, with zero latency and, with `out`, no allocation
 * per block.
 *
 * How it computes. Where the runtime has WebAssembly SIMD, a zero-latency engine with
 * non-uniform partitions runs (`src/stream/partitioned/`: a direct head of `blockSize`
 * taps, then partitions that double in size, their transforms spread over the blocks
 * of their period so that every block of `blockSize` samples costs about the same).
 * Elsewhere, or with `backend: "typescript"`, the TypeScript path below runs; the
 * results agree within rounding. The TypeScript path: the kernel is cut into partitions of `blockSize` taps. The
 * first partition runs directly in the time domain over a history of the last
 * `blockSize` samples, so every input sample yields its output immediately. The
 * other partitions (long kernels: reverbs of 10^4 to 10^5 taps) run as a uniformly
 * partitioned overlap-add convolution in the frequency domain (a frequency-domain
 * delay line): each completed input block is transformed once (real FFT of size
 * `2 * blockSize`), multiplied with the precomputed spectra of every partition and
 * accumulated, and one inverse transform gives the next block's contribution of
 * all those partitions. Those partitions only read input blocks that are already
 * complete, which is why the direct head gives zero latency for the whole kernel.
 * The work per block is one forward and one inverse FFT, about
 * `kernel.length` complex multiply-adds and `blockSize^2` direct multiply-adds.
 *
 * Precision follows the kernel: a `Float32Array` kernel gives `Float32Array`
 * outputs, a `Float64Array` kernel `Float64Array` outputs. Inside, both run the
 * same float64 state (history, partition spectra, delay line) and accumulate in
 * float64; input chunks may be of either type. Only the copies in and out touch
 * the caller's array types, so the hot loops see one array type whichever
 * precisions a program mixes, and Float32 and Float64 convolvers do not slow each
 * other down (`bench/stream_precision_mix.bench.ts`).
 *
 * @example
 * ```ts
 * import { StreamingConvolver } from "./streaming_convolver.ts";
 *
 * const fir = new StreamingConvolver(new Float32Array([0.5, 0.5]));
 * const a = fir.process(new Float32Array([1, 2, 3])); // [0.5, 1.5, 2.5], a fresh array: yours
 * const b = fir.process(new Float32Array([4])); // [3.5]; `a` is unchanged
 * const tail = fir.flush(); // [2]: then the convolver is ready for a new stream
 *
 * const out = new Float32Array(3); // zero allocation per block: pass `out`
 * fir.process(new Float32Array([1, 2, 3]), out); // writes out: [0.5, 1.5, 2.5]
 * ```
 *
 * @module
 */

import type { AllocationEngine } from "../alloc/engine.ts";
import { resolveMetrics } from "../convolve.ts";
import { getRealFftPlan, type RealFftPlan } from "../kernels/real_fft.ts";
import { checkPowerOfTwo, nextPowerOfTwo } from "../kernels/power_of_two.ts";
import {
  METHOD_INDEX,
  OPERATION_INDEX,
  type OperationMetrics,
} from "../metrics/operation_metrics.ts";
import {
  operationSampleWeight,
  recordOperation,
  recordTimedOperation,
  startOperationTimer,
} from "../metrics/record.ts";
import type { Float } from "../types.ts";
import { isFloatArray, rangeError, typeError } from "../validate.ts";
import { createFdlEngine, type FdlEngine } from "./partitioned/fdl_engine.ts";

/** Options of {@linkcode StreamingConvolver}. */
export interface StreamingConvolverOptions {
  /**
   * Partition size in samples: a power of two from 8 to 65536. Kernels of at most
   * this many taps run directly; longer ones run partitioned in the frequency
   * domain with FFTs of `2 * blockSize`. The default balances the direct head
   * (`blockSize` multiply-adds per sample) against the per-block transforms:
   * about `2 * sqrt(kernel.length)`, between 64 and 4096. For real-time audio use
   * the audio block size (e.g. 128): every block then costs the same.
   */
  blockSize?: number;
  /**
   * Engine whose metrics count the operations (default: the process-wide default
   * engine); the convolver uses nothing else of it.
   */
  engine?: AllocationEngine;
  /** The metrics sink that counts the operations (instead of an engine's; not with `engine`). */
  metrics?: OperationMetrics;
  /**
   * Which implementation runs (see {@linkcode StreamingBackend}): `"auto"` (the
   * default) picks the WebAssembly SIMD engine where the runtime has WebAssembly SIMD,
   * else TypeScript; `"typescript"` forces the TypeScript path.
   */
  backend?: "auto" | "typescript";
}

/**
 * The implementation behind a streaming convolver: `"wasm"`, the zero-latency,
 * non-uniformly partitioned engine on WebAssembly SIMD (`src/stream/partitioned/`),
 * or `"typescript"`, uniform partitions of `blockSize` in TypeScript (the fallback, and
 * the oracle the tests compare the engine with).
 */
export type StreamingBackend = "wasm" | "typescript";

const CALLER = "StreamingConvolver";
const MIN_BLOCK = 8;
const MAX_BLOCK = 65536;

/**
 * The block size used when none is given, for a kernel of `m` taps.
 *
 * @example
 * ```ts
 * import { defaultBlockSize } from "./streaming_convolver.ts";
 * console.log(defaultBlockSize(96_000)); // 512
 * ```
 */
export function defaultBlockSize(m: number): number {
  if (typeof m !== "number") throw typeError("defaultBlockSize", "m", "a number", m);
  if (!Number.isInteger(m) || m < 1) {
    throw rangeError("defaultBlockSize", "m", "a positive integer", m);
  }
  if (m <= 64) return nextPowerOfTwo(m, MIN_BLOCK);
  const ideal = Math.round(Math.log2(2 * Math.sqrt(m)));
  return Math.min(4096, Math.max(64, 2 ** ideal));
}

function checkKernel(kernel: unknown): Float {
  if (!isFloatArray(kernel)) {
    throw typeError(CALLER, "kernel", "a Float32Array or Float64Array", kernel);
  }
  if (kernel.length === 0) throw rangeError(CALLER, "kernel", "non-empty", kernel);
  for (let i = 0; i < kernel.length; i++) {
    // A NaN or infinite tap would poison every later output of the stream for good.
    if (!Number.isFinite(kernel[i])) {
      throw rangeError(CALLER, `kernel[${i}]`, "finite", kernel[i]);
    }
  }
  return kernel;
}

/**
 * `options.backend` checked (`caller` names the class in the error).
 *
 * @example
 * ```ts
 * import { checkBackend } from "./streaming_convolver.ts";
 * console.log(checkBackend(undefined, "MyConvolver")); // "auto"
 * ```
 */
export function checkBackend(value: unknown, caller: string): "auto" | "typescript" {
  if (value === undefined) return "auto";
  if (value !== "auto" && value !== "typescript") {
    throw rangeError(caller, "backend", '"auto" or "typescript"', value);
  }
  return value;
}

/**
 * `options.blockSize` checked, or the default for `m` taps (`caller` names the class).
 *
 * @example
 * ```ts
 * import { checkBlockSize } from "./streaming_convolver.ts";
 * console.log(checkBlockSize(128, 96_000)); // 128
 * console.log(checkBlockSize(undefined, 96_000)); // 512
 * ```
 */
export function checkBlockSize(value: unknown, m: number, caller = CALLER): number {
  if (value === undefined) return defaultBlockSize(m);
  checkPowerOfTwo(value, MIN_BLOCK, MAX_BLOCK, caller, "blockSize");
  return value;
}

/**
 * Starts the sampled timing of one `stream` operation of `work` multiply-adds: its
 * weight in the latency histogram, 0 when this call is not timed (then nothing
 * starts). Pass the weight to {@linkcode recordStreamOperation} when the work is done.
 *
 * @example
 * ```ts
 * import { recordStreamOperation, startStreamOperation } from "./streaming_convolver.ts";
 * import { createEngine } from "../../mod.ts";
 * const metrics = createEngine().metrics;
 * const weight = startStreamOperation(metrics, 128 * 64);
 * recordStreamOperation(metrics, 0, weight); // one stream operation, method index 0
 * ```
 */
export function startStreamOperation(metrics: OperationMetrics, work: number): number {
  const weight = metrics.timing ? operationSampleWeight(work) : 0;
  if (weight > 0) startOperationTimer();
  return weight;
}

/**
 * Counts one `stream` operation of method index `method` in `metrics`, with its
 * duration when {@linkcode startStreamOperation} gave it a weight. The clock reading
 * stays in the recorder's own storage: a start time kept in a local across the call
 * could be boxed on the heap.
 *
 * @example
 * ```ts
 * import { recordStreamOperation } from "./streaming_convolver.ts";
 * import { createEngine } from "../../mod.ts";
 * recordStreamOperation(createEngine().metrics, 0, 0); // counted, not timed
 * ```
 */
export function recordStreamOperation(
  metrics: OperationMetrics,
  method: number,
  weight: number,
): void {
  if (weight > 0) recordTimedOperation(metrics, OPERATION_INDEX.stream, method, weight);
  else recordOperation(metrics, OPERATION_INDEX.stream, method, -1, 0);
}

/**
 * `target[to + i] = source[from + i]` for `i` in `[0, count)`: the only loop that
 * touches the caller's array types (Float32Array or Float64Array, in or out), kept
 * apart so that the loops around it see float64 arrays only.
 */
function copySamples(
  source: Float,
  from: number,
  target: Float,
  to: number,
  count: number,
): void {
  for (let i = 0; i < count; i++) target[to + i] = source[from + i];
}

/**
 * The direct head for block positions `[position, position + count)`:
 * `output[t] = tail[t] + sum_j head[j] * history[B + t - headLength + 1 + j]`
 * (`B` = `tail.length`, the block size; the block's new samples are in the history's
 * second half). Float64 arrays only.
 */
function directHead(
  head: Float64Array,
  history: Float64Array,
  tail: Float64Array,
  output: Float64Array,
  position: number,
  count: number,
): void {
  const headLength = head.length;
  const offset = tail.length - headLength + 1;
  for (let t = position; t < position + count; t++) {
    const first = offset + t;
    let sum = tail[t];
    for (let j = 0; j < headLength; j++) sum += head[j] * history[first + j];
    output[t] = sum;
  }
}

/**
 * Zero-latency streaming convolution with a fixed kernel (see the module docs for
 * the algorithm).
 *
 * **Contract.** The concatenation of every {@linkcode process} output followed by
 * the {@linkcode flush} output equals the full convolution (`n + m - 1` samples)
 * of the concatenated input, within the dtype's rounding, for any chunk sizes
 * (1-sample and empty chunks included). `process` returns exactly as many samples
 * as it was given. NaN or infinite input samples propagate to the outputs whose
 * taps touch them and, for long kernels, to the frequency-domain blocks they fall
 * into, until {@linkcode reset}.
 *
 * **Ownership and memory.** Everything the convolver needs is allocated in the
 * constructor. Without `out`, `process` and `flush` return a fresh array that the
 * caller owns: the convolver never writes to it again. With `out` (the caller's
 * array, written in place) they allocate nothing: the zero-allocation path for
 * real-time loops.
 *
 * **Metrics.** Each non-empty `process` call counts as one `stream` operation in
 * the metrics sink (`metrics`, or the engine's), method `direct` for kernels of at most `blockSize` taps
 * and `overlap_add` for partitioned ones (sampled timing as for `convolve`).
 */
export class StreamingConvolver<T extends Float = Float32Array> {
  /** Number of kernel taps. */
  readonly kernelLength: number;
  /** Partition size in samples (see {@linkcode StreamingConvolverOptions.blockSize}). */
  readonly blockSize: number;
  /**
   * Kernel taps beyond the direct head, in blocks of `blockSize` (0: a direct filter).
   * The TypeScript path computes exactly these partitions in the frequency domain; the
   * WebAssembly engine groups them into larger ones (see {@linkcode backend}).
   */
  readonly partitions: number;
  /** The implementation that runs (see {@linkcode StreamingBackend}). */
  readonly backend: StreamingBackend;
  /** Samples that {@linkcode flush} emits: `kernelLength - 1`. */
  readonly tailLength: number;

  readonly #metrics: OperationMetrics;
  readonly #f64: boolean;
  readonly #method: number;
  /** The first min(m, B) taps reversed, for the direct head. */
  readonly #head: Float64Array;
  /** [previous block | current block] of input samples. */
  readonly #history: Float64Array;
  /** Frequency-domain contribution to the current block. */
  readonly #tail: Float64Array;
  /** Second half of the last inverse transform (belongs to the next block). */
  readonly #overlap: Float64Array;
  readonly #plan: RealFftPlan | null;
  readonly #spectrum: Float64Array;
  readonly #time: Float64Array;
  /** Partition spectra, layout [bin][partition reversed][re, im]. */
  readonly #kernelSpectra: Float64Array;
  /** Input block spectra (the delay line), layout [bin][slot][re, im]. */
  readonly #inputSpectra: Float64Array;
  /** Outputs of the current block so far (copied out to the caller's array type). */
  readonly #output: Float64Array;
  /** The WebAssembly engine, or null on the TypeScript path. */
  readonly #fast: FdlEngine | null;
  /** One-channel lists handed to the engine (refilled per call: no allocation). */
  readonly #inputList: Float[] = [];
  readonly #outputList: Float[] = [];
  /** Position in the current block. */
  #position = 0;
  /** Slot of the newest input spectrum. */
  #slot = 0;
  /** The last view of a longer `out` (reused while `out` and the length stay the same). */
  #view: T | null = null;
  #viewOf: Float | null = null;
  #viewLength = -1;

  /**
   * Prepares a convolver for `kernel` (copied: later changes to the array do not
   * affect it). Partition spectra are computed here, once.
   *
   * @throws {TypeError} when the kernel is not a Float32Array/Float64Array or the engine is not one.
   * @throws {RangeError} when the kernel is empty or holds NaN/infinite values, or on a bad blockSize.
   */
  constructor(kernel: T, options?: StreamingConvolverOptions) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw typeError(CALLER, "options", "an object", options);
    }
    const h = checkKernel(kernel);
    const m = h.length;
    const block = checkBlockSize(options?.blockSize, m);
    const backend = checkBackend(options?.backend, CALLER);
    this.#metrics = resolveMetrics(options?.metrics, options?.engine, CALLER);
    this.#f64 = h instanceof Float64Array;
    this.kernelLength = m;
    this.blockSize = block;
    this.tailLength = m - 1;
    const headLength = Math.min(m, block);
    this.#head = new Float64Array(headLength);
    for (let j = 0; j < headLength; j++) this.#head[j] = h[headLength - 1 - j];
    this.#history = new Float64Array(2 * block);
    this.#tail = new Float64Array(block);
    this.#overlap = new Float64Array(block);
    this.#output = new Float64Array(block);
    const partitions = Math.ceil(m / block) - 1;
    this.partitions = partitions;
    this.#method = partitions > 0 ? METHOD_INDEX.overlap_add : METHOD_INDEX.direct;
    const bins = block + 1;
    this.#fast = backend === "auto"
      ? createFdlEngine(this.#f64, 1, 1, [{ input: 0, output: 0, kernel: h }], block)
      : null;
    this.backend = this.#fast === null ? "typescript" : "wasm";
    if (partitions > 0 && this.#fast === null) {
      const plan = getRealFftPlan(2 * block);
      this.#plan = plan;
      this.#spectrum = new Float64Array(plan.spectrumLength);
      this.#time = new Float64Array(2 * block);
      this.#kernelSpectra = new Float64Array(2 * bins * partitions);
      this.#inputSpectra = new Float64Array(2 * bins * partitions);
      const spectrum = this.#spectrum;
      const stride = 2 * partitions;
      // The partitions enter the transform through a float64 copy, so that the
      // transform's loads see the same array type as in #frequencyDomain.
      const segment = this.#time;
      for (let p = 1; p <= partitions; p++) {
        const offset = p * block;
        const count = Math.min(block, m - offset);
        copySamples(h, offset, segment, 0, count);
        plan.forwardSegment(segment, 0, count, 1, spectrum);
        // Partition p sits at column partitions - p, so that the delay line is read
        // in ascending order (see #accumulate).
        const column = 2 * (partitions - p);
        for (let k = 0; k < bins; k++) {
          this.#kernelSpectra[k * stride + column] = spectrum[2 * k];
          this.#kernelSpectra[k * stride + column + 1] = spectrum[2 * k + 1];
        }
      }
    } else {
      this.#plan = null;
      this.#spectrum = new Float64Array(0);
      this.#time = new Float64Array(0);
      this.#kernelSpectra = new Float64Array(0);
      this.#inputSpectra = new Float64Array(0);
    }
  }

  /**
   * Filters the next chunk of the stream and returns its `input.length` output
   * samples (zero latency). With `out` (the kernel's array type, at least
   * `input.length` long) the samples are written there and `out` is returned when
   * its length is exact, else a view of its first `input.length` elements (cached:
   * the same `out` and length return the same view); nothing is allocated. Without
   * `out`, the result is a fresh array that the caller owns (never overwritten by
   * later calls). `out` may be `input` itself (filtering in place).
   *
   * @throws {TypeError} when `input` is not a Float32Array/Float64Array or `out` is not of the kernel's type.
   * @throws {RangeError} when `out` is shorter than `input`.
   */
  process(input: Float, out?: T): T {
    if (!isFloatArray(input)) {
      throw typeError(`${CALLER}.process`, "input", "a Float32Array or Float64Array", input);
    }
    const n = input.length;
    const target = this.#target(n, out, "process");
    if (n === 0) return target;
    const weight = startStreamOperation(this.#metrics, n * this.kernelLength);
    this.#run(input, n, target);
    recordStreamOperation(this.#metrics, this.#method, weight);
    return target;
  }

  /**
   * Ends the stream: returns the last `kernelLength - 1` samples of the full
   * convolution (written into `out` when given, as in {@linkcode process}; else a
   * fresh array the caller owns) and resets the convolver, which can then start a
   * new stream.
   *
   * @throws {TypeError} when `out` is not of the kernel's type.
   * @throws {RangeError} when `out` is shorter than `kernelLength - 1`.
   */
  flush(out?: T): T {
    const n = this.tailLength;
    const target = this.#target(n, out, "flush");
    if (n > 0) this.#run(null, n, target);
    this.reset();
    return target;
  }

  /** Forgets the stream so far (history, delay line, pending tail): a fresh start. */
  reset(): void {
    this.#fast?.reset();
    this.#history.fill(0);
    this.#tail.fill(0);
    this.#overlap.fill(0);
    this.#inputSpectra.fill(0);
    this.#position = 0;
    this.#slot = 0;
  }

  #make(length: number): T {
    return (this.#f64 ? new Float64Array(length) : new Float32Array(length)) as T;
  }

  /**
   * The array to write `n` samples into: a fresh one the caller will own, or
   * `out` checked (a cached view of it when longer, so that `out` allocates nothing).
   */
  #target(n: number, out: T | undefined, method: string): T {
    if (out === undefined) return this.#make(n);
    if (!isFloatArray(out) || (out instanceof Float64Array) !== this.#f64) {
      const type = this.#f64 ? "Float64Array" : "Float32Array";
      throw typeError(`${CALLER}.${method}`, "out", `a ${type} like the kernel`, out);
    }
    if (out.length < n) {
      throw rangeError(`${CALLER}.${method}`, "out", `at least ${n} elements long`, out);
    }
    if (out.length === n) return out;
    if (this.#viewOf !== out || this.#viewLength !== n) {
      this.#view = out.subarray(0, n) as T;
      this.#viewOf = out;
      this.#viewLength = n;
    }
    return this.#view!;
  }

  /** Feeds `n` samples of `input` (zeros when null) and writes `n` outputs. */
  #run(input: Float | null, n: number, out: Float): void {
    const fast = this.#fast;
    if (fast !== null) {
      const outputs = this.#outputList;
      outputs[0] = out;
      if (input === null) fast.process(null, 0, outputs, 0, n);
      else {
        const inputs = this.#inputList;
        inputs[0] = input;
        fast.process(inputs, 0, outputs, 0, n);
      }
      return;
    }
    const block = this.blockSize;
    const history = this.#history;
    const output = this.#output;
    let done = 0;
    while (done < n) {
      const position = this.#position;
      const take = Math.min(n - done, block - position);
      const write = block + position;
      if (input === null) history.fill(0, write, write + take);
      else copySamples(input, done, history, write, take);
      directHead(this.#head, history, this.#tail, output, position, take);
      copySamples(output, position, out, done, take);
      done += take;
      this.#position = position + take;
      if (this.#position === block) this.#completeBlock();
    }
  }

  /** The current block is complete: shift the history and run the delay line. */
  #completeBlock(): void {
    const block = this.blockSize;
    const history = this.#history;
    this.#position = 0;
    if (this.partitions > 0) this.#frequencyDomain();
    history.copyWithin(0, block, 2 * block);
  }

  #frequencyDomain(): void {
    const block = this.blockSize;
    const partitions = this.partitions;
    const bins = block + 1;
    const stride = 2 * partitions;
    const spectrum = this.#spectrum;
    const plan = this.#plan!;
    plan.forwardSegment(this.#history, block, block, 1, spectrum);
    const slot = this.#slot + 1 === partitions ? 0 : this.#slot + 1;
    this.#slot = slot;
    const x = this.#inputSpectra;
    const h = this.#kernelSpectra;
    // The newest block (slot s) meets partition 1, the one before partition 2, ...
    // Partition p is stored at column partitions - p, so slot i in [0, s] meets
    // column partitions - 1 - s + i and slot i in (s, partitions) column i - s - 1:
    // two ascending runs over both arrays.
    const splitColumn = 2 * (partitions - 1 - slot);
    const headRun = 2 * (slot + 1);
    for (let k = 0; k < bins; k++) {
      const row = k * stride;
      x[row + 2 * slot] = spectrum[2 * k];
      x[row + 2 * slot + 1] = spectrum[2 * k + 1];
      let re = 0;
      let im = 0;
      let xi = row;
      let hi = row + splitColumn;
      const end1 = row + headRun;
      for (; xi < end1; xi += 2, hi += 2) {
        const xr = x[xi], xm = x[xi + 1], hr = h[hi], hm = h[hi + 1];
        re += xr * hr - xm * hm;
        im += xr * hm + xm * hr;
      }
      hi = row;
      const end2 = row + stride;
      for (; xi < end2; xi += 2, hi += 2) {
        const xr = x[xi], xm = x[xi + 1], hr = h[hi], hm = h[hi + 1];
        re += xr * hr - xm * hm;
        im += xr * hm + xm * hr;
      }
      spectrum[2 * k] = re;
      spectrum[2 * k + 1] = im;
    }
    const time = this.#time;
    plan.inverse(spectrum, time);
    const tail = this.#tail;
    const overlap = this.#overlap;
    for (let i = 0; i < block; i++) {
      tail[i] = time[i] + overlap[i];
      overlap[i] = time[block + i];
    }
  }
}
