/**
 * The soak workload behind `npm run soak` (scripts/soak.ts) and its bounded
 * version in `npm test` (test/soak.test.ts): a long, seeded mix of everything a
 * long-lived process does with convpool, with the books checked at the end.
 *
 * Each step is one of: convolve or correlate (Float32/Float64, every mode and
 * method, mostly small sizes and now and then a large one, with and without
 * `out`), `convolution` + `BufferUtils.releaseBuffer`, engine acquire/release
 * (some buffers held across steps), a scope with a stack result, a batch
 * (`reuseBuffers`, released after), a block of a `StreamingConvolver` session,
 * a recycled `convolutionStream`; and occasionally `handleMemoryPressure` or a
 * `configure()` shrink of the pool (restored later).
 *
 * Every result is spot-checked: two output samples per result against a float64
 * sum, within a tolerance relative to `‖signal‖₂·‖kernel‖₂`. RSS
 * (`process.memoryUsage().rss`) is sampled every `sampleEvery` steps; flatness
 * is judged on decile medians. At the end the books must be exact: pool bytes
 * within the limit, no buffer in use, the engines' operation counts equal to
 * what the workload counted, no misuse.
 *
 * @example
 * ```ts
 * import { runSoak } from "./soak_workload.ts";
 *
 * const summary = runSoak({ steps: 10_000 });
 * console.log(summary.problems); // []
 * ```
 *
 * @module
 */

import {
  type AllocationEngine,
  BatchOperations,
  BufferUtils,
  convolution,
  type ConvolutionPair,
  convolve,
  correlate,
  createEngine,
  type Float,
  getDefaultEngine,
  type Method,
  type Mode,
  StreamingConvolver,
} from "../mod.ts";

/** Options of {@linkcode runSoak}. */
export interface SoakOptions {
  /** Steps (mixed operations) to run (default 10^7). */
  steps?: number;
  /** Seed of the workload's random choices (default 1). */
  seed?: number;
  /** RSS samples are taken every this many steps (default: steps / 1000, at least 100). */
  sampleEvery?: number;
  /** Called after each RSS sample (for progress output). */
  onSample?: (step: number, rssBytes: number) => void;
}

/** Library operation counts, by the engines' operation names. */
export interface OperationCounts {
  /** `convolve` operations (including `convolution` and scope steps). */
  convolve: number;
  /** `correlate` operations. */
  correlate: number;
  /** Pairs of `BatchOperations.convolutionBatch`. */
  batch: number;
  /** `StreamingConvolver.process` blocks and `convolutionStream` pairs. */
  stream: number;
}

/** What {@linkcode runSoak} did and found. */
export interface SoakSummary {
  /** Steps run. */
  steps: number;
  /** Wall time in milliseconds. */
  durationMs: number;
  /** Steps of each kind. */
  stepKinds: Record<string, number>;
  /** Operations the workload made, per engine (the soak's own and the default engine). */
  expected: { soak: OperationCounts; defaultEngine: OperationCounts };
  /** Operations the engines counted (the default engine's as a difference from the start). */
  counted: { soak: OperationCounts; defaultEngine: OperationCounts };
  /** Output samples compared with a float64 sum. */
  spotChecks: number;
  /** RSS samples, in bytes, in order. */
  rssSamples: number[];
  /** Median RSS of each tenth of the samples, in bytes. */
  rssDecileMedians: number[];
  /** (median of the last decile − median of the second) / median of the second. */
  rssGrowth: number;
  /** The soak engine's `getStats()` at the end, and its buffers still in use. */
  books: {
    poolBytes: number;
    poolLimitBytes: number;
    inUseBuffers: number;
    defaultEngineInUseChange: number;
    misuse: { doubleRelease: number; foreignRelease: number; leaked: number };
    defaultEngineMisuseChange: number;
  };
  /** Everything that was wrong (empty when the soak passed); RSS flatness is judged by the caller. */
  problems: string[];
}

const OPERATION_NAMES = ["convolve", "correlate", "batch", "stream"] as const;
const METHOD_COUNT = 3;
const MODES: readonly Mode[] = ["full", "same", "valid"];
const METHODS: readonly Method[] = ["auto", "direct", "fft"];
/** Tolerances relative to ‖signal‖₂·‖kernel‖₂ (as in test/convolve.test.ts). */
const TOLERANCE = { float32: 4e-6, float64: 1e-13 };
const MAX_PROBLEMS = 20;

interface ProcessLike {
  memoryUsage(): { rss: number };
}

/** Small, fast, seeded PRNG (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function emptyCounts(): OperationCounts {
  return { convolve: 0, correlate: 0, batch: 0, stream: 0 };
}

function countedOperations(engine: AllocationEngine): OperationCounts {
  const counts = emptyCounts();
  const operations = engine.metrics.operations;
  OPERATION_NAMES.forEach((name, op) => {
    for (let m = 0; m < METHOD_COUNT; m++) counts[name] += operations[op * METHOD_COUNT + m];
  });
  return counts;
}

function inUse(engine: AllocationEngine): number {
  return engine.poolLevels().inUseBuffers.reduce((sum, count) => sum + count, 0);
}

function misuseTotal(engine: AllocationEngine): number {
  const { doubleRelease, foreignRelease, leaked } = engine.getStats().misuse;
  return doubleRelease + foreignRelease + leaked;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

/** Median of each tenth of `samples` (in order). */
export function decileMedians(samples: readonly number[]): number[] {
  const medians: number[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * samples.length) / 10);
    const to = Math.floor(((d + 1) * samples.length) / 10);
    medians.push(median(samples.slice(from, Math.max(to, from + 1))));
  }
  return medians;
}

function norm(values: Float): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/** The window of the full output that each mode returns (SciPy's). */
function windowStart(n: number, m: number, mode: Mode): number {
  if (mode === "full") return 0;
  if (mode === "same") return (m - 1) >> 1;
  return Math.min(n, m) - 1;
}

/** Runs the soak workload; see the module docs. */
export function runSoak(options: SoakOptions = {}): SoakSummary {
  const steps = options.steps ?? 10_000_000;
  const sampleEvery = options.sampleEvery ?? Math.max(100, Math.floor(steps / 1000));
  const random = seededRandom(options.seed ?? 1);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const memory = (globalThis as { process?: ProcessLike }).process;
  const engine = createEngine({ maintenanceIntervalMs: 0 });
  const defaultEngine = getDefaultEngine();
  const defaultStart = countedOperations(defaultEngine);
  const defaultInUseStart = inUse(defaultEngine);
  const defaultMisuseStart = misuseTotal(defaultEngine);
  const soakStart = countedOperations(engine);
  const expected = { soak: emptyCounts(), defaultEngine: emptyCounts() };
  const stepKinds: Record<string, number> = {};
  const problems: string[] = [];
  const rssSamples: number[] = [];
  let spotChecks = 0;

  // Inputs are views of two random banks: no per-step generation.
  const bank32 = new Float32Array(1 << 16);
  const bank64 = new Float64Array(1 << 16);
  for (let i = 0; i < bank32.length; i++) {
    bank32[i] = random() * 2 - 1;
    bank64[i] = random() * 2 - 1;
  }
  const input = (float64: boolean, length: number): Float => {
    const start = int(0, bank32.length - length);
    return (float64 ? bank64 : bank32).subarray(start, start + length);
  };
  const problem = (message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
  };

  /** Compares two samples of `result` with float64 sums. */
  const check = (
    label: string,
    signal: Float,
    kernel: Float,
    result: Float,
    mode: Mode,
    reverse: boolean,
  ): void => {
    const n = signal.length;
    const m = kernel.length;
    const start = windowStart(n, m, mode);
    const bothFloat64 = signal instanceof Float64Array && kernel instanceof Float64Array;
    const bound = (bothFloat64 ? TOLERANCE.float64 : TOLERANCE.float32) * norm(signal) *
      norm(kernel);
    for (let sample = 0; sample < 2; sample++) {
      const k = int(0, result.length - 1);
      const f = start + k;
      let sum = 0;
      for (let j = Math.max(0, f - n + 1); j <= Math.min(m - 1, f); j++) {
        sum += signal[f - j] * kernel[reverse ? m - 1 - j : j];
      }
      spotChecks++;
      if (!(Math.abs(result[k] - sum) <= bound)) {
        problem(
          `${label} n=${n} m=${m} ${mode}: sample ${k} is ${result[k]}, float64 sum ${sum}`,
        );
      }
    }
  };

  const held: (Float32Array | Float64Array)[] = [];
  let stream: {
    convolver: StreamingConvolver<Float>;
    kernel: Float;
    signal: Float;
    fed: number;
    output: Float;
  } | null = null;
  let shrunkUntil = -1;
  const limits = {
    poolMaxBytes: engine.config.poolMaxBytes,
    poolMaxBuffersPerClass: engine.config.poolMaxBuffersPerClass,
  };

  const oneConvolution = (large: boolean): void => {
    const correlating = random() < 0.4;
    const n = large ? int(1000, 8000) : int(1, 200);
    const m = large ? int(16, 512) : int(1, 32);
    const signal = input(random() < 0.3, n);
    const kernel = input(random() < 0.3, m);
    const mode = pick(MODES);
    const method = pick(METHODS);
    const length = mode === "full" ? n + m - 1 : mode === "same" ? n : Math.abs(n - m) + 1;
    const float64 = signal instanceof Float64Array;
    // Where the result goes: mostly a pooled buffer given back after (the zero-allocation
    // pattern), else a fresh `out`, else the library's own fresh array.
    const where = random();
    const pooled = where < 0.6;
    const out = pooled
      ? (float64 ? engine.acquireFloat64(length) : engine.acquireFloat32(length))
      : where < 0.8
      ? (float64 ? new Float64Array(length) : new Float32Array(length))
      : undefined;
    const run = correlating ? correlate : convolve;
    const result = run(signal, kernel, { mode, method, engine, out });
    expected.soak[correlating ? "correlate" : "convolve"]++;
    check(correlating ? "correlate" : "convolve", signal, kernel, result, mode, correlating);
    if (pooled) engine.release(result);
  };

  const steps_ = {
    convolution: () => oneConvolution(false),
    large: () => oneConvolution(true),
    compat: () => {
      const signal = input(false, int(1, 400)) as Float32Array;
      const kernel = input(random() < 0.3, int(1, 40));
      const result = convolution(signal, kernel);
      expected.defaultEngine.convolve++;
      check("convolution", signal, kernel, result, "full", false);
      BufferUtils.releaseBuffer(result);
    },
    acquire: () => {
      const length = int(1, random() < 0.1 ? 70000 : 2000);
      const buffer = random() < 0.5 ? engine.acquireFloat32(length) : engine.acquireFloat64(length);
      buffer[0] = 1;
      buffer[length - 1] = 2;
      if (held.length < 16 && random() < 0.5) held.push(buffer);
      else engine.release(buffer);
      if (held.length > 0 && random() < 0.3) {
        engine.release(held.splice(int(0, held.length - 1), 1)[0]);
      }
    },
    scope: () => {
      engine.scope(() => {
        const signal = input(false, int(1, 100)) as Float32Array;
        const kernel = input(random() < 0.3, int(1, 20));
        const out = engine.acquireFloat32(signal.length + kernel.length - 1);
        const result = convolve(signal, kernel, { engine, out });
        expected.soak.convolve++;
        check("scope convolve", signal, kernel, result, "full", false);
      });
    },
    batch: () => {
      const pairs: ConvolutionPair[] = [];
      for (let i = int(2, 6); i > 0; i--) {
        pairs.push([input(false, int(1, 300)) as Float32Array, input(random() < 0.3, int(1, 32))]);
      }
      const results = BatchOperations.convolutionBatch(pairs, { engine, reuseBuffers: true });
      expected.soak.batch += pairs.length;
      results.forEach((result, i) => {
        check("batch", pairs[i][0], pairs[i][1], result, "full", false);
        engine.release(result);
      });
    },
    stream: () => {
      if (stream === null) {
        const kernel = input(random() < 0.5, int(1, 128));
        const signal = input(kernel instanceof Float64Array, int(100, 2000));
        const output = kernel instanceof Float64Array
          ? new Float64Array(signal.length + kernel.length - 1)
          : new Float32Array(signal.length + kernel.length - 1);
        stream = {
          convolver: new StreamingConvolver(kernel, { engine }),
          kernel,
          signal,
          fed: 0,
          output,
        };
      }
      const s = stream;
      const block = Math.min(int(1, 300), s.signal.length - s.fed);
      s.convolver.process(
        s.signal.subarray(s.fed, s.fed + block),
        s.output.subarray(s.fed, s.fed + block),
      );
      expected.soak.stream++;
      s.fed += block;
      if (s.fed === s.signal.length) {
        s.convolver.flush(s.output.subarray(s.fed));
        check("stream", s.signal, s.kernel, s.output, "full", false);
        stream = null;
      }
    },
    generator: () => {
      const kernel = input(false, int(1, 32));
      const pairs: ConvolutionPair[] = [];
      for (let i = int(2, 5); i > 0; i--) {
        pairs.push([input(false, int(1, 300)) as Float32Array, kernel]);
      }
      let index = 0;
      for (const batch of BatchOperations.convolutionStream(pairs, 2, { engine, recycle: true })) {
        for (const result of batch) {
          const [signal] = pairs[index++];
          check("convolutionStream", signal, kernel, result, "full", false);
        }
      }
      expected.soak.stream += pairs.length;
    },
  };
  const weights: [keyof typeof steps_, number][] = [
    ["convolution", 0.468],
    ["large", 0.002],
    ["compat", 0.1],
    ["acquire", 0.1],
    ["scope", 0.08],
    ["batch", 0.08],
    ["stream", 0.12],
    ["generator", 0.05],
  ];
  for (const [name] of weights) stepKinds[name] = 0;
  stepKinds.pressure = 0;
  stepKinds.configure = 0;

  const started = Date.now();
  for (let step = 0; step < steps; step++) {
    if (step % sampleEvery === 0 && memory !== undefined) {
      const rss = memory.memoryUsage().rss;
      rssSamples.push(rss);
      options.onSample?.(step, rss);
    }
    if (random() < 1 / 2000) {
      engine.handleMemoryPressure({ level: random() < 0.5 ? "moderate" : "critical" });
      if (random() < 0.2) BufferUtils.handleMemoryPressure();
      stepKinds.pressure++;
    }
    if (shrunkUntil < 0 && random() < 1 / 20000) {
      engine.configure({ poolMaxBytes: 256 * 1024, poolMaxBuffersPerClass: 2 });
      shrunkUntil = step + int(100, 5000);
      stepKinds.configure++;
    } else if (shrunkUntil >= 0 && step >= shrunkUntil) {
      engine.configure(limits);
      shrunkUntil = -1;
    }
    let choice = random();
    for (const [name, weight] of weights) {
      choice -= weight;
      if (choice < 0 || name === "generator") {
        steps_[name]();
        stepKinds[name]++;
        break;
      }
    }
  }
  const durationMs = Date.now() - started;
  if (memory !== undefined) rssSamples.push(memory.memoryUsage().rss);

  // Close the books: finish an open stream session, give back held buffers, restore limits.
  while (stream !== null) steps_.stream();
  for (const buffer of held.splice(0)) engine.release(buffer);
  if (shrunkUntil >= 0) {
    engine.configure(limits);
  }
  const stats = engine.getStats();
  const soakNow = countedOperations(engine);
  const defaultNow = countedOperations(defaultEngine);
  const counted = { soak: emptyCounts(), defaultEngine: emptyCounts() };
  for (const name of OPERATION_NAMES) {
    counted.soak[name] = soakNow[name] - soakStart[name];
    counted.defaultEngine[name] = defaultNow[name] - defaultStart[name];
    for (const which of ["soak", "defaultEngine"] as const) {
      if (counted[which][name] !== expected[which][name]) {
        problem(
          `${which} ${name} operations: counted ${counted[which][name]}, made ${
            expected[which][name]
          }`,
        );
      }
    }
  }
  const books = {
    poolBytes: stats.pool.bytes,
    poolLimitBytes: stats.pool.limitBytes,
    inUseBuffers: inUse(engine),
    defaultEngineInUseChange: inUse(defaultEngine) - defaultInUseStart,
    misuse: stats.misuse,
    defaultEngineMisuseChange: misuseTotal(defaultEngine) - defaultMisuseStart,
  };
  if (books.poolBytes > books.poolLimitBytes) {
    problem(`pool holds ${books.poolBytes} bytes, over its limit ${books.poolLimitBytes}`);
  }
  if (books.inUseBuffers !== 0) problem(`${books.inUseBuffers} buffers still in use`);
  if (books.defaultEngineInUseChange !== 0) {
    problem(`default engine: ${books.defaultEngineInUseChange} more buffers in use`);
  }
  if (misuseTotal(engine) !== 0) problem(`misuse counted: ${JSON.stringify(stats.misuse)}`);
  if (books.defaultEngineMisuseChange !== 0) problem("default engine: misuse counted");
  engine.close();
  const rssDecileMedians = decileMedians(rssSamples);
  return {
    steps,
    durationMs,
    stepKinds,
    expected,
    counted,
    spotChecks,
    rssSamples,
    rssDecileMedians,
    rssGrowth: (rssDecileMedians[9] - rssDecileMedians[1]) / rssDecileMedians[1],
    books,
    problems,
  };
}
