// `npm run bench`: runs bench/convolve.bench.ts on Node, Deno and Bun, then rewrites the
// benchmark table in README.md (between the bench:convolve markers) from the JSON results.
//
//   node scripts/bench_all.mjs            run all three runtimes, then update the README
//   node scripts/bench_all.mjs --table    only rebuild the table from existing JSON
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const runtimes = [
  ["node", process.execPath, ["--expose-gc", "--import", "tsx", "bench/convolve.bench.ts"]],
  ["deno", bin("deno"), ["run", "-A", "--v8-flags=--expose-gc", "bench/convolve.bench.ts"]],
  ["bun", bin("bun"), ["bench/convolve.bench.ts"]],
];

if (!process.argv.includes("--table")) {
  for (const [name, command, args] of runtimes) {
    console.log(`\n===== ${name}`);
    const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

function format(ns) {
  if (ns === undefined) return "-";
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} us`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}

const lines = [];
for (const [name] of runtimes) {
  const data = JSON.parse(readFileSync(`${root}bench/results/convolve.${name}.json`, "utf8"));
  const groups = [...new Set(data.rows.map((r) => r.group))];
  const names = [...new Set(data.rows.map((r) => r.name))];
  lines.push(
    `**${data.runtime}** (${data.cpu ?? "cpu unknown"}, ${
      data.date.slice(0, 10)
    }), median per call; ` +
      "the last column is the best peer's median divided by convpool auto's:",
    "",
  );
  lines.push(`| n x m | ${names.join(" | ")} | auto speed-up vs best peer |`);
  lines.push(`|---|${names.map(() => "---:").join("|")}|---:|`);
  for (const group of groups) {
    const cell = (n) => data.rows.find((r) => r.group === group && r.name === n)?.p50;
    const auto = cell("convpool auto");
    const peers = names.filter((n) => !n.startsWith("convpool")).map(cell).filter((v) =>
      v !== undefined
    );
    const best = Math.min(...peers);
    lines.push(
      `| ${group} | ${names.map((n) => format(cell(n))).join(" | ")} | ${
        (best / auto).toFixed(1)
      }x |`,
    );
  }
  lines.push("");
}

const readmePath = `${root}README.md`;
const readme = readFileSync(readmePath, "utf8");
const start = "<!-- bench:convolve:start -->";
const end = "<!-- bench:convolve:end -->";
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < 0) throw new Error("README.md lacks the bench:convolve markers");
writeFileSync(
  readmePath,
  readme.slice(0, from + start.length) + "\n" + lines.join("\n") + readme.slice(to),
);
console.log(lines.join("\n"));
