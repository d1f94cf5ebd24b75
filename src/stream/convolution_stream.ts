/**
 * A Web Streams adapter of {@linkcode StreamingConvolver}: a
 * `TransformStream<Float32Array, Float32Array>` to `pipeThrough` in Deno, Bun and
 * Node (web streams are globals on all three).
 *
 * @example
 * ```ts
 * import { ConvolutionStream } from "./convolution_stream.ts";
 *
 * const source = ReadableStream.from([new Float32Array([1, 2]), new Float32Array([3])]);
 * const filtered = source.pipeThrough(new ConvolutionStream(new Float32Array([0.5, 0.5])));
 * for await (const chunk of filtered) console.log(chunk); // [0.5, 1.5], [2.5], then the tail [1.5]
 * ```
 *
 * @module
 */

import type { AllocationEngine } from "../alloc/engine.ts";
import type { OperationMetrics } from "../metrics/operation_metrics.ts";
import { floatArrayName } from "../typed_array_slots.ts";
import { isFloatArray, typeError } from "../validate.ts";
import { StreamingConvolver } from "./streaming_convolver.ts";

/** Options of {@linkcode ConvolutionStream}. */
export interface ConvolutionStreamOptions {
  /** Partition size (see {@linkcode StreamingConvolverOptions.blockSize}). */
  blockSize?: number;
  /** Engine whose metrics count the operations (default: the default engine). */
  engine?: AllocationEngine;
  /** The metrics sink that counts the operations (instead of an engine's; not with `engine`). */
  metrics?: OperationMetrics;
  /**
   * Queuing strategy of the writable side (default: a high-water mark of 1 chunk).
   * Backpressure is the TransformStream's own: when the reader is slow the
   * readable side fills up to its high-water mark and writes wait.
   */
  writableStrategy?: QueuingStrategy<Float32Array>;
  /** Queuing strategy of the readable side (default: a high-water mark of 0 chunks). */
  readableStrategy?: QueuingStrategy<Float32Array>;
}

/**
 * Convolves a stream of `Float32Array` chunks with a fixed kernel. Each input
 * chunk gives one output chunk of the same length (a fresh array the reader
 * owns; empty input chunks give nothing); when the input ends, one last chunk
 * carries the `kernel.length - 1` samples of the tail. Together they are the full
 * convolution of the whole input. A chunk that is not a `Float32Array` errors the
 * stream with a `TypeError` naming what arrived.
 */
export class ConvolutionStream extends TransformStream<Float32Array, Float32Array> {
  /** The convolver doing the work (its block size and kernel length). */
  readonly convolver: StreamingConvolver<Float32Array>;

  /**
   * @throws {TypeError} when the kernel is not a Float32Array.
   * @throws {RangeError} on an empty or non-finite kernel or a bad blockSize.
   */
  constructor(kernel: Float32Array, options?: ConvolutionStreamOptions) {
    if (floatArrayName(kernel) !== "Float32Array") {
      throw typeError("ConvolutionStream", "kernel", "a Float32Array", kernel);
    }
    const convolver = new StreamingConvolver(kernel, {
      blockSize: options?.blockSize,
      engine: options?.engine,
      metrics: options?.metrics,
    });
    super(
      {
        transform(chunk, controller) {
          if (floatArrayName(chunk) !== "Float32Array" || !isFloatArray(chunk)) {
            throw typeError("ConvolutionStream", "a chunk", "a Float32Array", chunk);
          }
          if (chunk.length === 0) return;
          controller.enqueue(convolver.process(chunk)); // a fresh array: the reader's
        },
        flush(controller) {
          if (convolver.tailLength > 0) {
            controller.enqueue(convolver.flush());
          } else {
            convolver.reset();
          }
        },
      },
      options?.writableStrategy ?? { highWaterMark: 1 },
      options?.readableStrategy ?? { highWaterMark: 0 },
    );
    this.convolver = convolver;
  }
}
