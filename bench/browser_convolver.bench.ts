/**
 * convpool against the browser's own `ConvolverNode`, in one headless Chromium page
 * (Debian's `/usr/bin/chromium` or `CHROMIUM_BIN`, driven by `puppeteer-core`).
 *
 * Each render is an `OfflineAudioContext` at 48 kHz: 30 seconds of noise through an
 * exponentially decaying noise impulse response, timed around `startRendering()`,
 * with three engines:
 *
 * - `native`: a `ConvolverNode` with `disableNormalization: true`;
 * - `convpool`: the example processor `examples/worklet/convolver_processor.ts` in an
 *   AudioWorklet, on the default engine (whatever engine `StreamingConvolver` runs);
 * - `pass-through`: an AudioWorklet that copies its input (the worklet's own cost).
 *
 * Cases: 2 s (96,000 taps) and 4 s (192,000 taps) impulse responses, mono (one path),
 * stereo (two channels, one impulse response each) and 4 s true stereo (a 4-channel
 * impulse response: four paths). Rounds are interleaved (every case and engine once
 * per round, in one page); the bench prints the median times-real-time per engine
 * and `native time / convpool time` (at least 1 when convpool is as fast as native).
 * Rounds run while the next one should fit in the time budget (`--budget`, seconds,
 * judged by the slowest round so far), at least one and at most `--rounds`.
 *
 * Numerics: on the first round each output is compared, on windows spread over the
 * 30 seconds (the first 1024 samples and five more windows of 256), with a float64
 * direct-sum reference (`test/helpers/reference.ts`): max error, absolute and
 * relative to the reference's max|y| over those windows.
 *
 * Writes `bench/results/browser_convolver.json`.
 *
 * ```sh
 * node --import tsx bench/browser_convolver.bench.ts          # 30 s renders, 150 s budget
 * node --import tsx bench/browser_convolver.bench.ts --rounds 3 --budget 600 --seconds 10
 * ```
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { cpus, loadavg } from "node:os";
import process from "node:process";
import { parseArgs } from "node:util";
import type { Page } from "puppeteer-core";
import {
  bundle,
  CHROMIUM,
  type Chromium,
  chromiumMissing,
  launchChromium,
  originOf,
  serve,
} from "../test/helpers/chromium.ts";
import { randomSignal, referenceWindow } from "../test/helpers/reference.ts";

const RATE = 48_000;

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    budget: { type: "string", default: "150" },
    seconds: { type: "string", default: "30" },
  },
});
const ROUNDS = Number(flags.rounds);
const BUDGET = Number(flags.budget);
const SECONDS = Number(flags.seconds);
if (!(BUDGET >= 0)) {
  throw new RangeError(
    `browser_convolver: --budget must be a number of seconds, received ${flags.budget}`,
  );
}
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new RangeError(
    `browser_convolver: --rounds must be a positive integer, received ${flags.rounds}`,
  );
}
if (!Number.isInteger(SECONDS) || SECONDS < 1) {
  throw new RangeError(
    `browser_convolver: --seconds must be a positive integer, received ${flags.seconds}`,
  );
}

/** One side-by-side case. */
interface Case {
  name: string;
  /** Impulse response length in seconds (2 or 4). */
  irSeconds: 2 | 4;
  /** Input and output channels. */
  channels: 1 | 2;
  /** Impulse response channels: 1 (mono), 2 (stereo) or 4 (true stereo). */
  irChannels: 1 | 2 | 4;
}

const CASES: Case[] = [
  { name: "2 s mono", irSeconds: 2, channels: 1, irChannels: 1 },
  { name: "4 s mono", irSeconds: 4, channels: 1, irChannels: 1 },
  { name: "2 s stereo", irSeconds: 2, channels: 2, irChannels: 2 },
  { name: "4 s stereo", irSeconds: 4, channels: 2, irChannels: 2 },
  { name: "4 s true stereo", irSeconds: 4, channels: 2, irChannels: 4 },
];

const ENGINES = ["native", "convpool", "pass-through"] as const;
type Engine = typeof ENGINES[number];

/** Windows `[start, length]` of the output compared with the float64 reference. */
const WINDOWS: [number, number][] = [[0, 1024]];
for (let w = 1; w <= 5; w++) WINDOWS.push([Math.floor((w / 6) * SECONDS * RATE), 256]);

/** An exponentially decaying noise impulse response channel (60 dB over its length... roughly). */
function impulseResponse(length: number, seed: number): Float32Array {
  const noise = randomSignal(Float32Array, length, seed);
  for (let i = 0; i < length; i++) noise[i] *= Math.exp(-6 * i / length);
  return noise;
}

/** The audio of every render: two channels of noise (mono cases use the first). */
const signal = [
  randomSignal(Float32Array, SECONDS * RATE, 1),
  randomSignal(Float32Array, SECONDS * RATE, 2),
];
/** Four impulse response channels per length, as a 4-channel ConvolverNode buffer. */
const responses = {
  2: [0, 1, 2, 3].map((c) => impulseResponse(2 * RATE, 10 + c)),
  4: [0, 1, 2, 3].map((c) => impulseResponse(4 * RATE, 20 + c)),
};

/** Planar channels as one little-endian float32 body. */
function planar(channels: Float32Array[]): Uint8Array {
  const all = new Float32Array(channels.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const channel of channels) {
    all.set(channel, offset);
    offset += channel.length;
  }
  return new Uint8Array(all.buffer);
}

/**
 * The paths feeding output `channel`: [input channel, impulse response channel].
 * Mono and stereo: channel c through response c; true stereo as a 4-channel
 * ConvolverNode: left = L*ir0 + R*ir2, right = L*ir1 + R*ir3.
 */
function paths(c: Case, channel: number): [number, number][] {
  return c.irChannels === 4 ? [[0, channel], [1, 2 + channel]] : [[channel, channel]];
}

/** The float64 reference on {@linkcode WINDOWS}, per output channel (windows concatenated). */
function reference(c: Case): Float64Array[] {
  const total = WINDOWS.reduce((sum, [, length]) => sum + length, 0);
  const outputs: Float64Array[] = [];
  for (let channel = 0; channel < c.channels; channel++) {
    const out = new Float64Array(total);
    let offset = 0;
    for (const [start, length] of WINDOWS) {
      for (const [input, response] of paths(c, channel)) {
        const window = referenceWindow(
          signal[input],
          responses[c.irSeconds][response],
          start,
          length,
        );
        for (let i = 0; i < length; i++) out[offset + i] += window[i];
      }
      offset += length;
    }
    outputs.push(out);
  }
  return outputs;
}

const PASS_THROUGH = `
class PassThrough extends AudioWorkletProcessor {
  process(inputs, outputs) {
    const input = inputs[0];
    const output = outputs[0];
    for (let c = 0; c < output.length; c++) {
      if (input.length > 0) output[c].set(input[Math.min(c, input.length - 1)]);
    }
    return true;
  }
}
registerProcessor("pass-through", PassThrough);
`;

/** What the page measures for one render. */
interface Render {
  /** Wall time of `startRendering()`, in milliseconds. */
  ms: number;
  /** The output on {@linkcode WINDOWS}, per channel (only when asked). */
  windows?: number[][];
  error?: string;
}

/** Renders one case with one engine in the page (runs in the browser). */
function render(
  page: Page,
  c: Case,
  engine: Engine,
  seconds: number,
  windows: [number, number][] | null,
): Promise<Render> {
  return page.evaluate(
    async (c: Case, engine: Engine, seconds: number, rate: number, windows) => {
      // deno-lint-ignore no-explicit-any
      const cache = ((globalThis as any).audioData ??= {}) as Record<
        string,
        Float32Array<ArrayBuffer>
      >;
      // (No named local functions here: the bundler's name helper does not exist in the page.)
      const [audio, ir] = await Promise.all(
        ["/signal.f32", `/ir-${c.irSeconds}.f32`].map(async (name) =>
          cache[name] ??= new Float32Array(await (await fetch(name)).arrayBuffer())
        ),
      );
      const length = seconds * rate;
      const irLength = c.irSeconds * rate;
      const context = new OfflineAudioContext(c.channels, length, rate);
      const buffer = context.createBuffer(c.channels, length, rate);
      for (let channel = 0; channel < c.channels; channel++) {
        buffer.copyToChannel(audio.subarray(channel * length, (channel + 1) * length), channel);
      }
      const source = new AudioBufferSourceNode(context, { buffer });
      const responses: Float32Array<ArrayBuffer>[] = [];
      for (let channel = 0; channel < c.irChannels; channel++) {
        responses.push(ir.slice(channel * irLength, (channel + 1) * irLength));
      }
      let node: AudioNode;
      let failure: string | undefined;
      if (engine === "native") {
        const irBuffer = context.createBuffer(c.irChannels, irLength, rate);
        responses.forEach((response, channel) => irBuffer.copyToChannel(response, channel));
        node = new ConvolverNode(context, { buffer: irBuffer, disableNormalization: true });
      } else {
        await context.audioWorklet.addModule(`/${engine}.js`);
        const worklet = new AudioWorkletNode(
          context,
          engine === "convpool" ? "convpool-convolver" : "pass-through",
          {
            outputChannelCount: [c.channels],
            processorOptions: { impulseResponse: responses },
          },
        );
        worklet.onprocessorerror = () => failure = `${engine} processor error`;
        node = worklet;
      }
      source.connect(node).connect(context.destination);
      source.start();
      const start = performance.now();
      const output = await context.startRendering();
      const ms = performance.now() - start;
      if (failure !== undefined) return { ms, error: failure };
      if (windows === null) return { ms };
      const picked: number[][] = [];
      for (let channel = 0; channel < c.channels; channel++) {
        const data = output.getChannelData(Math.min(channel, output.numberOfChannels - 1));
        picked.push(
          windows.flatMap(([from, count]) => Array.from(data.subarray(from, from + count))),
        );
      }
      return { ms, windows: picked };
    },
    c,
    engine,
    seconds,
    RATE,
    windows,
  );
}

/** Max |a - b| and max |b| over all channels. */
function maxError(rendered: number[][], expected: Float64Array[]): { abs: number; rel: number } {
  let error = 0;
  let scale = 0;
  expected.forEach((channel, c) => {
    for (let i = 0; i < channel.length; i++) {
      error = Math.max(error, Math.abs(rendered[c][i] - channel[i]));
      scale = Math.max(scale, Math.abs(channel[i]));
    }
  });
  return { abs: error, rel: error / scale };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const missing = chromiumMissing();
if (missing) {
  console.warn(
    `browser_convolver: SKIPPED: ${missing}; install Debian's chromium or set CHROMIUM_BIN`,
  );
  process.exit(0);
}

let server: Server | undefined;
let chromium: Chromium | undefined;
try {
  const [convpool, passThrough] = await Promise.all([
    bundle({ file: "examples/worklet/convolver_processor.ts" }),
    bundle({ source: PASS_THROUGH }),
  ]);
  server = await serve({
    "/": ["text/html", '<!doctype html><meta charset="utf-8"><title>convpool bench</title>'],
    "/convpool.js": ["text/javascript", convpool],
    "/pass-through.js": ["text/javascript", passThrough],
    "/signal.f32": ["application/octet-stream", planar(signal)],
    "/ir-2.f32": ["application/octet-stream", planar(responses[2])],
    "/ir-4.f32": ["application/octet-stream", planar(responses[4])],
  });
  chromium = await launchChromium();
  const page = await chromium.browser.newPage();
  await page.goto(`${originOf(server)}/`);
  console.log(
    `${chromium.version} (${CHROMIUM}), ${
      cpus()[0]?.model ?? "cpu unknown"
    }: up to ${ROUNDS} rounds of ${SECONDS} s at ${RATE} Hz within ${BUDGET} s`,
  );

  const references = CASES.map(reference);
  const times = new Map<string, number[]>();
  const errors = new Map<string, { abs: number; rel: number }>();
  const started = performance.now();
  let rounds = 0;
  // Another round starts while it should end within the budget (judged by the
  // slowest round so far); at least one round runs.
  let slowest = 0;
  while (
    rounds < ROUNDS &&
    (rounds === 0 || (performance.now() - started) / 1000 + slowest <= BUDGET)
  ) {
    const roundStart = performance.now();
    const round = rounds;
    for (const [index, c] of CASES.entries()) {
      const expected = round === 0 ? references[index] : null;
      for (const engine of ENGINES) {
        const result = await render(
          page,
          c,
          engine,
          SECONDS,
          expected && engine !== "pass-through" ? WINDOWS : null,
        );
        if (result.error !== undefined) throw new Error(`${c.name}, ${engine}: ${result.error}`);
        const key = `${c.name}/${engine}`;
        times.set(key, [...(times.get(key) ?? []), SECONDS / (result.ms / 1000)]);
        if (expected !== null && result.windows !== undefined) {
          errors.set(key, maxError(result.windows, expected));
        }
      }
    }
    rounds++;
    slowest = Math.max(slowest, (performance.now() - roundStart) / 1000);
    console.log(
      `round ${rounds} done (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }

  const rows = CASES.map((c) => {
    const x = (engine: Engine) => median(times.get(`${c.name}/${engine}`)!);
    return {
      case: c.name,
      taps: c.irSeconds * RATE,
      channels: c.channels,
      paths: c.channels * paths(c, 0).length,
      nativeXRealTime: x("native"),
      convpoolXRealTime: x("convpool"),
      passThroughXRealTime: x("pass-through"),
      /** native time / convpool time: at least 1 when convpool is as fast as native. */
      nativeOverConvpool: x("convpool") / x("native"),
      nativeError: errors.get(`${c.name}/native`),
      convpoolError: errors.get(`${c.name}/convpool`),
      rounds: Object.fromEntries(ENGINES.map((e) => [e, times.get(`${c.name}/${e}`)])),
    };
  });

  const fmt = (v: number) => `${v.toPrecision(3)}x`;
  const err = (e: { rel: number } | undefined) => (e === undefined ? "-" : e.rel.toExponential(1));
  console.log(
    "\n| impulse response | native ConvolverNode | convpool (AudioWorklet) | pass-through | native time / convpool time | error native | error convpool |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    console.log(
      `| ${row.case} (${row.taps} taps, ${row.paths} path${row.paths > 1 ? "s" : ""}) | ${
        fmt(row.nativeXRealTime)
      } | ${fmt(row.convpoolXRealTime)} | ${fmt(row.passThroughXRealTime)} | ${
        row.nativeOverConvpool.toFixed(2)
      } | ${err(row.nativeError)} | ${err(row.convpoolError)} |`,
    );
  }
  console.log(
    `\nTimes real time: medians over ${rounds} round${
      rounds > 1 ? "s" : ""
    }. Errors: max |y - reference| / max|reference| on the checked windows (float64 reference).`,
  );

  const directory = new URL("./results/", import.meta.url);
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    new URL("browser_convolver.json", directory),
    JSON.stringify(
      {
        browser: chromium.version,
        date: new Date().toISOString(),
        cpu: cpus()[0]?.model,
        loadAverage: loadavg()[0],
        sampleRate: RATE,
        seconds: SECONDS,
        rounds,
        windows: WINDOWS,
        rows,
      },
      null,
      2,
    ) + "\n",
  );
} finally {
  await chromium?.close();
  await new Promise((resolve) => server?.close(resolve));
}
