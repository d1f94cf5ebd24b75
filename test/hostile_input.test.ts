/**
 * Property test: hostile calls (Proxies with lying or throwing traps, subclasses and
 * instances that override `length`, detached and out-of-bounds views, resizable and
 * SharedArrayBuffer-backed views, other element types, hostile options) interleaved
 * with normal calls on every method. Hostile calls may only throw a TypeError or a
 * RangeError (or the hostile getter's own error, unchanged); accepted hostile arrays
 * are computed with their true contents; every normal result matches the float64
 * reference, so no hostile call left the process-wide kernel state (FFT tables,
 * kernel spectra, wasm memory) or the engine's books damaged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { convolve, correlate, getDefaultEngine } from "../mod.ts";
import { outputLength } from "../src/modes.ts";
import type { Method, Mode } from "../src/types.ts";
import {
  assertAllowedError,
  type HostileArray,
  hostileArray,
  hostileOptions,
} from "./helpers/hostile.ts";
import {
  assertClose,
  convolutionScale,
  randomSignal,
  referenceConvolve,
} from "./helpers/reference.ts";

const MODES: readonly Mode[] = ["full", "same", "valid"];
const METHODS: readonly Method[] = ["direct", "fft", "auto"];

interface Shape {
  n: number;
  m: number;
  mode: Mode;
  method: Method;
  correlate: boolean;
  f64: boolean;
  seed: number;
}

const shape: fc.Arbitrary<Shape> = fc.record({
  n: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(4000)),
  m: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 300, max: 700 })),
  mode: fc.constantFrom(...MODES),
  method: fc.constantFrom(...METHODS),
  correlate: fc.boolean(),
  f64: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

type Command =
  | { kind: "normal"; shape: Shape }
  | { kind: "signal" | "kernel" | "out"; shape: Shape; hostile: HostileArray }
  | { kind: "options"; shape: Shape; options: { kind: string; make(): unknown } };

/** Hostile arrays are 17 elements long; a hostile `out` is that of mode same with n = 17. */
const HOSTILE_LENGTH = 17;

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: shape.map((s) => ({ kind: "normal" as const, shape: s })) },
  fc.tuple(
    fc.constantFrom("signal" as const, "kernel" as const, "out" as const),
    shape,
    hostileArray(HOSTILE_LENGTH),
  ).map(([kind, s, hostile]) => ({ kind, shape: s, hostile })),
  fc.tuple(shape, hostileOptions()).map(([s, options]) => ({
    kind: "options" as const,
    shape: s,
    options,
  })),
);

function operation(s: Shape) {
  return s.correlate ? correlate : convolve;
}

function tolerance(f64: boolean): number {
  return f64 ? 1e-10 : 2e-5;
}

function checkNormal(s: Shape): void {
  const Type = s.f64 ? Float64Array : Float32Array;
  const x = randomSignal(Type, s.n, s.seed);
  const h = randomSignal(Type, s.m, s.seed + 1);
  const y = operation(s)(x, h, { mode: s.mode, method: s.method });
  assertClose(
    y,
    referenceConvolve(x, h, s.mode, s.correlate),
    tolerance(s.f64),
    `normal ${JSON.stringify(s)}`,
    convolutionScale(x, h),
  );
}

/** Runs one hostile call: refused with an allowed error, or computed right. */
function runHostile(c: Exclude<Command, { kind: "normal" }>): void {
  const s = c.shape;
  const label = c.kind === "options" ? c.options.kind : `${c.kind}: ${c.hostile.kind}`;
  const Type = s.f64 ? Float64Array : Float32Array;
  let x: unknown = randomSignal(Type, s.n, s.seed);
  let h: unknown = randomSignal(Type, s.m, s.seed + 1);
  let options: unknown = { mode: s.mode, method: s.method };
  let mode = s.mode;
  let expectAccepted = true;
  let xValues = x as ArrayLike<number>, hValues = h as ArrayLike<number>;
  let outF64 = s.f64;
  if (c.kind === "options") {
    options = c.options.make();
    expectAccepted = false; // some of these succeed; checked below
  } else {
    const value = c.hostile.make();
    expectAccepted = c.hostile.accepted;
    if (c.kind === "signal") {
      x = value;
      if (c.hostile.accepted) {
        xValues = c.hostile.values!;
        outF64 = c.hostile.f64!;
      }
    } else if (c.kind === "kernel") {
      h = value;
      if (c.hostile.accepted) hValues = c.hostile.values!;
    } else {
      // out: a Float32 signal of HOSTILE_LENGTH samples in mode same
      mode = "same";
      x = randomSignal(Float32Array, HOSTILE_LENGTH, s.seed);
      xValues = x as Float32Array;
      outF64 = false;
      options = { mode, method: s.method, out: value };
      expectAccepted = c.hostile.accepted && c.hostile.f64 === false;
    }
  }
  let result: unknown;
  try {
    result = operation(s)(x as Float32Array, h as Float32Array, options as never);
  } catch (error) {
    assertAllowedError(error, label);
    assert.ok(!expectAccepted || c.kind === "options", `${label}: was refused (${error})`);
    return;
  }
  assert.ok(expectAccepted || c.kind === "options", `${label}: was accepted`);
  const y = Float64Array.from(result as Float32Array); // true contents, by iteration
  if (c.kind === "out") assert.equal(result, (options as { out: unknown }).out, label);
  assert.equal(
    Object.prototype.toString.call(result),
    c.kind === "out" || !outF64 ? "[object Float32Array]" : "[object Float64Array]",
  );
  // Options that succeed (a mode that changes between reads): the mode is read once.
  const modes = c.kind === "options" ? MODES : [mode];
  const n = xValues.length, m = hValues.length;
  const matching = modes.filter((md) => outputLength(n, m, md) === y.length);
  assert.ok(matching.length > 0, `${label}: output length ${y.length}`);
  const errors = matching.map((md) => {
    const expected = referenceConvolve(xValues, hValues, md, s.correlate);
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - expected[i]));
    return worst / Math.max(convolutionScale(xValues, hValues), 1e-300);
  });
  assert.ok(Math.min(...errors) <= tolerance(false), `${label}: error ${errors}`);
}

describe("hostile input interleaved with normal calls", () => {
  it("only TypeError/RangeError, accepted arrays use their true contents, normal results exact", () => {
    const engine = getDefaultEngine();
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 24 }), (commands) => {
        for (const c of commands) {
          if (c.kind === "normal") checkNormal(c.shape);
          else runHostile(c);
          assert.equal(engine.getStats().stack.usedBytes, 0, "no operation left open");
        }
        // The reproduction: an FFT call after the hostile ones is still right.
        checkNormal({
          n: 300,
          m: 17,
          mode: "full",
          method: "fft",
          correlate: false,
          f64: false,
          seed: 5,
        });
      }),
      { numRuns: 60, seed: 20261204 },
    );
  });

  it("a Proxy whose length reads NaN cannot corrupt the FFT tables (issue reproduction)", () => {
    const x300 = randomSignal(Float32Array, 300, 1);
    const h17 = randomSignal(Float32Array, 17, 2);
    const k = new Proxy(new Float32Array(4), {
      get: (t, p) => p === "length" ? Number.NaN : Reflect.get(t, p, t),
    });
    assert.throws(
      () => correlate(new Float32Array(4000).fill(1), k as Float32Array, { mode: "same" }),
      {
        name: "TypeError",
        message:
          /kernel must be a Float32Array or Float64Array, received object claiming to be Float32Array/,
      },
    );
    class Lying extends Float32Array {
      override get length(): number {
        return Number.NaN;
      }
    }
    const lying = new Lying(4).fill(1);
    assertClose(
      correlate(new Float32Array(4000).fill(1), lying, { mode: "same" }),
      referenceConvolve(new Float32Array(4000).fill(1), new Float32Array(4).fill(1), "same", true),
      1e-6,
      "subclass with its true length",
    );
    assertClose(
      convolve(x300, h17, { method: "fft" }),
      referenceConvolve(x300, h17, "full"),
      2e-5,
      "fft after the hostile calls",
      convolutionScale(x300, h17),
    );
  });
});
