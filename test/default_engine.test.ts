import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { getDefaultEngine } from "../src/default_engine.ts";
import { ROOT, RUNTIMES } from "./helpers/runtimes.ts";

describe("the default engine", () => {
  it("is created once and reused", () => {
    assert.equal(getDefaultEngine(), getDefaultEngine());
  });

  for (const [runtime, prefix] of Object.entries(RUNTIMES)) {
    it(`takes its settings from CONVPOOL_* environment variables under ${runtime}`, () => {
      const directory = mkdtempSync(join(tmpdir(), "convpool-env-"));
      try {
        const script = join(directory, "print_stack_bytes.mts");
        const module = pathToFileURL(join(ROOT, "src/default_engine.ts")).href;
        writeFileSync(
          script,
          `import { getDefaultEngine } from ${JSON.stringify(module)};\n` +
            "console.log(getDefaultEngine().getStats().stack.capacityBytes);\n",
        );
        const [command, ...args] = prefix;
        const result = spawnSync(command, [...args, script], {
          cwd: ROOT,
          encoding: "utf8",
          env: { ...process.env, CONVPOOL_STACK_BYTES: "64KiB", CONVPOOL_POOL_MAX_BYTES: "1MiB" },
        });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout.trim(), "65536");
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  }
});
