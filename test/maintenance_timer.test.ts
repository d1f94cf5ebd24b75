import assert from "node:assert/strict";
import { test } from "node:test";
import { startMaintenanceTimer } from "../src/maintenance_timer.ts";

test("the maintenance timer runs its pass periodically and stops on request", async () => {
  let passes = 0;
  const timer = startMaintenanceTimer(5, () => {
    passes++;
    if (passes === 1) throw new Error("a failing pass is swallowed");
  });
  assert.equal(timer.unrefed, true);
  await new Promise((r) => setTimeout(r, 60));
  timer.stop();
  timer.stop();
  const seen = passes;
  assert.ok(seen >= 2, `only ${seen} passes`);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(passes, seen);
});

test("without setInterval (an AudioWorklet) nothing is scheduled and nothing throws", () => {
  const scope = globalThis as { setInterval?: unknown };
  const saved = scope.setInterval;
  delete scope.setInterval;
  try {
    let passes = 0;
    const timer = startMaintenanceTimer(5, () => passes++);
    assert.equal(timer.scheduled, false);
    assert.equal(timer.unrefed, false);
    timer.stop();
    assert.equal(passes, 0);
  } finally {
    scope.setInterval = saved;
  }
  const timer = startMaintenanceTimer(5, () => {});
  assert.equal(timer.scheduled, true);
  timer.stop();
});
