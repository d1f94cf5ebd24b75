import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CrashInjection, WORKER_POOL_TEST_SETTINGS } from "../src/parallel/crash_injection.ts";
import * as browserStandIn from "../src/parallel/worker_pool_browser.ts";

describe("crash_injection", () => {
  it("keeps one crash per pool, apart for each pool", () => {
    const [a, b] = [{}, {}];
    const crash: CrashInjection = { after: 2, how: "close" };
    WORKER_POOL_TEST_SETTINGS.nextCrash.set(a, crash);
    assert.equal(WORKER_POOL_TEST_SETTINGS.nextCrash.get(a), crash);
    assert.equal(WORKER_POOL_TEST_SETTINGS.nextCrash.has(b), false);
    WORKER_POOL_TEST_SETTINGS.nextCrash.delete(a);
    assert.equal(WORKER_POOL_TEST_SETTINGS.nextCrash.has(a), false);
  });

  it("is not part of the browser build's stand-in for worker_pool.ts", () => {
    assert.ok(!("WORKER_POOL_TEST_SETTINGS" in browserStandIn));
  });
});
