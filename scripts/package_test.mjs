// Packaging test: builds the npm tarball with `deno pack`, installs it into a scratch
// project and imports and calls it from Node, Bun and Deno, the way a user would.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { packNpm, run } from "./pack_npm.mjs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);

function listFiles(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(directory, entry.name)) : [join(directory, entry.name)]
  );
}

const scratch = mkdtempSync(join(tmpdir(), "convpool-package-"));
try {
  const tarball = join(scratch, "convpool.tgz");
  const manifest = packNpm(tarball);
  console.log(
    `tarball: ${manifest.name}@${manifest.version}, dependencies ${
      JSON.stringify(manifest.dependencies ?? {})
    }`,
  );
  if (manifest.name !== "convpool") {
    throw new Error(`tarball is named ${JSON.stringify(manifest.name)}, expected "convpool"`);
  }

  // Every bare import in the shipped JavaScript must be a declared dependency.
  const unpacked = join(scratch, "unpacked");
  mkdirSync(unpacked);
  run("tar", ["-xzf", tarball, "-C", unpacked]);
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  for (const file of listFiles(join(unpacked, "package")).filter((f) => f.endsWith(".js"))) {
    for (
      const [, specifier] of readFileSync(file, "utf8").matchAll(
        /^(?:import|export)\b[^;]*?\bfrom\s*"([^"./][^"]*)"/gm,
      )
    ) {
      if (specifier.startsWith("node:")) continue;
      const name = specifier.startsWith("@")
        ? specifier.split("/").slice(0, 2).join("/")
        : specifier.split("/")[0];
      if (!declared.has(name)) {
        throw new Error(`${file} imports ${specifier}, which the tarball does not declare`);
      }
    }
  }

  // Every file the browser field points at is shipped as JavaScript: bundlers other
  // than esbuild do not fall back from a missing .js to its .ts source.
  for (const [from, to] of Object.entries(manifest.browser ?? {})) {
    for (const path of [from, to]) {
      if (!path.endsWith(".js") || !existsSync(join(unpacked, "package", path))) {
        throw new Error(`the browser field names ${path}, which the tarball lacks as JavaScript`);
      }
    }
  }

  const project = join(scratch, "project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "scratch", type: "module", private: true }),
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: project });
  writeFileSync(
    join(project, "smoke.mjs"),
    `import { convolve, correlate } from "convpool";
const y = convolve(new Float32Array([1, 2, 3]), new Float32Array([1, 1]));
const z = correlate(new Float64Array([1, 2, 3]), new Float64Array([1, 0]), { mode: "same" });
if (!(y instanceof Float32Array) || y.join() !== "1,3,5,3") throw new Error("convolve gave " + y);
if (!(z instanceof Float64Array) || z.join() !== "0,1,2") throw new Error("correlate gave " + z);
const { StreamingConvolver, closeParallelWorkers, convolutionBatchParallel } = await import("convpool");
const streamed = new StreamingConvolver(new Float32Array([1, 1])).process(new Float32Array([1, 2, 3]));
if (Array.from(streamed).join() !== "1,3,5") throw new Error("StreamingConvolver gave " + streamed);
const [parallel] = await convolutionBatchParallel([[new Float32Array([1, 2, 3]), new Float32Array([1, 1])]], { workers: 2 });
if (Array.from(parallel).join() !== "1,3,5,3") throw new Error("convolutionBatchParallel gave " + parallel);
await closeParallelWorkers();
const { createMetricsHandler } = await import("convpool/prometheus");
const { getDefaultEngine } = await import("convpool");
const response = await createMetricsHandler({ engine: getDefaultEngine() })(new Request("http://localhost/metrics"));
const text = await response.text();
if (response.status !== 200 || !text.includes("convpool_operations_total")) throw new Error("metrics: " + response.status + " " + text.slice(0, 200));
console.log("convpool from the tarball works:", y.join(), "|", z.join(), "| /metrics", text.length, "bytes");
`,
  );
  for (
    const [runtime, command, args] of [
      ["node", process.execPath, ["smoke.mjs"]],
      ["bun", bin("bun"), ["smoke.mjs"]],
      ["deno", bin("deno"), ["run", "-A", "smoke.mjs"]],
    ]
  ) {
    const output = run(command, args, { cwd: project });
    console.log(`${runtime}: ${output.trim()}`);
  }

  // A browser bundle of the installed package has no node: import, and its parallel
  // entry point is the stand-in that says what it needs.
  writeFileSync(join(project, "page.mjs"), `export * from "convpool";\n`);
  run(bin("esbuild"), ["page.mjs", "--bundle", "--platform=browser", "--outfile=page.js"], {
    cwd: project,
  });
  const page = readFileSync(join(project, "page.js"), "utf8");
  if (/["']node:/.test(page) || !page.includes("needs worker threads")) {
    throw new Error("the browser bundle of the package still reaches Node-only modules");
  }
  console.log(`browser bundle of the package: ${page.length} bytes, no node: imports`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
