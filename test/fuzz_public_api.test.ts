/**
 * Fuzzing of every public function and option with hostile inputs (fast-check):
 * Proxies with lying or throwing traps, subclasses and instances that override
 * `length`, detached, out-of-bounds, resizable and SharedArrayBuffer-backed views,
 * other element types, lying and huge lengths, options whose getters throw, and
 * arbitrary values. Every call either returns or throws a TypeError or RangeError
 * (or the hostile getter's own error, unchanged); afterwards the engine's books are
 * exact (no scope or operation left open, nothing in use that the test does not
 * hold, the pool within its limit) and a normal convolution is still right.
 * Bounded to a few seconds per runtime.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import {
  type AllocationEngine,
  BatchOperations,
  BufferUtils,
  closeParallelWorkers,
  convolution,
  convolutionBatchParallel,
  convolutionInPlace,
  ConvolutionStream,
  convolve,
  correlate,
  correlationLags,
  createEngine,
  defaultBlockSize,
  getDefaultEngine,
  StreamingConvolver,
} from "../mod.ts";
import {
  assertAllowedError,
  hostileArray,
  HostileGetterError,
  hostileOptions,
} from "./helpers/hostile.ts";
import {
  assertClose,
  convolutionScale,
  randomSignal,
  referenceConvolve,
} from "./helpers/reference.ts";

const FAST = { numRuns: 150, seed: 4242, verbose: 2 } as const;

/**
 * A way to make an argument value. fast-check inspects the values it generates, and
 * hostile ones (revoked Proxies, throwing traps) would break it, so the properties
 * receive makers and build the values themselves.
 */
interface Maker {
  kind: string;
  make(): unknown;
}

const plain = (kind: string, make: () => unknown): Maker => ({ kind, make });

/** Arbitrary argument values: hostile arrays, hostile options, small good arrays, anything. */
const value: fc.Arbitrary<Maker> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }).chain((n) => hostileArray(n)) },
  { weight: 2, arbitrary: hostileOptions() },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 40 }).map((n) =>
      plain(`Float32Array(${n})`, () => randomSignal(Float32Array, n, n))
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 40 }).map((n) =>
      plain(`Float64Array(${n})`, () => randomSignal(Float64Array, n, n))
    ),
  },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2 }).map((v) => plain("anything", () => v)) },
);

/** Element counts: small, lying, negative, fractional, huge (refused, never allocated), not numbers. */
const count: fc.Arbitrary<Maker> = fc.oneof(
  fc.integer({ min: -4, max: 4096 }).map((n) => plain(String(n), () => n)),
  fc.constantFrom<unknown>(
    Number.NaN,
    -0,
    1.5,
    Infinity,
    -Infinity,
    2 ** 31,
    2 ** 40,
    2 ** 53,
    "16",
    null,
    undefined,
    {
      valueOf() {
        throw new HostileGetterError("valueOf");
      },
    },
  ).map((v) => plain("count", () => v)),
);

/** Arrays of values that may themselves be hostile, and arrays whose index getters change. */
const list: fc.Arbitrary<Maker> = fc.oneof(
  fc.array(fc.oneof(value.map((v) => [v]), fc.tuple(value, value)), { maxLength: 4 }).map((
    items,
  ) =>
    plain(
      "array",
      () =>
        items.map((item) => item.length === 1 ? item[0].make() : [item[0].make(), item[1].make()]),
    )
  ),
  fc.constant(plain("null", () => null)),
  fc.constant(plain("array whose index getter changes between reads", () => {
    const pair = [randomSignal(Float32Array, 8, 1), randomSignal(Float32Array, 3, 2)];
    let reads = 0;
    const pairs: unknown[] = [];
    Object.defineProperty(pairs, 0, {
      get: () => (reads++ % 2 === 0 ? pair : [new Proxy(pair[0], {}), pair[1]]),
      enumerable: true,
    });
    return pairs;
  })),
);

/** Runs `call`; it may return or throw an allowed error. Returns the result or undefined. */
function attempt<T>(label: string, call: () => T): T | undefined {
  try {
    return call();
  } catch (error) {
    assertAllowedError(error, label);
    return undefined;
  }
}

function checkBooks(engine: AllocationEngine, label: string): void {
  const stats = engine.getStats();
  assert.equal(stats.stack.usedBytes, 0, `${label}: stack in use`);
  assert.ok(stats.pool.bytes <= stats.pool.limitBytes, `${label}: pool over its limit`);
  let inUse = 0;
  for (const n of engine.poolLevels().inUseBuffers) inUse += n;
  assert.equal(inUse, 0, `${label}: buffers left in use`);
}

function checkNormal(label: string): void {
  const x = randomSignal(Float32Array, 300, 9), h = randomSignal(Float32Array, 17, 10);
  for (const method of ["direct", "fft", "auto"] as const) {
    assertClose(
      convolve(x, h, { method }),
      referenceConvolve(x, h, "full"),
      2e-5,
      `${label}: ${method}`,
      convolutionScale(x, h),
    );
  }
}

/** Gives back pooled results that a call returned (the books must then be exact). */
function giveBack(engine: AllocationEngine, results: unknown): void {
  if (!Array.isArray(results)) return;
  for (const r of results) if (r instanceof Float32Array) engine.release(r);
}

describe("fuzzing every public function with hostile input", () => {
  after(() => closeParallelWorkers());

  it("convolve and correlate: every argument and option", () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    fc.assert(
      fc.property(value, value, value, fc.boolean(), (xM, hM, optionsM, corr) => {
        const x = xM.make(), h = hM.make(), options = optionsM.make();
        const op = corr ? correlate : convolve;
        attempt(
          "convolve(x, h, options)",
          () => op(x as Float32Array, h as Float32Array, options as never),
        );
        attempt(
          "convolve with out and engine",
          () =>
            op(randomSignal(Float32Array, 8, 1), h as Float32Array, {
              mode: "same",
              out: x as Float32Array,
              engine,
            }),
        );
        attempt(
          "convolve with a hostile engine",
          () =>
            op(randomSignal(Float32Array, 8, 1), randomSignal(Float32Array, 3, 1), {
              engine: options as never,
            }),
        );
        checkBooks(engine, "convolve");
      }),
      FAST,
    );
    checkNormal("convolve");
    engine.close();
  });

  it("correlationLags, defaultBlockSize: every length", () => {
    fc.assert(
      fc.property(count, count, value, (nM, mM, modeM) => {
        const n = nM.make(), m = mM.make(), mode = modeM.make();
        const lags = attempt(
          "correlationLags",
          () => correlationLags(n as number, m as number, mode as never),
        );
        if (lags !== undefined) assert.ok(lags instanceof Int32Array);
        const block = attempt("defaultBlockSize", () => defaultBlockSize(m as number));
        if (block !== undefined) assert.ok(Number.isInteger(block) && block >= 1, `block ${block}`);
      }),
      FAST,
    );
  });

  it("seed-style API: convolution, convolutionInPlace, BufferUtils", () => {
    const engine = getDefaultEngine();
    fc.assert(
      fc.property(value, value, value, list, (xM, hM, outM, sizesM) => {
        const x = xM.make(), h = hM.make(), out = outM.make(), sizes = sizesM.make();
        const y = attempt("convolution", () => convolution(x as Float32Array, h as Float32Array));
        if (y !== undefined) BufferUtils.releaseBuffer(y);
        attempt(
          "convolutionInPlace",
          () => convolutionInPlace(x as Float32Array, h as Float32Array, out as Float32Array),
        );
        attempt("releaseBuffer", () => BufferUtils.releaseBuffer(x as Float32Array));
        attempt("preWarm", () => BufferUtils.preWarm(sizes as number[]));
        checkBooks(engine, "seed-style API");
      }),
      FAST,
    );
    BufferUtils.handleMemoryPressure();
    checkNormal("seed-style API");
  });

  it("engines: createEngine, acquire, release, preWarm, scope, configure", () => {
    fc.assert(
      fc.property(value, count, value, list, (configM, lengthM, bufM, sizesM) => {
        const config = configM.make(),
          length = lengthM.make(),
          buf = bufM.make(),
          sizes = sizesM.make();
        attempt("createEngine(config)", () => createEngine(config as never)?.close());
        const engine = createEngine({ maintenanceIntervalMs: 0, poolMaxBytes: 1 << 20 });
        const a = attempt("acquireFloat32", () => engine.acquireFloat32(length as number));
        const b = attempt("acquireFloat64", () => engine.acquireFloat64(length as number));
        attempt("release(hostile)", () => engine.release(buf as Float32Array));
        if (a !== undefined) engine.release(a);
        if (b !== undefined) engine.release(b);
        attempt("preWarm", () => engine.preWarm(sizes as number[], config as never));
        attempt("scope", () => engine.scope(buf as never));
        attempt("configure", () => engine.configure(config as never));
        attempt("handleMemoryPressure", () => engine.handleMemoryPressure(config as never));
        checkBooks(engine, "engine");
        engine.close();
      }),
      FAST,
    );
  });

  it("batches and streams: convolutionBatch, convolutionStream, StreamingConvolver, ConvolutionStream", async () => {
    const engine = createEngine({ maintenanceIntervalMs: 0 });
    await fc.assert(
      fc.asyncProperty(
        list,
        value,
        count,
        value,
        value,
        async (pairsM, optionsM, batchSizeM, chunkM, outM) => {
          const pairs = pairsM.make(), options = optionsM.make(), batchSize = batchSizeM.make();
          const chunk = chunkM.make(), out = outM.make();
          const batch = attempt(
            "convolutionBatch",
            () => BatchOperations.convolutionBatch(pairs as never, { engine }),
          );
          giveBack(engine, batch);
          attempt(
            "convolutionBatch(options)",
            () => BatchOperations.convolutionBatch(pairs as never, options as never),
          );
          attempt("convolutionStream", () => {
            let batches = 0;
            for (
              const results of BatchOperations.convolutionStream(
                pairs as never,
                batchSize as number,
                {
                  engine,
                },
              )
            ) {
              giveBack(engine, results); // yielded results are the caller's to give back
              if (++batches > 8) break;
            }
          });
          try {
            let batches = 0;
            for await (
              const results of BatchOperations.convolutionStreamAsync(
                pairs as never,
                batchSize as number,
                { engine },
              )
            ) {
              giveBack(engine, results);
              if (++batches > 8) break;
            }
          } catch (error) {
            assertAllowedError(error, "convolutionStreamAsync");
          }
          const convolver = attempt(
            "new StreamingConvolver",
            () => new StreamingConvolver(chunk as Float32Array, options as never),
          );
          const good = new StreamingConvolver(randomSignal(Float32Array, 5, 3), { engine });
          attempt("process(chunk)", () => good.process(chunk as Float32Array));
          attempt(
            "process(chunk, out)",
            () => good.process(randomSignal(Float32Array, 4, 4), out as Float32Array),
          );
          attempt("flush(out)", () => good.flush(out as Float32Array));
          attempt("hostile convolver", () => convolver?.process(randomSignal(Float32Array, 4, 4)));
          attempt(
            "new ConvolutionStream",
            () => new ConvolutionStream(chunk as Float32Array, options as never),
          );
          checkBooks(engine, "batches and streams");
        },
      ),
      { numRuns: 60, seed: 4243 },
    );
    checkNormal("batches and streams");
    engine.close();
  });

  it("ConvolutionStream chunks and convolutionBatchParallel: hostile items reject cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(value, list, async (chunkM, pairsM) => {
        const chunk = chunkM.make(), pairs = pairsM.make();
        const stream = new ConvolutionStream(randomSignal(Float32Array, 4, 5));
        const writer = stream.writable.getWriter();
        const reader = stream.readable.getReader();
        const written = writer.write(chunk as Float32Array).then(() => writer.close());
        try {
          while (!(await reader.read()).done);
          await written;
        } catch (error) {
          assertAllowedError(error, "ConvolutionStream chunk");
          await written.catch(() => {});
        }
        try {
          await convolutionBatchParallel(pairs as never, { workers: 1 });
        } catch (error) {
          assertAllowedError(error, "convolutionBatchParallel");
        }
      }),
      { numRuns: 10, seed: 4244 },
    );
    checkNormal("parallel");
  });
});
