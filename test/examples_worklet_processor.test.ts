/**
 * The example AudioWorklet processor's option rules and channel routing, outside a
 * browser: the worklet scope's two names (`AudioWorkletProcessor`,
 * `registerProcessor`) are stood in for, so the checks run on Deno, Bun and Node and
 * can read the error messages (a browser reports only that the constructor failed;
 * `test/browser_worklet.test.ts` renders through the same file in Chromium).
 *
 * @module
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { randomSignal, referenceFull } from "./helpers/reference.ts";

interface Processor {
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}
type ProcessorClass = new (options: unknown) => Processor;

const registered = new Map<string, ProcessorClass>();
const scope = globalThis as unknown as Record<string, unknown>;

describe("examples/worklet/convolver_processor.ts", () => {
  let Convolver: ProcessorClass;

  before(async () => {
    // The processor never uses its port, so the stand-in has none.
    scope.AudioWorkletProcessor = class {};
    scope.registerProcessor = (name: string, processor: ProcessorClass) => {
      registered.set(name, processor);
    };
    await import("../examples/worklet/convolver_processor.ts");
    Convolver = registered.get("convpool-convolver")!;
    assert.ok(Convolver, "the module registers convpool-convolver");
  });

  // Test runners may share one global scope between test files.
  after(() => {
    delete scope.AudioWorkletProcessor;
    delete scope.registerProcessor;
  });

  /** Runs `inputs` through a processor in 128-frame quanta; returns the output channels. */
  function run(processor: Processor, inputs: Float32Array[], channels: number): Float32Array[] {
    const length = inputs[0].length;
    const outputs = Array.from({ length: channels }, () => new Float32Array(length));
    for (let start = 0; start < length; start += 128) {
      const quantum = Array.from({ length: channels }, () => new Float32Array(128));
      processor.process([inputs.map((x) => x.slice(start, start + 128))], [quantum]);
      quantum.forEach((q, c) => outputs[c].set(q, start));
    }
    return outputs;
  }

  function assertClose(actual: Float32Array, expected: Float64Array): void {
    let error = 0;
    let scale = 0;
    for (let i = 0; i < actual.length; i++) {
      error = Math.max(error, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    assert.ok(scale > 1, `the reference is not trivially small (${scale})`);
    assert.ok(error <= 1e-6 * scale, `max error ${error} > 1e-6 of ${scale}`);
  }

  const left = randomSignal(Float32Array, 1024, 1);
  const right = randomSignal(Float32Array, 1024, 2);
  const ir = [3, 4, 5, 6].map((seed) => randomSignal(Float32Array, 300, seed));
  /** `sum_p input_p * kernel_p`, cut to the input's length. */
  const mix = (...paths: [Float32Array, Float32Array][]) => {
    const sum = new Float64Array(left.length);
    for (const [x, h] of paths) {
      const full = referenceFull(x, h);
      for (let i = 0; i < sum.length; i++) sum[i] += full[i];
    }
    return sum;
  };

  it("routes one shared channel, one channel per output, and true stereo like a ConvolverNode", () => {
    const shared = run(new Convolver({ processorOptions: { impulseResponse: ir[0] } }), [
      left,
      right,
    ], 2);
    assertClose(shared[0], mix([left, ir[0]]));
    assertClose(shared[1], mix([right, ir[0]]));
    const perChannel = run(
      new Convolver({
        outputChannelCount: [2],
        processorOptions: { impulseResponse: [ir[0], ir[1]] },
      }),
      [left, right],
      2,
    );
    assertClose(perChannel[0], mix([left, ir[0]]));
    assertClose(perChannel[1], mix([right, ir[1]]));
    const trueStereo = run(
      new Convolver({ outputChannelCount: [2], processorOptions: { impulseResponse: ir } }),
      [left, right],
      2,
    );
    assertClose(trueStereo[0], mix([left, ir[0]], [right, ir[2]]));
    assertClose(trueStereo[1], mix([left, ir[1]], [right, ir[3]]));
    // A mono input feeds both sides of true stereo.
    const monoIn = run(
      new Convolver({ outputChannelCount: [2], processorOptions: { impulseResponse: ir } }),
      [left],
      2,
    );
    assertClose(monoIn[0], mix([left, ir[0]], [left, ir[2]]));
  });

  it("treats an unconnected input as silence, so the tail plays out", () => {
    const processor = new Convolver({
      outputChannelCount: [1],
      processorOptions: { impulseResponse: ir[0] },
    });
    const impulse = new Float32Array(128);
    impulse[0] = 1;
    const first = new Float32Array(128);
    processor.process([[impulse]], [[first]]);
    const next = new Float32Array(128);
    processor.process([[]], [[next]]);
    // The output is the impulse response itself, within the streaming engine's float32
    // error bound (1e-6 of max|y|).
    const scale = ir[0].reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    for (const [got, from] of [[first, 0], [next, 128]] as const) {
      for (let i = 0; i < 128; i++) {
        const want = ir[0][from + i];
        if (Math.abs(got[i] - want) > 1e-6 * scale) {
          assert.fail(`y[${from + i}] = ${got[i]}, expected ${want}`);
        }
      }
    }
  });

  it("rejects impulse responses it cannot use with errors quoting what it received", () => {
    const make = (options: unknown) => () => new Convolver(options);
    assert.throws(make({ processorOptions: { impulseResponse: new Float64Array(3) } }), {
      name: "TypeError",
      message:
        "convpool-convolver: processorOptions.impulseResponse must be a Float32Array or a non-empty array of them, received Float64Array(3)",
    });
    assert.throws(make({ processorOptions: { impulseResponse: [] } }), {
      name: "TypeError",
      message: /received Array\(0\) \[\]$/,
    });
    assert.throws(make({}), { name: "TypeError", message: /received undefined$/ });
    assert.throws(
      make({ outputChannelCount: [1], processorOptions: { impulseResponse: ir } }),
      {
        name: "RangeError",
        message:
          "convpool-convolver: a 4-channel (true stereo) impulseResponse needs outputChannelCount [2], received Array(1) [1]",
      },
    );
  });
});
