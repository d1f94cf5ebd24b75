/**
 * Zero-latency streaming convolution of N input channels into M output channels:
 * mono, stereo (each channel its own impulse response) and true stereo (2 x 2: every
 * input feeds every output), with planar channel arrays as Web Audio hands them.
 *
 * On the WebAssembly engine (`src/stream/partitioned/`), each input channel is
 * transformed once per partition level and each output channel inverse-transformed
 * once, whatever the number of paths; only the delay line's multiply-accumulate runs
 * per path. Without WebAssembly SIMD, or with `backend: "typescript"`, one
 * TypeScript {@linkcode StreamingConvolver} per path runs and the paths are summed.
 *
 * @example
 * ```ts
 * import { MultichannelConvolver } from "./multichannel_convolver.ts";
 *
 * // True stereo: kernels[input][output].
 * const ll = new Float32Array([1, 0.5]), lr = new Float32Array([0, 0.25]);
 * const rl = new Float32Array([0, 0.25]), rr = new Float32Array([1, 0.5]);
 * const reverb = new MultichannelConvolver([[ll, lr], [rl, rr]], { blockSize: 128 });
 * const left = new Float32Array(128), right = new Float32Array(128);
 * const outputs = [new Float32Array(128), new Float32Array(128)];
 * reverb.process([left, right], outputs); // writes both output channels, allocates nothing
 * ```
 *
 * @module
 */

import { resolveMetrics } from "../convolve.ts";
import { METHOD_INDEX, type OperationMetrics } from "../metrics/operation_metrics.ts";
import type { Float } from "../types.ts";
import { isFloatArray, rangeError, typeError } from "../validate.ts";
import { createFdlEngine, type FdlEngine, type FdlPath } from "./partitioned/fdl_engine.ts";
import {
  checkBackend,
  checkBlockSize,
  recordStreamOperation,
  startStreamOperation,
  type StreamingBackend,
  StreamingConvolver,
  type StreamingConvolverOptions,
} from "./streaming_convolver.ts";

/**
 * Options of {@linkcode MultichannelConvolver}: those of `StreamingConvolver`
 * (`blockSize`, `engine`, `metrics`, `backend`), with the same meaning and defaults;
 * the block size applies to every path.
 */
export type MultichannelConvolverOptions = StreamingConvolverOptions;

const CALLER = "MultichannelConvolver";
const MAX_CHANNELS = 32;

/** A path as the constructor found it in the kernel matrix. */
interface CheckedPath extends FdlPath {
  readonly kernel: Float;
}

function checkKernels(
  kernels: unknown,
): { paths: CheckedPath[]; inputs: number; outputs: number; f64: boolean } {
  if (!Array.isArray(kernels) || kernels.length === 0 || kernels.length > MAX_CHANNELS) {
    throw typeError(
      CALLER,
      "kernels",
      `an array of 1 to ${MAX_CHANNELS} rows (one per input channel)`,
      kernels,
    );
  }
  const outputs = Array.isArray(kernels[0]) ? kernels[0].length : 0;
  const paths: CheckedPath[] = [];
  let f64: boolean | null = null;
  for (let i = 0; i < kernels.length; i++) {
    const row: unknown = kernels[i];
    if (!Array.isArray(row) || row.length !== outputs || outputs === 0 || outputs > MAX_CHANNELS) {
      throw typeError(
        CALLER,
        `kernels[${i}]`,
        `an array of 1 to ${MAX_CHANNELS} kernels or nulls, as long as kernels[0]`,
        row,
      );
    }
    for (let o = 0; o < outputs; o++) {
      const kernel: unknown = row[o];
      if (kernel === null) continue;
      if (!isFloatArray(kernel)) {
        throw typeError(
          CALLER,
          `kernels[${i}][${o}]`,
          "a Float32Array, Float64Array or null",
          kernel,
        );
      }
      const isF64 = kernel instanceof Float64Array;
      if (f64 !== null && isF64 !== f64) {
        const type = f64 ? "Float64Array" : "Float32Array";
        throw typeError(
          CALLER,
          `kernels[${i}][${o}]`,
          `a ${type}: kernels are all of one type`,
          kernel,
        );
      }
      f64 = isF64;
      if (kernel.length === 0) {
        throw rangeError(CALLER, `kernels[${i}][${o}]`, "non-empty", kernel);
      }
      for (let t = 0; t < kernel.length; t++) {
        if (!Number.isFinite(kernel[t])) {
          throw rangeError(CALLER, `kernels[${i}][${o}][${t}]`, "finite", kernel[t]);
        }
      }
      paths.push({ input: i, output: o, kernel: kernel.slice() });
    }
  }
  if (f64 === null) {
    throw typeError(CALLER, "kernels", "a matrix of at least one kernel, not only nulls", kernels);
  }
  return { paths, inputs: kernels.length, outputs, f64 };
}

/**
 * Zero-latency N x M streaming convolution (see the module docs).
 *
 * **Contract.** For each output channel `o`, the concatenation of its `process`
 * outputs followed by its `flush` output equals the sum over inputs `i` of the full
 * convolution of input `i` with `kernels[i][o]` (a missing path counts as zero), for any
 * chunk sizes, 1-sample and empty chunks included. All channels of one call have the
 * same length.
 *
 * **Ownership and memory.** Without `outputs`, `process` and `flush` return fresh
 * arrays the caller owns. With `outputs` (one array per output channel, each at least
 * as long as the chunk) they write the first samples of each array and return
 * `outputs` itself, allocating nothing: the zero-allocation path for real time.
 */
export class MultichannelConvolver<T extends Float = Float32Array> {
  /** Input channels (rows of the kernel matrix). */
  readonly inputs: number;
  /** Output channels (columns of the kernel matrix). */
  readonly outputs: number;
  /** Taps of the longest kernel. */
  readonly kernelLength: number;
  /** Samples that {@linkcode flush} emits per channel: `kernelLength - 1`. */
  readonly tailLength: number;
  readonly blockSize: number;
  /** The implementation that runs. */
  readonly backend: StreamingBackend;

  readonly #metrics: OperationMetrics;
  readonly #f64: boolean;
  readonly #fast: FdlEngine | null;
  /** TypeScript path: one convolver per path and a scratch output per path. */
  readonly #paths: CheckedPath[];
  readonly #convolvers: StreamingConvolver<Float>[];
  readonly #scratch: Float[];

  /**
   * Prepares a convolver for `kernels[input][output]` (null where an input does not
   * feed an output; the kernels are copied).
   *
   * @throws {TypeError} when `kernels` is not a non-empty matrix of Float32Array/Float64Array (one type) or nulls.
   * @throws {RangeError} on an empty kernel, NaN/infinite taps or a bad blockSize or backend.
   */
  constructor(kernels: readonly (readonly (T | null)[])[], options?: MultichannelConvolverOptions) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw typeError(CALLER, "options", "an object", options);
    }
    const { paths, inputs, outputs, f64 } = checkKernels(kernels);
    let m = 1;
    for (const path of paths) m = Math.max(m, path.kernel.length);
    const block = checkBlockSize(options?.blockSize, m, CALLER);
    const backend = checkBackend(options?.backend, CALLER);
    this.#metrics = resolveMetrics(options?.metrics, options?.engine, CALLER);
    this.inputs = inputs;
    this.outputs = outputs;
    this.kernelLength = m;
    this.tailLength = m - 1;
    this.blockSize = block;
    this.#f64 = f64;
    this.#paths = paths;
    this.#fast = backend === "auto" ? createFdlEngine(f64, inputs, outputs, paths, block) : null;
    this.backend = this.#fast === null ? "typescript" : "wasm";
    this.#convolvers = this.#fast !== null
      ? []
      : paths.map((path) =>
        new StreamingConvolver<Float>(path.kernel, {
          blockSize: block,
          metrics: this.#metrics,
          backend: "typescript",
        })
      );
    this.#scratch = this.#fast !== null ? [] : paths.map(() => this.#make(block));
  }

  /**
   * Filters the next chunk of every input channel and returns the same number of
   * samples for every output channel (zero latency). `inputs` holds one
   * Float32Array/Float64Array per input channel, all of one length.
   *
   * @throws {TypeError} when `inputs` or `outputs` is not an array of the right channel count and types.
   * @throws {RangeError} when input channels differ in length or an output channel is too short.
   */
  process(inputs: readonly Float[], outputs?: T[]): T[] {
    if (!Array.isArray(inputs) || inputs.length !== this.inputs) {
      throw typeError(
        `${CALLER}.process`,
        "inputs",
        `an array of ${this.inputs} channel arrays`,
        inputs,
      );
    }
    let n = -1;
    for (let c = 0; c < inputs.length; c++) {
      const channel: unknown = inputs[c];
      if (!isFloatArray(channel)) {
        throw typeError(
          `${CALLER}.process`,
          `inputs[${c}]`,
          "a Float32Array or Float64Array",
          channel,
        );
      }
      if (n >= 0 && channel.length !== n) {
        throw rangeError(
          `${CALLER}.process`,
          `inputs[${c}]`,
          `of length ${n} like the input channels before it`,
          channel,
        );
      }
      n = channel.length;
    }
    const targets = this.#targets(n, outputs, "process");
    if (n === 0) return targets;
    const weight = startStreamOperation(this.#metrics, n * this.kernelLength);
    this.#run(inputs, n, targets);
    recordStreamOperation(this.#metrics, METHOD_INDEX.overlap_add, weight);
    return targets;
  }

  /**
   * Ends the stream: returns the last `kernelLength - 1` samples of every output channel
   * (into `outputs` when given, as in {@linkcode process}) and resets the convolver.
   *
   * @throws {TypeError} when `outputs` is not an array of the right channel count and type.
   * @throws {RangeError} when an output channel is shorter than `kernelLength - 1`.
   */
  flush(outputs?: T[]): T[] {
    const n = this.tailLength;
    const targets = this.#targets(n, outputs, "flush");
    if (n > 0) this.#run(null, n, targets);
    this.reset();
    return targets;
  }

  /** Forgets the stream so far: a fresh start. */
  reset(): void {
    this.#fast?.reset();
    for (const convolver of this.#convolvers) convolver.reset();
  }

  #make(length: number): T {
    return (this.#f64 ? new Float64Array(length) : new Float32Array(length)) as T;
  }

  #targets(n: number, outputs: T[] | undefined, method: string): T[] {
    if (outputs === undefined) {
      const fresh: T[] = [];
      for (let o = 0; o < this.outputs; o++) fresh.push(this.#make(n));
      return fresh;
    }
    if (!Array.isArray(outputs) || outputs.length !== this.outputs) {
      throw typeError(
        `${CALLER}.${method}`,
        "outputs",
        `an array of ${this.outputs} channel arrays`,
        outputs,
      );
    }
    const type = this.#f64 ? "Float64Array" : "Float32Array";
    for (let o = 0; o < outputs.length; o++) {
      const out: unknown = outputs[o];
      if (!isFloatArray(out) || (out instanceof Float64Array) !== this.#f64) {
        throw typeError(`${CALLER}.${method}`, `outputs[${o}]`, `a ${type} like the kernels`, out);
      }
      if (out.length < n) {
        throw rangeError(
          `${CALLER}.${method}`,
          `outputs[${o}]`,
          `at least ${n} elements long`,
          out,
        );
      }
    }
    return outputs;
  }

  #run(inputs: readonly Float[] | null, n: number, outputs: Float[]): void {
    if (this.#fast !== null) {
      this.#fast.process(inputs, 0, outputs, 0, n);
      return;
    }
    for (let o = 0; o < outputs.length; o++) outputs[o].fill(0, 0, n);
    for (let p = 0; p < this.#paths.length; p++) {
      const path = this.#paths[p];
      const convolver = this.#convolvers[p];
      // Scratch grows to the longest chunk seen: no allocation once it has.
      if (this.#scratch[p].length < n) this.#scratch[p] = this.#make(n);
      const scratch = this.#scratch[p];
      // A path's flush gives its own tail (its kernel may be shorter): zeros follow.
      const result = inputs === null
        ? convolver.flush(scratch)
        : convolver.process(inputs[path.input], scratch);
      const out = outputs[path.output];
      for (let i = 0; i < result.length; i++) out[i] += result[i];
    }
  }
}
