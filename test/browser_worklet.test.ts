/**
 * convpool in a real browser: Debian's Chromium (/usr/bin/chromium, headless, driven
 * by `puppeteer-core`; never a downloaded browser), fed from a loopback HTTP server
 * with esbuild browser bundles of `mod.ts` and of `examples/worklet/convolver_processor.ts`.
 *
 * - The example processor renders noise through an impulse response in an
 *   OfflineAudioContext with the default engine, and its output matches a float64
 *   reference to 1e-6 of max|y|.
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
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { maxAbs, randomSignal, referenceFull } from "./helpers/reference.ts";
import { ROOT } from "./helpers/runtimes.ts";

const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const SKIP = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (see the warning above)`;
if (SKIP) {
  console.warn(
    `\n*** WARNING: ${CHROMIUM} is missing: the browser and AudioWorklet tests are SKIPPED.\n` +
      "*** Install Debian's chromium (apt-get install -y chromium), as .ci/run does.\n",
  );
}

const SAMPLE_RATE = 48000;

/** Bundles one entry (a file, or source text resolved from the repository root). */
async function bundle(entry: { file: string } | { source: string }): Promise<string> {
  const result = await build({
    ...("file" in entry
      ? { entryPoints: [join(ROOT, entry.file)] }
      : { stdin: { contents: entry.source, resolveDir: ROOT, loader: "ts" as const } }),
    absWorkingDir: ROOT,
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

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

/** Serves fixed files on 127.0.0.1 (a secure context, as AudioWorklet needs). */
function serve(files: Record<string, [type: string, body: string]>): Promise<Server> {
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://localhost").pathname];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file[0], "cache-control": "no-store" });
    response.end(file[1]);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** An exponentially decaying noise impulse response, as a reverb's. */
function impulseResponse(length: number): Float32Array {
  const noise = randomSignal(Float32Array, length, 7);
  for (let i = 0; i < length; i++) noise[i] *= Math.exp(-6 * i / length);
  return noise;
}

describe("convpool in headless Chromium", { skip: SKIP, timeout: 120_000 }, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let profile: string;
  let origin: string;

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
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), "convpool-chromium-"));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
      ],
    });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${origin}/`);
    await page.waitForFunction("globalThis.ready === true", { timeout: 20_000 }).catch(() => {
      throw new Error(`the page did not load the bundle: ${errors.join("; ")}`);
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it("renders through the example AudioWorklet processor, matching a float64 reference", async () => {
    const signal = randomSignal(Float32Array, SAMPLE_RATE / 2, 3);
    const kernel = impulseResponse(4800);
    const rendered = await page.evaluate(
      async (signal: number[], kernel: number[], sampleRate: number) => {
        const context = new OfflineAudioContext(1, signal.length, sampleRate);
        await context.audioWorklet.addModule("/convolver_processor.js");
        const buffer = context.createBuffer(1, signal.length, sampleRate);
        buffer.copyToChannel(Float32Array.from(signal), 0);
        const source = new AudioBufferSourceNode(context, { buffer });
        const node = new AudioWorkletNode(context, "convpool-convolver", {
          outputChannelCount: [1],
          processorOptions: { impulseResponse: Float32Array.from(kernel) },
        });
        let failure = "";
        node.onprocessorerror = (event) => failure = String((event as ErrorEvent).message);
        source.connect(node).connect(context.destination);
        source.start();
        const output = await context.startRendering();
        if (failure !== "") throw new Error(`processor error: ${failure}`);
        return Array.from(output.getChannelData(0));
      },
      Array.from(signal),
      Array.from(kernel),
      SAMPLE_RATE,
    );
    assert.equal(rendered.length, signal.length);
    const reference = referenceFull(signal, kernel).subarray(0, signal.length);
    let error = 0;
    for (let i = 0; i < reference.length; i++) {
      error = Math.max(error, Math.abs(rendered[i] - reference[i]));
    }
    const scale = maxAbs(reference);
    assert.ok(scale > 1, `the reference is not trivially small (max|y| = ${scale})`);
    assert.ok(error <= 1e-6 * scale, `max error ${error} > 1e-6 of max|y| = ${scale}`);
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
