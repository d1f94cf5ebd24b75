/**
 * The seed-style API of the original design, kept for its users: full-mode
 * `Float32Array` convolution on the default engine, with results from its pool.
 *
 * @example
 * ```ts
 * import { BufferUtils, convolution } from "./compat.ts";
 * BufferUtils.preWarm([1024 + 63 - 1]);
 * const y = convolution(new Float32Array(1024), new Float32Array(63)); // from the pool
 * // ... use y ...
 * BufferUtils.releaseBuffer(y); // give it back: the next call reuses it
 * console.log(BufferUtils.getStats().pool.hits); // 1
 * ```
 *
 * @module
 */

import type { EngineStats } from "./alloc/stats.ts";
import { executeOperation, fullConvolution } from "./convolve.ts";
import { getDefaultEngine } from "./default_engine.ts";
import { acquireResultFloat32 } from "./result_buffer.ts";
import { OPERATION_INDEX } from "./metrics/operation_metrics.ts";
import type { Float } from "./types.ts";
import { floatArrayName } from "./typed_array_slots.ts";
import { checkNonEmptyFloat, typeError } from "./validate.ts";

const CONVOLUTION_REQUEST = fullConvolution("convolution", OPERATION_INDEX.convolve);
const CONVOLUTION_IN_PLACE_REQUEST = fullConvolution(
  "convolutionInPlace",
  OPERATION_INDEX.convolve,
);

/**
 * Full-mode convolution of a `Float32Array` signal; the result comes from the
 * default engine's pool (never its stack arena, even inside `engine.scope()`) and
 * is the caller's: the library never reuses it until the caller gives it back
 * with {@linkcode BufferUtils.releaseBuffer}, after which the next call of that
 * size reuses it and allocates nothing. A result never given back stays the
 * caller's (garbage-collected, and counted under `misuse.leaked`).
 *
 * @throws {TypeError} when signal is not a Float32Array or kernel is not a float typed array.
 * @throws {RangeError} on empty input.
 */
export function convolution(signal: Float32Array, kernel: Float): Float32Array {
  const x = checkFloat32Signal(signal, "convolution");
  const h = checkNonEmptyFloat(kernel, "kernel", "convolution");
  const engine = getDefaultEngine();
  const result = acquireResultFloat32(engine, x.length + h.length - 1);
  try {
    return executeOperation(x, h, result, engine, CONVOLUTION_REQUEST);
  } catch (error) {
    engine.release(result);
    throw error;
  }
}

/**
 * Writes the full-mode convolution of `signal` and `kernel` into `result`
 * (exactly `signal.length + kernel.length - 1` elements) and returns it.
 * Allocates nothing.
 *
 * @throws {TypeError} when signal or result is not a Float32Array.
 * @throws {RangeError} on empty input or a wrong result length (the message quotes it).
 */
export function convolutionInPlace(
  signal: Float32Array,
  kernel: Float,
  result: Float32Array,
): Float32Array {
  const x = checkFloat32Signal(signal, "convolutionInPlace");
  return executeOperation(x, kernel, result, getDefaultEngine(), CONVOLUTION_IN_PLACE_REQUEST);
}

function checkFloat32Signal(signal: unknown, caller: string): Float32Array {
  if (floatArrayName(signal) !== "Float32Array") {
    throw typeError(caller, "signal", "a Float32Array", signal);
  }
  return checkNonEmptyFloat(signal, "signal", caller) as Float32Array;
}

/** Pool utilities of the seed-style API, all on the default engine. */
export const BufferUtils: {
  /**
   * Gives a result of {@linkcode convolution} or of a `BatchOperations` batch back
   * to the pool, once: the caller decides when (the buffer must not be read after).
   */
  releaseBuffer(buffer: Float32Array | Float64Array): void;
  /** Fills the pool for these element counts (float32); returns the buffers added. */
  preWarm(sizes: number[]): number;
  /** Drops idle pooled memory now; returns the bytes freed. */
  handleMemoryPressure(): number;
  /** The default engine's exact statistics. */
  getStats(): EngineStats;
} = Object.freeze({
  releaseBuffer(buffer: Float32Array | Float64Array): void {
    getDefaultEngine().release(buffer);
  },
  preWarm(sizes: number[]): number {
    return getDefaultEngine().preWarm(sizes);
  },
  handleMemoryPressure(): number {
    return getDefaultEngine().handleMemoryPressure();
  },
  getStats(): EngineStats {
    return getDefaultEngine().getStats();
  },
});
