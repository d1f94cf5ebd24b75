// `npm test`: the whole suite on Deno, Bun and Node, the type checks, lint, format,
// the JSR dry run and the packaging test. Every step runs even after a failure so
// one run shows everything; the exit code is non-zero when any step failed.
//
//   node scripts/test_all.mjs              all steps
//   node scripts/test_all.mjs deno node    only the steps whose names are given
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const testFiles = readdirSync(`${root}test`).filter((f) => f.endsWith(".test.ts")).sort()
  .map((f) => `test/${f}`);

const steps = [
  // Through the task, so that `npm test` also proves `deno task` works from an npm install.
  ["deno", bin("deno"), ["task", "test"]],
  ["bun", bin("bun"), ["test", "--timeout", "120000", "./test/"]],
  ["node", process.execPath, ["--expose-gc", "--import", "tsx", "--test", ...testFiles]],
  ["deno-check", bin("deno"), [
    "check",
    "mod.ts",
    "src/",
    "test/",
    "bench/",
    "examples/",
    "dashboards/",
    "scripts/",
  ]],
  ["tsc", bin("tsc"), ["--noEmit", "-p", "."]],
  ["lint", bin("deno"), ["lint"]],
  ["fmt", bin("deno"), ["fmt", "--check"]],
  ["publish-dry-run", bin("deno"), ["publish", "--dry-run", "--allow-dirty"]],
  ["package", process.execPath, ["scripts/package_test.mjs"]],
];

const wanted = process.argv.slice(2);
const selected = wanted.length ? steps.filter(([name]) => wanted.includes(name)) : steps;
const failed = [];
for (const [name, command, args] of selected) {
  console.log(`\n===== ${name}: ${[command.replace(root, ""), ...args].join(" ")}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(
    `===== ${name}: ${
      ok ? "ok" : `FAILED (exit ${result.status ?? result.signal})`
    } in ${seconds}s`,
  );
  if (!ok) failed.push(name);
}
console.log(`\nfailed steps: ${failed.length ? failed.join(", ") : "none"}`);
console.log(`checks: ${selected.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
