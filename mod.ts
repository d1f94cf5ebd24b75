/**
 * convpool: fast 1-D convolution and correlation of `Float32Array`/`Float64Array`
 * data for Deno, Bun and Node, with SciPy's semantics, on an allocation engine
 * that keeps the garbage collector out of the hot path.
 *
 * @example
 * ```ts
 * import { convolve, correlate, createEngine } from "@convpool/convpool";
 *
 * const signal = new Float32Array([1, 2, 3, 4]);
 * const kernel = new Float32Array([0.25, 0.5, 0.25]);
 * const smoothed = convolve(signal, kernel, { mode: "same" }); // Float32Array(4)
 * const lagged = correlate(signal, kernel); // full mode, Float32Array(6)
 *
 * // Zero allocation per call: hoist the options and pass an exact-length `out`.
 * const engine = createEngine({ stackBytes: 64 * 1024 });
 * const options = { mode: "valid" as const, out: new Float32Array(2), engine };
 * convolve(signal, kernel, options);
 * console.log(engine.getStats().stack.efficiency);
 * ```
 *
 * @module
 */

export { convolve, type ConvolveOptions, correlate } from "./src/convolve.ts";
export type { Float, KernelMethod, Method, Mode } from "./src/types.ts";
export { MAX_OUTPUT_LENGTH } from "./src/validate.ts";
export { correlationLags } from "./src/modes.ts";
export {
  AllocationEngine,
  createEngine,
  EngineScope,
  type MemoryPressureOptions,
  type PreWarmOptions,
} from "./src/alloc/engine.ts";
export type { EngineConfig, MemoryUsageSample } from "./src/alloc/config.ts";
export { type AutoTuneOptions, DEFAULT_AUTO_TUNE } from "./src/alloc/auto_tune.ts";
export type { Dtype } from "./src/alloc/validate.ts";
export type {
  EngineStats,
  HeapStats,
  MisuseStats,
  PoolStats,
  PressureStats,
  StackStats,
} from "./src/alloc/stats.ts";
export { AllocationCounters } from "./src/alloc/counters.ts";
export type { PoolLevels } from "./src/alloc/size_class_pool.ts";
export { DURATION_BOUNDS_SECONDS, OperationMetrics } from "./src/metrics/operation_metrics.ts";
export type { ReadonlyCounts } from "./src/metrics/counts.ts";
export { getDefaultEngine } from "./src/default_engine.ts";
export { engineConfigFromEnv, type EnvEngineConfig } from "./src/alloc/env_config.ts";
export { BufferUtils, convolution, convolutionInPlace } from "./src/compat.ts";
export {
  BatchOperations,
  type BatchOptions,
  type ConvolutionPair,
  type StreamOptions,
} from "./src/batch.ts";
export {
  defaultBlockSize,
  type StreamingBackend,
  StreamingConvolver,
  type StreamingConvolverOptions,
} from "./src/stream/streaming_convolver.ts";
export {
  MultichannelConvolver,
  type MultichannelConvolverOptions,
} from "./src/stream/multichannel_convolver.ts";
export {
  ConvolutionStream,
  type ConvolutionStreamOptions,
} from "./src/stream/convolution_stream.ts";
export {
  closeParallelWorkers,
  convolutionBatchParallel,
  type ParallelBatchOptions,
  WorkerPool,
  type WorkerPoolOptions,
} from "./src/parallel/worker_pool.ts";
export {
  createDurationProducer,
  type DurationProducer,
  type DurationProducerOptions,
  METRICS,
  type MetricsRegistration,
  registerMetrics,
  type RegisterMetricsOptions,
  type TelemetrySource,
  type TuningHints,
  tuningHints,
} from "./src/telemetry/mod.ts";
export {
  registerRuntimeMetrics,
  type RegisterRuntimeMetricsOptions,
  type RuntimeMetricsRegistration,
} from "./src/telemetry/runtime_metrics.ts";
