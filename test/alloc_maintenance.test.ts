import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOT, RUNTIMES } from "./helpers/runtimes.ts";

const SCRIPT = `
import { createEngine } from ${
  JSON.stringify(pathToFileURL(join(ROOT, "src/alloc/engine.ts")).href)
};
const engine = createEngine({ maintenanceIntervalMs: 20 });
const other = createEngine();
for (let i = 0; i < 100; i++) engine.release(engine.acquireFloat32(100 + (i % 3)));
other.release(other.acquireFloat64(10));
console.log("done", engine.maintenanceTimerUnrefed, other.maintenanceTimerUnrefed);
`;

for (const [name, [command, ...args]] of Object.entries(RUNTIMES)) {
  test(`a script using the engine exits on its own under ${name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "convpool-exit-"));
    try {
      const file = join(dir, "uses_engine.mts");
      writeFileSync(file, SCRIPT);
      const started = Date.now();
      const result = spawnSync(command, [...args, file], {
        cwd: ROOT,
        timeout: 30_000,
        encoding: "utf8",
      });
      const elapsed = Date.now() - started;
      assert.equal(result.error, undefined, String(result.error));
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /done true true/);
      // The default interval is 5 s: exiting well before it proves the timer does not hold the process.
      assert.ok(elapsed < 4_500, `took ${elapsed} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
