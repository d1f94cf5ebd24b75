import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ENGINE_ENV_VARS } from "../src/alloc/env_config.ts";
import { METRICS } from "../src/telemetry/names.ts";
import { prometheusNameOf } from "../src/telemetry/prometheus_names.ts";
import {
  asRepositoryModule,
  readmeCodeBlocks,
  type ReadmeRuntime,
  writeBlockModules,
  writeRunner,
} from "./helpers/readme_blocks.ts";
import { ROOT, RUNTIMES } from "./helpers/runtimes.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = readmeCodeBlocks(readme);

/** The runtime running this test. */
const runtime: ReadmeRuntime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

function where(line: number): string {
  const block = blocks.find((b) => b.line === line)!;
  return `README.md:${line} (under "${block.heading}")`;
}

describe("the README", () => {
  it("lists every metric under its Prometheus and OpenTelemetry names", () => {
    for (const metric of Object.values(METRICS)) {
      assert.ok(readme.includes(`\`${prometheusNameOf(metric)}\``), metric.name);
      assert.ok(readme.includes(metric.name), metric.name);
    }
  });

  it("documents every CONVPOOL_* environment variable", () => {
    for (const variable of Object.keys(ENGINE_ENV_VARS)) {
      assert.ok(readme.includes(variable), variable);
    }
  });

  it("points the AudioWorklet recipe at the processor file the browser test renders with", () => {
    assert.ok(readme.includes("](examples/worklet/convolver_processor.ts)"));
    const test = readFileSync(new URL("./browser_worklet.test.ts", import.meta.url), "utf8");
    assert.ok(test.includes('"examples/worklet/convolver_processor.ts"'));
  });

  it("leads Install with the path that works before publication: a clone, pack_npm.mjs, the tarball", () => {
    const start = readme.indexOf("\n## Install");
    const install = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const npm = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    // scripts/pack_npm.mjs writes <name>-<version>.tgz; scripts/package_test.mjs installs such
    // a tarball with npm and imports it from Node, Bun and Deno.
    const tarball = `${npm.name}-${npm.version}.tgz`;
    const pack = install.indexOf("node scripts/pack_npm.mjs");
    assert.ok(pack > 0, "Install shows node scripts/pack_npm.mjs");
    assert.ok(install.includes(`npm install ../convpool/${tarball}`), tarball);
    assert.ok(install.indexOf("npm i convpool") > pack, "registry commands come after");
    assert.match(install, /not yet published/);
  });

  it("keeps the two quick-start commands", () => {
    assert.ok(readme.includes("npm install && npm start"));
    assert.ok(readme.includes("npm test"));
  });
});

describe("the README's code blocks", () => {
  it("are found: ts/js fences are code to run, on every runtime or the one their heading names", () => {
    assert.ok(blocks.length >= 8, `${blocks.length} blocks`);
    for (const name of ["deno", "bun", "node"] as const) {
      assert.ok(blocks.some((b) => b.runtimes.length === 1 && b.runtimes[0] === name), name);
    }
  });

  it("are read by runtime heading and fence language, with the package mapped to the sources", () => {
    const sample = [
      "## Quick start",
      "```sh",
      "npm test",
      "```",
      "### Bun",
      "  ```ts",
      '  import { serveMetrics } from "convpool/prometheus";',
      "  ```",
      "## Other",
      "```js",
      'import { convolve } from "npm:convpool@0.1.0";',
      "```",
    ].join("\n");
    const [bun, other, ...rest] = readmeCodeBlocks(sample);
    assert.equal(rest.length, 0);
    assert.deepEqual([bun.line, bun.language, bun.runtimes], [6, "ts", ["bun"]]);
    assert.deepEqual([other.language, other.runtimes], ["js", ["deno", "bun", "node"]]);
    assert.equal(
      asRepositoryModule(bun.code + "\nserveMetrics({ port: 9464 });", "/r/.tmp/x/a.ts", "/r"),
      'import { serveMetrics } from "../../src/prometheus.ts";\nserveMetrics({ port: 0 });\n' +
        "export {};\n",
    );
    assert.match(asRepositoryModule(other.code, "/r/.tmp/a.js", "/r"), /from "\.\.\/mod\.ts"/);
  });

  it("use no `using` declaration, which Node 20 lacks (tsx would hide that by lowering it)", () => {
    for (const block of blocks) {
      assert.doesNotMatch(block.code, /^\s*(await\s+)?using\s+[\w{[]/m, where(block.line));
    }
  });

  it(`run as written on ${runtime}, all of this runtime's blocks in one process`, () => {
    const mine = blocks.filter((b) => b.runtimes.includes(runtime));
    assert.ok(mine.length > 0);
    const dir = join(ROOT, ".tmp", "readme", runtime);
    const files = writeBlockModules(mine, dir, ROOT);
    const runner = writeRunner(files, dir);
    const [command, ...prefix] = RUNTIMES[runtime];
    const result = spawnSync(command, [...prefix, runner], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    const failures = mine.filter((_block, i) => {
      const name = files[i].slice(dir.length + 1);
      return !result.stdout.includes(`readme-block ok ./${name}`);
    });
    assert.deepEqual(
      failures.map((b) => where(b.line)),
      [],
      `exit ${result.status ?? result.signal}\n${result.stderr}`,
    );
    assert.equal(result.status, 0, result.stderr);
  });

  it("type-check under strict TypeScript (tsc --strict; under Deno also deno check)", () => {
    const typescript = blocks.filter((b) => b.language === "ts");
    // Blocks using Deno's or Bun's own globals have no types under tsc (deno check
    // covers Deno's; Bun's are only run).
    const forTsc = typescript.filter((b) => !/\b(Deno|Bun)\./.test(b.code));
    const denoOnly = typescript.filter((b) => b.runtimes.length === 1 && b.runtimes[0] === "deno");
    const dir = join(ROOT, ".tmp", "readme", `${runtime}-check`);
    const tscFiles = writeBlockModules(forTsc, join(dir, "tsc"), ROOT);
    const tsconfig = join(dir, "tsc", "tsconfig.json");
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: "../../../../tsconfig.json",
        compilerOptions: { strict: true, noEmit: true },
        include: tscFiles.map((file) => file.slice(join(dir, "tsc").length + 1)),
      }),
    );
    const tsc = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", tsconfig], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(tsc.status, 0, `tsc --strict:\n${tsc.stdout}${tsc.stderr}`);
    if (runtime !== "deno" || denoOnly.length === 0) return;
    const denoFiles = writeBlockModules(denoOnly, join(dir, "deno"), ROOT);
    const check = spawnSync(join(ROOT, "node_modules/.bin/deno"), ["check", ...denoFiles], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(check.status, 0, `deno check:\n${check.stdout}${check.stderr}`);
  });
});
