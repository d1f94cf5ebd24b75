/**
 * convpool in a real browser: Debian's Chromium (/usr/bin/chromium, headless, driven
 * by `puppeteer-core`; never a downloaded browser), fed from a loopback HTTP server
 * with esbuild browser bundles of `mod.ts` and of `examples/worklet/convolver_processor.ts`.
 *
 * - The example processor renders noise through an impulse response in an
 *   OfflineAudioContext with the default engine, and its output matches a float64
 *   reference to 1e-6 of max|y|: mono, stereo with one impulse response per channel,
 *   and true stereo (a 4-channel impulse response, as a ConvolverNode's); bad
 *   processor options fail with the processor's error.
 * - A probe processor checks what the AudioWorkletGlobalScope lacks (timers,
 *   performance, atob, URL, TextDecoder, queueMicrotask), that the runtime adapter sees
 *   it so, that the WebAssembly kernels load there (base64 without atob) and that
 *   convolve runs there with the default engine while the wasm release timer and the
 *   engine's maintenance timer are asked for.
 * - In a page, convolve works and convolutionBatchParallel rejects with the browser
 *   build's clear error.
 *
 * Without /usr/bin/chromium (set `CHROMIUM_BIN` to use another binary) the tests warn
 * loudly and are skipped; `.ci/run` installs Debian's `chromium`.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import type { Page } from "puppeteer-core";
import {
  bundle,
  CHROMIUM,
  type Chromium,
  chromiumMissing,
  launchChromium,
  originOf,
  serve,
} from "./helpers/chromium.ts";
import { maxAbs, randomSignal, referenceFull } from "./helpers/reference.ts";

const MISSING = chromiumMissing();
const SKIP = MISSING ? `${MISSING} (see the warning above)` : false;
if (SKIP) {
  console.warn(
    `\n*** WARNING: ${CHROMIUM} is missing: the browser and AudioWorklet tests are SKIPPED.\n` +
      "*** Install Debian's chromium (apt-get install -y chromium), as .ci/run does.\n",
  );
}

const SAMPLE_RATE = 48000;

/** A processor that reports what the AudioWorkletGlobalScope has and runs convolve. */
const PROBE_PROCESSOR = `
import { convolve, getDefaultEngine } from "./mod.ts";
import { activeKernelSet } from "./src/kernels/dispatch.ts";
import { setWasmMemoryRetention } from "./src/kernels/wasm/wasm_instance.ts";
import { runtimeCapabilities } from "./src/runtime/mod.ts";

class Probe extends AudioWorkletProcessor {
  constructor(options) {
    super();
    let report;
    try {
      const globals = {};
      for (const name of ["setInterval", "setTimeout", "performance", "atob", "URL", "TextDecoder", "queueMicrotask"]) {
        globals[name] = typeof globalThis[name];
      }
      // Any growth of linear memory now arms the release timer (it must not throw here).
      setWasmMemoryRetention(0, 1000);
      const { signal, kernel } = options.processorOptions;
      const engine = getDefaultEngine();
      const y = convolve(signal, kernel, { method: "fft" });
      report = {
        globals,
        capabilities: runtimeCapabilities(),
        kernels: activeKernelSet(),
        maintenanceTimerUnrefed: engine.maintenanceTimerUnrefed,
        operations: engine.getStats().operations,
        y,
      };
    } catch (error) {
      report = { error: String(error && error.stack || error) };
    }
    this.port.postMessage(report);
  }
  process() {
    return false;
  }
}
registerProcessor("probe", Probe);
`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>convpool</title>
<script type="module">
import * as convpool from "/mod.js";
globalThis.convpool = convpool;
globalThis.ready = true;
</script>`;

/** An exponentially decaying noise impulse response, as a reverb's. */
function impulseResponse(length: number, seed = 7): Float32Array {
  const noise = randomSignal(Float32Array, length, seed);
  for (let i = 0; i < length; i++) noise[i] *= Math.exp(-6 * i / length);
  return noise;
}

describe("convpool in headless Chromium", { skip: SKIP, timeout: 120_000 }, () => {
  let server: Server;
  let chromium: Chromium;
  let page: Page;

  before(async () => {
    const [library, processor, probe] = await Promise.all([
      bundle({ file: "mod.ts" }),
      bundle({ file: "examples/worklet/convolver_processor.ts" }),
      bundle({ source: PROBE_PROCESSOR }),
    ]);
    assert.doesNotMatch(library, /["']node:/, "the browser bundle must not import node: modules");
    server = await serve({
      "/": ["text/html", PAGE],
      "/mod.js": ["text/javascript", library],
      "/convolver_processor.js": ["text/javascript", processor],
      "/probe_processor.js": ["text/javascript", probe],
    });
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${originOf(server)}/`);
    await page.waitForFunction("globalThis.ready === true", { timeout: 20_000 }).catch(() => {
      throw new Error(`the page did not load the bundle: ${errors.join("; ")}`);
    });
  });

  after(async () => {
    await chromium?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /**
   * Renders `inputs` (planar channels) through the example processor with
   * `impulseResponse` into `outputChannels` channels; the processor's error, if any,
   * comes back as `error`.
   */
  function renderProcessor(
    inputs: Float32Array[],
    impulseResponse: Float32Array | Float32Array[],
    outputChannels: number,
  ): Promise<{ output?: number[][]; error?: string }> {
    const plain = (x: Float32Array) => Array.from(x);
    return page.evaluate(
      async (inputs: number[][], response: number[] | number[][], outputs: number, rate) => {
        const length = inputs[0].length;
        const context = new OfflineAudioContext(outputs, length, rate);
        await context.audioWorklet.addModule("/convolver_processor.js");
        const buffer = context.createBuffer(inputs.length, length, rate);
        inputs.forEach((channel, c) => buffer.copyToChannel(Float32Array.from(channel), c));
        const source = new AudioBufferSourceNode(context, { buffer });
        const node = new AudioWorkletNode(context, "convpool-convolver", {
          outputChannelCount: [outputs],
          processorOptions: {
            impulseResponse: Array.isArray(response[0])
              ? (response as number[][]).map((channel) => Float32Array.from(channel))
              : Float32Array.from(response as number[]),
          },
        });
        let error: string | undefined;
        node.onprocessorerror = () => error = "processorerror";
        source.connect(node).connect(context.destination);
        source.start();
        const rendered = await context.startRendering();
        if (error !== undefined) return { error };
        const output = [];
        for (let c = 0; c < outputs; c++) output.push(Array.from(rendered.getChannelData(c)));
        return { output };
      },
      inputs.map(plain),
      impulseResponse instanceof Float32Array ? plain(impulseResponse) : impulseResponse.map(plain),
      outputChannels,
      SAMPLE_RATE,
    );
  }

  /** `sum_p input_p * kernel_p` in float64, cut to the input's length. */
  function referenceSum(paths: [Float32Array, Float32Array][]): Float64Array {
    const n = paths[0][0].length;
    const sum = new Float64Array(n);
    for (const [input, kernel] of paths) {
      const full = referenceFull(input, kernel);
      for (let i = 0; i < n; i++) sum[i] += full[i];
    }
    return sum;
  }

  function assertMatches(rendered: number[] | undefined, reference: Float64Array): void {
    assert.ok(rendered !== undefined);
    assert.equal(rendered.length, reference.length);
    let error = 0;
    for (let i = 0; i < reference.length; i++) {
      error = Math.max(error, Math.abs(rendered[i] - reference[i]));
    }
    const scale = maxAbs(reference);
    assert.ok(scale > 1, `the reference is not trivially small (max|y| = ${scale})`);
    assert.ok(error <= 1e-6 * scale, `max error ${error} > 1e-6 of max|y| = ${scale}`);
  }

  it("renders through the example AudioWorklet processor, matching a float64 reference", async () => {
    const signal = randomSignal(Float32Array, SAMPLE_RATE / 2, 3);
    const kernel = impulseResponse(4800);
    const { output, error } = await renderProcessor([signal], kernel, 1);
    assert.equal(error, undefined);
    assertMatches(output?.[0], referenceSum([[signal, kernel]]));
  });

  it("renders stereo with one impulse response per channel, and true stereo with four", async () => {
    const left = randomSignal(Float32Array, SAMPLE_RATE / 4, 21);
    const right = randomSignal(Float32Array, SAMPLE_RATE / 4, 22);
    const ir = [1, 2, 3, 4].map((seed) => impulseResponse(2400, 30 + seed));
    const stereo = await renderProcessor([left, right], [ir[0], ir[1]], 2);
    assert.equal(stereo.error, undefined);
    assertMatches(stereo.output?.[0], referenceSum([[left, ir[0]]]));
    assertMatches(stereo.output?.[1], referenceSum([[right, ir[1]]]));
    // As a 4-channel ConvolverNode buffer: left = L*ir0 + R*ir2, right = L*ir1 + R*ir3.
    const trueStereo = await renderProcessor([left, right], ir, 2);
    assert.equal(trueStereo.error, undefined);
    assertMatches(trueStereo.output?.[0], referenceSum([[left, ir[0]], [right, ir[2]]]));
    assertMatches(trueStereo.output?.[1], referenceSum([[left, ir[1]], [right, ir[3]]]));
  });

  it("fails with a processor error on an impulse response it cannot use", async () => {
    const signal = randomSignal(Float32Array, 256, 5);
    const ir = impulseResponse(64);
    // Four channels are true stereo, which needs a stereo output.
    const mono = await renderProcessor([signal], [ir, ir, ir, ir], 1);
    assert.equal(mono.error, "processorerror");
    const empty = await renderProcessor([signal], [], 1);
    assert.equal(empty.error, "processorerror");
  });

  it("runs the default engine and the WebAssembly kernels in an AudioWorkletGlobalScope", async () => {
    const signal = randomSignal(Float32Array, 3000, 11);
    const kernel = randomSignal(Float32Array, 700, 12);
    const report = await page.evaluate(
      async (signal: number[], kernel: number[]) => {
        const context = new OfflineAudioContext(1, 128, 48000);
        await context.audioWorklet.addModule("/probe_processor.js");
        return await new Promise<Record<string, unknown>>((resolve) => {
          const node = new AudioWorkletNode(context, "probe", {
            processorOptions: {
              signal: Float32Array.from(signal),
              kernel: Float32Array.from(kernel),
            },
          });
          node.port.onmessage = (event) => {
            const y = event.data.y;
            resolve({ ...event.data, y: y && Array.from(y), yType: y?.constructor.name });
          };
          node.connect(context.destination);
          void context.startRendering();
        });
      },
      Array.from(signal),
      Array.from(kernel),
    );
    assert.equal(report.error, undefined, String(report.error));
    assert.deepEqual(report.globals, {
      setInterval: "undefined",
      setTimeout: "undefined",
      performance: "undefined",
      atob: "undefined",
      URL: "undefined",
      TextDecoder: "undefined",
      queueMicrotask: "undefined",
    });
    assert.deepEqual(report.capabilities, {
      repeatingTimers: false,
      clock: "millisecond",
      memoryUsage: false,
      environment: false,
      base64: "pure",
    });
    assert.equal(report.kernels, "wasm", "the WebAssembly kernels load without atob");
    assert.equal(report.maintenanceTimerUnrefed, false, "no maintenance timer is scheduled");
    const reference = referenceFull(signal, kernel);
    const y = report.y as number[];
    assert.equal(report.yType, "Float32Array");
    assert.equal(y.length, reference.length);
    let error = 0;
    for (let i = 0; i < y.length; i++) error = Math.max(error, Math.abs(y[i] - reference[i]));
    assert.ok(error <= 1e-5 * maxAbs(reference), `max error ${error}`);
  });

  it("convolves in a page, where convolutionBatchParallel rejects with a clear error", async () => {
    const result = await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const convpool = (globalThis as any).convpool;
      const y = Array.from(
        convpool.convolve(new Float32Array([1, 2, 3]), new Float32Array([1, 1])),
      );
      const parallel = await convpool.convolutionBatchParallel([[
        new Float32Array([1, 2, 3]),
        new Float32Array([1, 1]),
      ]]).then(() => "resolved", (error: Error) => `${error.constructor.name}: ${error.message}`);
      let pool = "constructed";
      try {
        new convpool.WorkerPool();
      } catch (error) {
        pool = (error as Error).message;
      }
      const again = Array.from(convpool.convolve(new Float64Array([1, 2]), new Float64Array([3])));
      return { y, parallel, pool, again };
    });
    assert.deepEqual(result.y, [1, 3, 5, 3]);
    assert.match(
      result.parallel,
      /^Error: convolutionBatchParallel: needs worker threads \(Deno, Bun or Node\).*BatchOperations\.convolutionBatch/,
    );
    assert.match(result.pool, /^WorkerPool: needs worker threads/);
    assert.deepEqual(result.again, [3, 6]);
  });
});
