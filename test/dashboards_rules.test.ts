/**
 * The alerting rules: the committed YAML equals the generator's output, every rule
 * is documented and queries only what the endpoint serves, and `promtool check
 * rules` / `promtool test rules` pass (skipped with a loud warning without
 * promtool: install Debian's `prometheus` package).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  expandTemplate,
  renderRules,
  renderRuleTests,
  RULE_FILES,
  RULES,
} from "../dashboards/convpool_rules.ts";
import { staleRules } from "../dashboards/generate.ts";
import { toYaml } from "../dashboards/yaml.ts";
import { ENGINE_ENV_VARS } from "../src/alloc/env_config.ts";
import { METRICS } from "../src/telemetry/names.ts";
import { prometheusNameOf } from "../src/telemetry/prometheus_names.ts";

const DIR = fileURLToPath(new URL("../dashboards/", import.meta.url));
const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");

const promtool = spawnSync("promtool", ["--version"]).status === 0;
if (!promtool) {
  console.warn(
    "\n!!! promtool is not installed: `promtool check rules` and `promtool test rules` are SKIPPED." +
      "\n!!! Install Debian's `prometheus` package (apt-get install -y prometheus) to run them.\n",
  );
}

function runPromtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync("promtool", args, { cwd: DIR, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every series name the endpoint serves (histograms with their suffixes), plus `up`. */
function servedSeries(): Set<string> {
  const names = new Set<string>(["up"]);
  for (const metric of Object.values(METRICS)) {
    const name = prometheusNameOf(metric);
    if (metric.kind === "histogram") {
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
    } else names.add(name);
  }
  return names;
}

describe("the alerting rules", () => {
  it("are committed as the generator writes them", async () => {
    assert.deepEqual(await staleRules(), []);
    for (const { file, render } of RULE_FILES) {
      assert.equal(readFileSync(`${DIR}${file}`, "utf8"), render(), file);
    }
  });

  it("pass promtool check rules", { skip: !promtool }, () => {
    const result = runPromtool(["check", "rules", "convpool.rules.yml"]);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, new RegExp(`SUCCESS: ${RULES.length} rules found`));
  });

  it("pass their promtool unit tests", { skip: !promtool }, () => {
    const result = runPromtool(["test", "rules", "convpool.rules.test.yml"]);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /SUCCESS/);
  });

  it("cover every issue-15 case, each with a severity, a summary and a panel", () => {
    const names = RULES.map((r) => r.alert);
    for (
      const name of [
        "ConvpoolBufferLeaked",
        "ConvpoolBufferMisuse",
        "ConvpoolPoolHitRatioLow",
        "ConvpoolHeapFallbackStackFull",
        "ConvpoolHeapFallbackPoolExhausted",
        "ConvpoolHeapFallbackTooLarge",
        "ConvpoolMemoryPressureCritical",
        "ConvpoolMemoryPressureModerate",
        "ConvpoolStackOverflows",
        "ConvpoolLatencyP99Regression",
        "ConvpoolTargetDown",
      ]
    ) assert.ok(names.includes(name), name);
    assert.equal(new Set(names).size, names.length);
    for (const rule of RULES) {
      assert.ok(["critical", "warning", "info"].includes(rule.severity), rule.alert);
      assert.ok(rule.summary.length > 10 && rule.panel.includes(" / "), rule.alert);
    }
  });

  it("name the setting to change: a config key and its environment variable", () => {
    const variables = Object.keys(ENGINE_ENV_VARS);
    for (const rule of RULES) {
      if (rule.alert === "ConvpoolTargetDown") {
        assert.match(rule.description, /serveMetrics\(\{ port, hostname \}\)/);
        continue;
      }
      const named = variables.filter((v) => new RegExp(`\\b${v}\\b`).test(rule.description));
      assert.ok(named.length > 0, `${rule.alert} names a CONVPOOL_* variable`);
      for (const variable of named) {
        const key = ENGINE_ENV_VARS[variable];
        if (rule.description.includes(`${variable}=`)) continue; // an on/off switch, e.g. CONVPOOL_AUTOTUNE=on
        assert.ok(rule.description.includes(key), `${rule.alert}: ${variable} with ${key}`);
      }
      for (const match of rule.description.matchAll(/\bCONVPOOL_[A-Z_]+/g)) {
        assert.ok(variables.includes(match[0]), `${rule.alert}: ${match[0]} is read by the engine`);
      }
    }
  });

  it("query only series the /metrics endpoint serves", () => {
    const served = servedSeries();
    for (const rule of RULES) {
      const names = rule.expr.match(/\b(convpool_[a-z_]+|up)(?=[{\[])/g) ?? [];
      assert.ok(names.length > 0, rule.alert);
      for (const name of names) assert.ok(served.has(name), `${rule.alert}: ${name}`);
    }
  });

  it("are each tested with a case that fires and one that does not", () => {
    for (const rule of RULES) {
      const checks = rule.tests.flatMap((t) => t.checks);
      assert.ok(checks.some((c) => c.alerts.length > 0), `${rule.alert} fires somewhere`);
      assert.ok(checks.some((c) => c.alerts.length === 0), `${rule.alert} stays quiet somewhere`);
    }
  });

  it("are listed in the README with their threshold and panel", () => {
    for (const rule of RULES) {
      const line = README.split("\n").find((l) => l.startsWith(`| \`${rule.alert}\``));
      assert.ok(line, `${rule.alert} has a README row`);
      assert.ok(line.includes(rule.threshold), `${rule.alert} threshold`);
      assert.ok(line.includes(rule.severity), `${rule.alert} severity`);
      assert.ok(line.includes(rule.panel.split(" / ")[1].split(";")[0]), `${rule.alert} panel`);
    }
    assert.ok(README.includes("promtool test rules dashboards/convpool.rules.test.yml"));
  });
});

describe("the rule generator's helpers", () => {
  it("expands only {{ $labels.name }} templates, and only with alert labels", () => {
    assert.equal(expandTemplate("on {{ $labels.instance }}", { instance: "a:1" }), "on a:1");
    assert.throws(() => expandTemplate("{{ $labels.pod }}", {}), /pod is not an alert label/);
    assert.throws(() => expandTemplate("{{ $value }}", {}), /unsupported template/);
  });

  it("writes YAML with JSON-quoted strings and literal blocks for several lines", () => {
    assert.equal(
      toYaml({ a: [{ b: "x\ny", c: 1 }], d: [], e: `q"'`, f: "g" }, ["head"]),
      "# head\na:\n  - b: |-\n      x\n      y\n    c: 1\nd: []\ne: 'q\"'''\nf: \"g\"\n",
    );
    assert.ok(renderRules().startsWith("# Generated by dashboards/generate.ts"));
    assert.match(renderRuleTests("x.yml"), /^rule_files:\n {2}- "x\.yml"$/m);
  });
});
