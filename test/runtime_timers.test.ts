import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasRepeatingTimers, startRepeatingTimer } from "../src/runtime/timers.ts";

describe("runtime timers", () => {
  it("runs an unref'd repeating timer on this runtime until stopped", async () => {
    assert.equal(hasRepeatingTimers(), true);
    let ticks = 0;
    let timer: ReturnType<typeof startRepeatingTimer>;
    // The timer is unref'd: a plain timeout keeps the event loop alive meanwhile.
    const keepAlive = setTimeout(() => {}, 10_000);
    await new Promise<void>((resolve) => {
      timer = startRepeatingTimer(2, () => {
        if (++ticks !== 3) return;
        timer!.stop();
        timer!.stop();
        resolve();
      });
    });
    clearTimeout(keepAlive);
    assert.equal(timer!.unrefed, true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ticks, 3, "no tick after stop()");
  });

  it("returns undefined in a scope without setInterval/clearInterval (an AudioWorklet)", () => {
    assert.equal(hasRepeatingTimers({}), false);
    assert.equal(hasRepeatingTimers({ setInterval }), false);
    assert.equal(startRepeatingTimer(5, () => {}, {}), undefined);
  });

  it("unrefs numeric handles through Deno.unrefTimer and says when it cannot", () => {
    const unrefed: unknown[] = [];
    const cleared: unknown[] = [];
    const scope = {
      setInterval: () => 42,
      clearInterval: (id: unknown) => cleared.push(id),
      Deno: { unrefTimer: (id: number) => unrefed.push(id) },
    };
    const timer = startRepeatingTimer(1000, () => {}, scope)!;
    assert.equal(timer.unrefed, true);
    assert.deepEqual(unrefed, [42]);
    timer.stop();
    assert.deepEqual(cleared, [42]);
    const plain = startRepeatingTimer(1000, () => {}, {
      setInterval: () => 7,
      clearInterval: () => {},
    })!;
    assert.equal(plain.unrefed, false, "a page's numeric handle cannot be unref'd");
    plain.stop();
  });
});
