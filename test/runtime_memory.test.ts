import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeMemoryUsage } from "../src/runtime/memory.ts";

describe("runtime memory usage", () => {
  it("reads rss and heapUsed on this runtime", () => {
    const read = runtimeMemoryUsage();
    assert.ok(read !== undefined);
    const usage = read();
    assert.ok(usage.rss > 0 && usage.heapUsed > 0);
  });

  it("prefers process.memoryUsage, then Deno.memoryUsage, and fills missing figures with 0", () => {
    const both = runtimeMemoryUsage({
      process: { memoryUsage: () => ({ rss: 1, heapUsed: 2 }) },
      Deno: { memoryUsage: () => ({ rss: 3, heapUsed: 4 }) },
    });
    assert.deepEqual(both?.(), { rss: 1, heapUsed: 2 });
    const deno = runtimeMemoryUsage({ Deno: { memoryUsage: () => ({ rss: 3 }) } });
    assert.deepEqual(deno?.(), { rss: 3, heapUsed: 0 });
  });

  it("is undefined where the runtime cannot tell (pages, worklets)", () => {
    assert.equal(runtimeMemoryUsage({}), undefined);
    assert.equal(runtimeMemoryUsage({ process: {} }), undefined);
  });
});
