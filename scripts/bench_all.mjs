// `npm run bench`: runs bench/convolve.bench.ts, bench/wasm_kernels.bench.ts,
// bench/telemetry.bench.ts, bench/stream_precision_mix.bench.ts and
// bench/streaming_realtime.bench.ts on Node, Deno and Bun, then
// bench/browser_convolver.bench.ts once (Node driving headless Chromium; it skips
// itself without /usr/bin/chromium or CHROMIUM_BIN), then bench/scipy_side_by_side.py
// when a python3 with SciPy is present. Then it rewrites two blocks of README.md from
// the JSON results in bench/results/: the benchmarks (between the bench:convolve
// markers) and the real-time table (between the bench:realtime markers).
//
//   node scripts/bench_all.mjs              run everything, then update the README
//   node scripts/bench_all.mjs --table      only rebuild the blocks from existing JSON
//   node scripts/bench_all.mjs --no-scipy   skip the SciPy side-by-side run
//   node scripts/bench_all.mjs --no-browser skip the browser side by side
//
// Python: $CONVPOOL_PYTHON if set, else Debian's /usr/bin/python3 (python3-scipy, the
// documented setup), else the first python3 on PATH; whichever is used must import
// scipy, or the SciPy step is skipped with a message saying why.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const runtimes = [
  ["node", process.execPath, ["--expose-gc", "--import", "tsx"]],
  ["deno", bin("deno"), ["run", "-A", "--v8-flags=--expose-gc"]],
  ["bun", bin("bun"), []],
];
const benches = [
  "bench/convolve.bench.ts",
  "bench/wasm_kernels.bench.ts",
  "bench/telemetry.bench.ts",
  "bench/stream_precision_mix.bench.ts",
  "bench/streaming_realtime.bench.ts",
];
const GRID = ["256x15", "4096x63", "65536x1023", "1048576x4095"];

function run(command, args, env = process.env) {
  console.log(`\n===== ${[command.replace(root, ""), ...args].join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The python3 to use for the SciPy side by side, or a reason to skip it. */
function findPython() {
  const candidates = process.env.CONVPOOL_PYTHON
    ? [process.env.CONVPOOL_PYTHON]
    : ["/usr/bin/python3", "python3"];
  const tried = [];
  for (const python of candidates) {
    const probe = spawnSync(
      python,
      ["-c", "import scipy.signal, numpy; print(scipy.__version__)"],
      {
        encoding: "utf8",
      },
    );
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
    tried.push(
      `${python}: ${probe.error?.code ?? (probe.stderr.trim().split("\n").pop() || "failed")}`,
    );
  }
  return { skip: tried.join("; ") };
}

if (!process.argv.includes("--table")) {
  for (const bench of benches) {
    for (const [, command, args] of runtimes) run(command, [...args, bench]);
  }
  if (!process.argv.includes("--no-browser")) {
    run(process.execPath, ["--import", "tsx", "bench/browser_convolver.bench.ts"]);
  }
  if (!process.argv.includes("--no-scipy")) {
    const found = findPython();
    if (found.skip) {
      console.log(
        `\n===== SciPy side by side SKIPPED: no python3 with scipy (${found.skip}). ` +
          "Install Debian's python3-scipy (apt-get install -y python3-scipy) or set " +
          "CONVPOOL_PYTHON; the README keeps the SciPy table of the last run, if any.",
      );
    } else {
      run(found.python, ["bench/scipy_side_by_side.py"]);
    }
  }
}

function format(ns) {
  if (ns === undefined) return "-";
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

function readResults(file) {
  const path = `${root}bench/results/${file}`;
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined;
}

const cell = (data, group, name) =>
  data?.rows.find((r) => r.group === group && r.name === name)?.p50;

const lines = [];
const convolveResults = {};
/** Every "auto vs best JS peer" and "fft vs pffft OA" ratio of the tables, for the summary. */
const versusJs = [];
const versusPffft = [];
for (const [name] of runtimes) {
  const data = readResults(`convolve.${name}.json`);
  if (data === undefined) continue;
  convolveResults[name] = data;
  const names = [...new Set(data.rows.map((r) => r.name))];
  const ours = names.filter((n) => n.startsWith("convpool"));
  const peers = names.filter((n) => !n.startsWith("convpool"));
  // The JavaScript peers are pure JS; pffft OA runs pffft's WebAssembly SIMD FFT in
  // float32 and gets its own ratio column, against convpool's float32 transforms
  // (method "fft"): auto transforms float32 data in float64 wherever SciPy's auto
  // would sum directly, which pffft does not.
  const jsPeers = peers.filter((n) => n !== "pffft OA");
  const columns = [...ours, ...peers];
  const direct = cell(data, "4096x63", "convpool direct");
  lines.push(
    `**${data.runtime}** (${data.cpu ?? "cpu unknown"}, ${data.date.slice(0, 16)}Z), ` +
      "float32, full mode, median per call; the ratios are the best pure-JavaScript " +
      "peer's median (plain JS, ml-convolution, fft.js OA) divided by convpool auto's, " +
      "and pffft OA's (WebAssembly SIMD, float32 transforms) divided by convpool fft's " +
      "(float32 transforms too)" +
      (direct === undefined
        ? ":"
        : `; the direct kernel runs at ${(4096 * 63 / direct).toFixed(1)} GMAC/s at 4096x63:`),
    "",
  );
  lines.push(`| n x m | ${columns.join(" | ")} | auto vs best JS peer | fft vs pffft OA |`);
  lines.push(`|---|${columns.map(() => "---:").join("|")}|---:|---:|`);
  for (const group of GRID) {
    const auto = cell(data, group, "convpool auto");
    const best = Math.min(
      ...jsPeers.map((n) => cell(data, group, n)).filter((v) => v !== undefined),
    );
    const pffft = cell(data, group, "pffft OA");
    const fft = cell(data, group, "convpool fft");
    const versus = pffft === undefined || fft === undefined ? undefined : pffft / fft;
    versusJs.push(best / auto);
    if (versus !== undefined) versusPffft.push(versus);
    lines.push(
      `| ${group} | ${columns.map((n) => format(cell(data, group, n))).join(" | ")} | ${
        (best / auto).toFixed(1)
      }x | ${versus === undefined ? "-" : `${versus.toFixed(1)}x`} |`,
    );
  }
  lines.push("");
}

if (versusJs.length > 0) {
  // "faster" only when every ratio says so; otherwise the range is stated as speed
  const compared = (ratios, what) =>
    `${Math.min(...ratios).toFixed(1)}x to ${Math.max(...ratios).toFixed(1)}x ` +
    (Math.min(...ratios) > 1 ? `faster than ${what}` : `the speed of ${what}`);
  lines.unshift(
    `In this run, convpool auto is ${compared(versusJs, "the best pure-JavaScript peer")}` +
      (versusPffft.length > 0
        ? `, and convpool fft (float32 transforms) is ${
          compared(versusPffft, "the overlap-add on pffft's WebAssembly SIMD FFT")
        }`
        : "") +
      ", over every size and runtime below.",
    "",
  );
}

const kernels = runtimes.map(([name]) => readResults(`wasm_kernels.${name}.json`)).filter(Boolean);
if (kernels.length > 0) {
  const rfft = (data, name) =>
    data.rows.find((r) => r.group === "rfft/4096" && r.name === name)?.p50_ns;
  lines.push(
    "**Real FFT, 4096 points, float32** (`bench/wasm_kernels.bench.ts`, median per call). " +
      '"with copies": the input copied into WebAssembly memory and the spectrum copied out, ' +
      'as a user calls it; "bare": data already in linear memory. The ratio is convpool\'s ' +
      "median over pffft's (below 1: convpool is faster):",
    "",
    "| runtime | convpool, with copies | pffft ordered, with copies | ratio | convpool, bare | pffft ordered, bare | pffft unordered, bare | ratio (bare, ordered) | fft.js realTransform |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const data of kernels) {
    const ours = rfft(data, "wasm realFft (copy in+out)");
    const pffftCopies = rfft(data, "pffft-wasm simd ordered (copy in+out)");
    const oursBare = rfft(data, "wasm realFft in linear memory (no copies)");
    const pffftBare = rfft(data, "pffft-wasm simd ordered");
    lines.push(
      `| ${data.runtime} ${data.version} | ${format(ours)} | ${format(pffftCopies)} | ${
        (ours / pffftCopies).toFixed(2)
      } | ${format(oursBare)} | ${format(pffftBare)} | ${
        format(rfft(data, "pffft-wasm simd unordered"))
      } | ${(oursBare / pffftBare).toFixed(2)} | ${format(rfft(data, "fft.js realTransform"))} |`,
    );
  }
  lines.push("");
}

const scipy = readResults("scipy.json");
const present = runtimes.map(([name]) => name).filter((name) => convolveResults[name]);
if (scipy !== undefined && present.length > 0) {
  lines.push(
    `**SciPy side by side** (${scipy.runtime}, ${scipy.date.slice(0, 16)}Z; timeit medians, ` +
      "float32, full mode, the same sizes; `bench/scipy_side_by_side.py`). A ratio is " +
      "SciPy's median divided by convpool auto's (above 1: convpool is faster):",
    "",
  );
  const scipyAuto = "scipy.signal.convolve auto";
  const oa = "scipy.signal.oaconvolve";
  lines.push(
    `| n x m | SciPy auto | SciPy oaconvolve | numpy.convolve | ${
      present.map((r) => `convpool auto (${r})`).join(" | ")
    } | ${present.map((r) => `vs SciPy auto (${r})`).join(" | ")} | ${
      present.map((r) => `vs best SciPy (${r})`).join(" | ")
    } |`,
  );
  lines.push(`|---|---:|---:|---:|${present.map(() => "---:|---:|---:").join("|")}|`);
  for (const group of GRID) {
    const a = cell(scipy, group, scipyAuto);
    const o = cell(scipy, group, oa);
    const method = scipy.rows.find((r) => r.group === group && r.name === scipyAuto)?.method;
    const autos = present.map((r) => cell(convolveResults[r], group, "convpool auto"));
    const bestScipy = Math.min(a ?? Infinity, o ?? Infinity);
    lines.push(
      `| ${group} | ${format(a)}${method ? ` (${method})` : ""} | ${format(o)} | ${
        format(cell(scipy, group, "numpy.convolve"))
      } | ${autos.map(format).join(" | ")} | ${
        autos.map((v) => `${(a / v).toFixed(2)}x`).join(" | ")
      } | ${autos.map((v) => `${(bestScipy / v).toFixed(2)}x`).join(" | ")} |`,
    );
  }
  lines.push("");
}

const telemetry = runtimes.map(([name]) => readResults(`telemetry.${name}.json`)).filter(Boolean);
if (telemetry.length > 0) {
  lines.push(
    "**Telemetry overhead** (`bench/telemetry.bench.ts`: 256x16 float32 `convolve` with " +
      "`out`; median with telemetry divided by the median of an engine with " +
      "`telemetry: false`, same run; budget 1.03):",
    "",
    "| runtime | telemetry off | instrumented (OTel SDK + Prometheus, scraped every 100 ms) | ratio | naive exporter (record + add per call) | ratio |",
    "|---|---:|---:|---:|---:|---:|",
  );
  for (const t of telemetry) {
    const [off, instrumented, naive] = t.rows;
    lines.push(
      `| ${t.runtime} | ${format(off.p50)} | ${format(instrumented.p50)} | ${
        instrumented.ratioToOff.toFixed(3)
      } | ${format(naive.p50)} | ${naive.ratioToOff.toFixed(2)} |`,
    );
  }
  lines.push("");
}

const browser = readResults("browser_convolver.json");
if (browser !== undefined) {
  lines.push(
    `**In the browser** (${browser.browser}, ${browser.cpu ?? "cpu unknown"}, ${
      browser.date.slice(0, 16)
    }Z, load average ${browser.loadAverage.toFixed(1)}; \`bench/browser_convolver.bench.ts\`): ` +
      `${browser.seconds} s of noise at ${browser.sampleRate} Hz rendered in one page through ` +
      "Chromium's native `ConvolverNode` (`disableNormalization`), convpool's AudioWorklet " +
      "processor (`examples/worklet/convolver_processor.ts`, default engine) and a " +
      `pass-through worklet, interleaved, medians over ${browser.rounds} round(s). ` +
      "Times real time (above 1: faster than real time); the ratio is native's render time " +
      "over convpool's (above 1: convpool is faster); errors are max |y - reference| / " +
      "max|reference| against a float64 direct sum on sampled windows:",
    "",
    "| impulse response | native ConvolverNode | convpool worklet | pass-through worklet | native time / convpool time | error native | error convpool |",
    "|---|---:|---:|---:|---:|---:|---:|",
  );
  for (const row of browser.rows) {
    lines.push(
      `| ${row.case} (${row.taps} taps, ${row.paths} path${row.paths > 1 ? "s" : ""}) | ${
        row.nativeXRealTime.toFixed(1)
      }x | ${row.convpoolXRealTime.toFixed(1)}x | ${row.passThroughXRealTime.toFixed(0)}x | ${
        row.nativeOverConvpool.toFixed(2)
      } | ${row.nativeError.rel.toExponential(1)} | ${row.convpoolError.rel.toExponential(1)} |`,
    );
  }
  lines.push("");
}

/** The real-time table: both streaming engines and the noise control, per runtime. */
function realTimeLines() {
  const found = runtimes.map(([name]) => readResults(`streaming_realtime_engines.${name}.json`))
    .filter(Boolean);
  if (found.length === 0) return [];
  const rows = [];
  const us = (ms) => format(ms * 1e6);
  for (const data of found) {
    for (
      const [label, key] of [["mono, 96,000 taps", "mono96000"], [
        "true stereo 2x2, 192,000 taps per path",
        "trueStereo192000",
      ]]
    ) {
      const engines = data[key];
      if (engines === undefined) continue;
      for (
        const [engine, name] of [["before", "TypeScript"], ["after", "WebAssembly"], [
          "control",
          "control (same work every block)",
        ]]
      ) {
        const s = engines[engine];
        if (s === undefined) continue;
        const phase = s.worstPhaseOverP50;
        rows.push(
          `| ${data.runtime} | ${label} | ${name} | ${us(s.p50Ms)} | ${us(s.p99Ms)} | ${
            (100 * s.p99ShareOfPeriod).toFixed(1)
          }% | ${us(s.maxMs)} | ${s.maxOverP50.toFixed(1)} | ${s.p99OverP50.toFixed(2)} | ${
            phase === null || phase === undefined ? "-" : phase.toFixed(2)
          } |`,
        );
      }
    }
  }
  const first = found[0];
  return [
    `Per block, wall clock (\`bench/streaming_realtime.bench.ts\`, ${
      first.date.slice(0, 16)
    }Z, load average ${found.map((d) => d.loadAverage.toFixed(1)).join(" / ")}): 48 kHz, ` +
    "128-frame blocks (a 2.67 ms period), float32, 30 s of mono audio and 10 s of true " +
    "stereo; the engines and the control alternate every second of audio in one process. " +
    "The control is plain arithmetic that does the same work in every block, scaled to the " +
    "WebAssembly engine's p50: its max/p50 is what the machine adds. Worst phase/p50 is the " +
    "largest median over the blocks at one position of a 1024-block cycle, over the p50 " +
    "(how evenly the partitions' work is spread; - where the run is too short for it):",
    "",
    "| runtime | impulse response | engine | p50 | p99 | p99 / period | max | max/p50 | p99/p50 | worst phase/p50 |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
  ];
}

/** `readme` with the text between `<!-- bench:NAME:start -->` and its end marker replaced. */
function replaceBlock(readme, name, blockLines) {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`README.md lacks the bench:${name} markers`);
  return readme.slice(0, from + start.length) + "\n" + blockLines.join("\n") + readme.slice(to);
}

const readmePath = `${root}README.md`;
const realTime = realTimeLines();
writeFileSync(
  readmePath,
  replaceBlock(
    replaceBlock(readFileSync(readmePath, "utf8"), "convolve", lines),
    "realtime",
    realTime,
  ),
);
// `deno fmt --check` covers README.md (it is part of `npm test`): let the formatter
// align the generated tables and wrap the captions, as it would on save.
const fmt = spawnSync(bin("deno"), ["fmt", "README.md"], { cwd: root, encoding: "utf8" });
if (fmt.status !== 0) console.error(`deno fmt README.md failed: ${fmt.stderr}`);
console.log([...lines, ...realTime].join("\n"));
