/**
 * `convolve` and `correlate`: argument checks, mode arithmetic and dispatch to
 * the kernels.
 *
 * @example
 * ```ts
 * import { convolve } from "./convolve.ts";
 * const y = convolve(new Float32Array([1, 2, 3]), new Float32Array([0, 1, 0.5]), { mode: "same" });
 * console.log(y); // Float32Array [1, 2.5, 4]
 * ```
 *
 * @module
 */

import { needsScratch, pickKernel, runKernel } from "./kernels/dispatch.ts";
import type { Workspace } from "./kernels/workspace.ts";
import { AllocationEngine } from "./alloc/engine.ts";
import { getDefaultEngine } from "./default_engine.ts";
import { METHOD_INDEX, OPERATION_INDEX, OperationMetrics } from "./metrics/operation_metrics.ts";
import {
  operationSampleWeight,
  recordOperation,
  recordTimedOperation,
  startOperationTimer,
} from "./metrics/record.ts";
import { outputLength, outputStart } from "./modes.ts";
import type { Float, Method, Mode } from "./types.ts";
import { kernelWindowStart, transposes } from "./transpose.ts";
import { floatArrayName } from "./typed_array_slots.ts";
import {
  checkFloat,
  checkFullOutputLength,
  checkNonEmptyFloat,
  overlaps,
  parseMethod,
  parseMode,
  rangeError,
  typeError,
} from "./validate.ts";

/**
 * Options of {@linkcode convolve} and {@linkcode correlate}. Hoist the object out of
 * a hot loop: a literal built per call is itself an allocation.
 */
export interface ConvolveOptions<T extends Float = Float> {
  /** Output window: `"full"` (default), `"same"` or `"valid"`, as in SciPy. */
  mode?: Mode;
  /**
   * `"auto"` (default) lets the calibrated cost model choose; `"direct"` forces the
   * direct sum; `"fft"` forces the frequency domain (one FFT or overlap-add).
   */
  method?: Method;
  /** Where to write the result: same element type as the signal, exact output length. */
  out?: T;
  /**
   * The allocation engine that provides the kernels' scratch memory and counts the
   * operation (default: the process-wide engine of {@linkcode getDefaultEngine}).
   */
  engine?: AllocationEngine;
}

/**
 * Convolves `signal` with `kernel` like `scipy.signal.convolve` for 1-D real input.
 * The result has the signal's element type (or is `options.out`, written in place).
 * Mixed precision (a Float32 signal with a Float64 kernel or the reverse) is accepted;
 * sums are accumulated in float64.
 *
 * @throws {TypeError} when signal, kernel or `out` is not a Float32Array/Float64Array
 *   (or `out` has another element type than the signal), or options is not an object.
 * @throws {RangeError} on an empty input, an unknown mode or method, a wrong `out`
 *   length, `out` overlapping an input, or an output longer than 2^28 elements.
 */
export function convolve<T extends Float>(
  signal: T,
  kernel: Float,
  options?: ConvolveOptions<T>,
): T {
  return runOperation("convolve", signal, kernel, options, false);
}

/**
 * Cross-correlates `signal` with `kernel` like `scipy.signal.correlate` for 1-D real
 * input: `correlate(x, h)` equals `convolve(x, reverse(h))` with the same modes.
 *
 * @throws {TypeError} see {@linkcode convolve}.
 * @throws {RangeError} see {@linkcode convolve}.
 */
export function correlate<T extends Float>(
  signal: T,
  kernel: Float,
  options?: ConvolveOptions<T>,
): T {
  return runOperation("correlate", signal, kernel, options, true);
}

function runOperation<T extends Float>(
  caller: "convolve" | "correlate",
  signal: T,
  kernel: Float,
  options: ConvolveOptions<T> | undefined,
  reverseKernel: boolean,
): T {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw typeError(caller, "options", "an object", options);
  }
  return executeOperation(
    caller,
    signal,
    kernel,
    parseMode(options?.mode, caller),
    parseMethod(options?.method, caller),
    options?.out,
    resolveEngine(options?.engine, caller),
    reverseKernel ? OPERATION_INDEX.correlate : OPERATION_INDEX.convolve,
  );
}

/** Returns `engine`, or the default engine when it is undefined. */
export function resolveEngine(engine: unknown, caller: string): AllocationEngine {
  if (engine === undefined) return getDefaultEngine();
  if (engine instanceof AllocationEngine) return engine;
  throw typeError(caller, "engine", "an engine made by createEngine()", engine);
}

/**
 * The metrics sink of an operation's options: `metrics` when given, else the
 * metrics of `engine` (the default engine when that is undefined too).
 *
 * @example
 * ```ts
 * import { resolveMetrics } from "./convolve.ts";
 * import { getDefaultEngine } from "./default_engine.ts";
 * console.log(resolveMetrics(undefined, undefined, "example") === getDefaultEngine().metrics); // true
 * ```
 */
export function resolveMetrics(
  metrics: unknown,
  engine: unknown,
  caller: string,
): OperationMetrics {
  if (metrics === undefined) return resolveEngine(engine, caller).metrics;
  if (engine !== undefined) {
    throw typeError(caller, "metrics", "left out when an engine is given", metrics);
  }
  if (metrics instanceof OperationMetrics) return metrics;
  throw typeError(
    caller,
    "metrics",
    "an OperationMetrics (engine.metrics or new OperationMetrics())",
    metrics,
  );
}

/**
 * The whole operation after option parsing, shared by the public functions, the
 * seed-style API and batches: checks the arrays, resolves `out` (allocated when
 * undefined), runs the chosen kernel with scratch from `engine`, and counts (and,
 * sampled, times) it in `engine.metrics` under `operation` (an index of
 * {@linkcode OPERATION_INDEX}). Correlation is the operation
 * {@linkcode OPERATION_INDEX}.correlate. `scratch`
 * replaces the engine's workspace (batches with `useSharedWorkspace: false`).
 */
export function executeOperation<T extends Float>(
  caller: string,
  signal: T,
  kernel: Float,
  mode: Mode,
  method: Method,
  out: unknown,
  engine: AllocationEngine,
  operation: number,
  scratch?: Workspace,
): T {
  // From here on only the checked arrays are used: their lengths come from internal
  // slots, and no user code runs before the kernel has finished.
  const x = checkNonEmptyFloat(signal, "signal", caller);
  const h = checkNonEmptyFloat(kernel, "kernel", caller);
  const n = x.length;
  const m = h.length;
  checkFullOutputLength(n, m, caller);
  const length = outputLength(n, m, mode);
  const target = resolveOutput(caller, x, h, out, length);
  const correlate = operation === OPERATION_INDEX.correlate;
  // A kernel longer than the signal: the kernels get the transposed problem, whose
  // cost follows the shorter input (see transpose.ts).
  const transpose = transposes(n, m);
  const first = transpose ? h : x;
  const second = transpose ? x : h;
  const start = kernelWindowStart(n, m, outputStart(n, m, mode), length, correlate);
  const kernelMethod = pickKernel(
    method,
    first.length,
    second.length,
    start,
    length,
    target instanceof Float64Array,
  );
  const metrics = engine.metrics;
  const weight = metrics.timing ? operationSampleWeight(n * m) : 0;
  if (weight > 0) startOperationTimer();
  if (scratch !== undefined || !needsScratch(kernelMethod)) {
    runKernel(kernelMethod, first, second, target, start, length, correlate, scratch);
  } else {
    const workspace = engine.beginOperation();
    try {
      runKernel(kernelMethod, first, second, target, start, length, correlate, workspace);
    } finally {
      engine.endOperation();
    }
  }
  if (transpose && correlate) target.reverse(); // target has exactly `length` elements
  if (weight > 0) {
    recordTimedOperation(metrics, operation, METHOD_INDEX[kernelMethod], weight);
  } else {
    recordOperation(metrics, operation, METHOD_INDEX[kernelMethod], -1, 0);
  }
  return (out === undefined ? target : out) as T;
}

/** The output, checked (`out`, or a view of it that can be trusted) or allocated. */
function resolveOutput(
  caller: string,
  signal: Float,
  kernel: Float,
  out: unknown,
  length: number,
): Float {
  const f64 = signal instanceof Float64Array;
  if (out === undefined) return f64 ? new Float64Array(length) : new Float32Array(length);
  const outName = floatArrayName(out);
  const signalName = f64 ? "Float64Array" : "Float32Array";
  if (outName !== signalName) {
    throw typeError(caller, "out", `a ${signalName} like the signal`, out);
  }
  const target = checkFloat(out, "out", caller);
  if (target.length !== length) {
    throw rangeError(caller, "out", `exactly ${length} elements long for this mode`, out);
  }
  if (overlaps(target, signal) || overlaps(target, kernel)) {
    throw rangeError(caller, "out", "memory that overlaps neither the signal nor the kernel", out);
  }
  return target;
}
