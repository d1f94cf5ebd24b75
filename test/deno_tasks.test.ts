import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

const config = JSON.parse(readFileSync(new URL("../deno.json", import.meta.url), "utf8")) as {
  tasks: Record<string, string>;
};

/** The program each command of a task line runs (split on `&&`, `||`, `;` and `|`). */
function programsOf(task: string): string[] {
  return task.split(/&&|\|\||;|\|/).map((command) => command.trim().split(/\s+/)[0]);
}

describe("deno.json tasks", () => {
  it("never run a bare `deno`, which deno task would resolve to node_modules/.bin/deno", () => {
    // `deno task` puts node_modules/.bin first and runs its entries as JavaScript
    // modules; after `npm install`, .bin/deno is the Deno binary itself, and running
    // it as a module fails with "Invalid or unexpected token". The tasks name the
    // binary by path instead (`npm test` runs `deno task test`, which proves it).
    for (const [name, task] of Object.entries(config.tasks)) {
      for (const program of programsOf(task)) {
        assert.notEqual(program, "deno", `task ${name}: ${task}`);
      }
    }
  });

  it("include start, test, bench and build:wasm, as the README shows them", () => {
    for (const name of ["start", "test", "bench", "build:wasm"]) {
      assert.ok(name in config.tasks, name);
    }
  });
});
