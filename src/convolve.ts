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

import { float64TransformsFor, needsScratch, pickKernel, runKernel } from "./kernels/dispatch.ts";
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
   * direct sum; `"fft"` forces the frequency domain (one FFT or overlap-add). For a
   * `Float32Array` result, `"auto"` computes in float64 (direct sums or float64
   * transforms) and rounds once wherever SciPy's `auto` would sum directly (there the
   * float32 result nearest to the exact one), and transforms in float32 where SciPy's
   * would; `"fft"` always transforms in float32.
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
 * Mixed precision (a Float32 signal with a Float64 kernel or the reverse) is accepted.
 * Direct sums are accumulated in float64 and a Float32 result is rounded once at the
 * end; the FFT methods transform in the result's precision (float32 for a Float32
 * result on the WebAssembly kernels), except that `method: "auto"` transforms a
 * Float32 result in float64 where SciPy's `auto` would sum directly. See the README's
 * "Sums and precision".
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
  const mode = parseMode(options?.mode, caller);
  const method = parseMethod(options?.method, caller);
  const engine = resolveEngine(options?.engine, caller);
  const requests = reverseKernel ? CORRELATE_REQUESTS : CONVOLVE_REQUESTS;
  return executeOperation(signal, kernel, options?.out, engine, requests[mode][method]);
}

/**
 * The {@linkcode OperationRequest}s of one public function, one per mode and method,
 * built once so that a call builds none (the hot path allocates nothing).
 */
function publicRequests(
  caller: "convolve" | "correlate",
  reverseKernel: boolean,
): Readonly<Record<Mode, Readonly<Record<Method, OperationRequest>>>> {
  const operation = reverseKernel ? OPERATION_INDEX.correlate : OPERATION_INDEX.convolve;
  const forMode = (mode: Mode): Readonly<Record<Method, OperationRequest>> => {
    const request = (method: Method) =>
      Object.freeze({ caller, mode, method, reverseKernel, operation });
    return Object.freeze({ auto: request("auto"), direct: request("direct"), fft: request("fft") });
  };
  return Object.freeze({ full: forMode("full"), same: forMode("same"), valid: forMode("valid") });
}

const CONVOLVE_REQUESTS = publicRequests("convolve", false);
const CORRELATE_REQUESTS = publicRequests("correlate", true);

/**
 * The request of a full-mode convolution with method `"auto"` (the seed-style API,
 * batches and workers), recorded under `operation` (an index of
 * {@linkcode OPERATION_INDEX}). Build it once, outside any per-call loop.
 *
 * @example
 * ```ts
 * import { fullConvolution } from "./convolve.ts";
 * import { OPERATION_INDEX } from "./metrics/operation_metrics.ts";
 * const request = fullConvolution("convolution", OPERATION_INDEX.convolve);
 * console.log(request.mode, request.method, request.reverseKernel); // full auto false
 * ```
 */
export function fullConvolution(caller: string, operation: number): OperationRequest {
  return Object.freeze({ caller, mode: "full", method: "auto", reverseKernel: false, operation });
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
 * What {@linkcode executeOperation} computes, apart from the arrays and the engine,
 * already parsed. Hoist it: the public functions use requests built once.
 */
export interface OperationRequest {
  /** The public function's name, for error messages. */
  readonly caller: string;
  /** Output window. */
  readonly mode: Mode;
  /** Kernel family asked for (`"auto"`: the cost model picks). */
  readonly method: Method;
  /** True for correlation: the kernel is used reversed. */
  readonly reverseKernel: boolean;
  /** The counter the operation is recorded under (an index of {@linkcode OPERATION_INDEX}). */
  readonly operation: number;
  /** Replaces the engine's workspace (batches with `useSharedWorkspace: false`). */
  readonly scratch?: Workspace;
}

/**
 * The whole operation after option parsing, shared by the public functions, the
 * seed-style API and batches: checks the arrays, resolves `out` (allocated when
 * undefined), runs the chosen kernel (reversed when `request.reverseKernel`) with
 * scratch from `engine`, and counts (and, sampled, times) it in `engine.metrics` under
 * `request.operation`.
 *
 * @example
 * ```ts
 * import { executeOperation } from "./convolve.ts";
 * import { getDefaultEngine } from "./default_engine.ts";
 * import { OPERATION_INDEX } from "./metrics/operation_metrics.ts";
 * const request = {
 *   caller: "example",
 *   mode: "full",
 *   method: "auto",
 *   reverseKernel: false,
 *   operation: OPERATION_INDEX.convolve,
 * } as const;
 * const x = new Float32Array([1, 2, 3]), h = new Float32Array([1, 1]);
 * const y = executeOperation(x, h, undefined, getDefaultEngine(), request);
 * console.log(y); // Float32Array [1, 3, 5, 3]
 * ```
 */
export function executeOperation<T extends Float>(
  signal: T,
  kernel: Float,
  out: unknown,
  engine: AllocationEngine,
  request: OperationRequest,
): T {
  const { caller, mode, method, reverseKernel, operation, scratch } = request;
  // From here on only the checked arrays are used: their lengths come from internal
  // slots, and no user code runs before the kernel has finished.
  const x = checkNonEmptyFloat(signal, "signal", caller);
  const h = checkNonEmptyFloat(kernel, "kernel", caller);
  const n = x.length;
  const m = h.length;
  checkFullOutputLength(n, m, caller);
  const length = outputLength(n, m, mode);
  const target = resolveOutput(caller, x, h, out, length);
  // A kernel longer than the signal: the kernels get the transposed problem, whose
  // cost follows the shorter input (see transpose.ts).
  const transpose = transposes(n, m);
  const first = transpose ? h : x;
  const second = transpose ? x : h;
  const start = kernelWindowStart(n, m, outputStart(n, m, mode), length, reverseKernel);
  const f64 = target instanceof Float64Array;
  const float64Transforms = float64TransformsFor(method, n, m, mode, f64);
  const kernelMethod = pickKernel(
    method,
    first.length,
    second.length,
    start,
    length,
    f64,
    float64Transforms,
  );
  const metrics = engine.metrics;
  const weight = metrics.timing ? operationSampleWeight(n * m) : 0;
  if (weight > 0) startOperationTimer();
  // The engine lends its workspace only to kernels that need scratch, for this call.
  const borrows = scratch === undefined && needsScratch(kernelMethod);
  const workspace = borrows ? engine.beginOperation() : scratch;
  try {
    runKernel(
      kernelMethod,
      first,
      second,
      target,
      start,
      length,
      reverseKernel,
      workspace,
      float64Transforms,
    );
  } finally {
    if (borrows) engine.endOperation();
  }
  if (transpose && reverseKernel) target.reverse(); // target has exactly `length` elements
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
