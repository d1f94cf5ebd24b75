import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { needsTsxBootstrap, tsxBootstrap } from "../src/runtime/workers/threads.ts";

describe("needsTsxBootstrap", () => {
  it("is true for a .ts entry on anything but Deno", () => {
    const ts = new URL("file:///pkg/src/parallel/worker.ts");
    const js = new URL("file:///pkg/src/parallel/worker.js");
    assert.equal(needsTsxBootstrap(ts, {}), true);
    assert.equal(needsTsxBootstrap(ts, { Deno: {} }), false);
    assert.equal(needsTsxBootstrap(js, {}), false);
  });
});

describe("tsxBootstrap", () => {
  it("registers tsx's loader, then imports the entry", () => {
    const url = new URL("file:///pkg/src/parallel/worker.ts");
    const script = tsxBootstrap(url);
    assert.match(script, /^import\("[^"]*tsx[^"]*"\)\.then\(\(tsx\) => tsx\.register\(\)\)/);
    assert.ok(script.endsWith(`.then(() => import(${JSON.stringify(url.href)}))`), script);
  });
});
