import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeCapabilities, runtimeName } from "../src/runtime/mod.ts";

describe("runtime capabilities", () => {
  it("finds everything on this runtime", () => {
    assert.deepEqual(runtimeCapabilities(), {
      repeatingTimers: true,
      clock: "sub-millisecond",
      memoryUsage: true,
      environment: true,
      base64: "atob",
    });
  });

  it("describes an AudioWorkletGlobalScope (Date only) and an empty scope", () => {
    assert.deepEqual(runtimeCapabilities({ Date }), {
      repeatingTimers: false,
      clock: "millisecond",
      memoryUsage: false,
      environment: false,
      base64: "pure",
    });
    assert.equal(runtimeCapabilities({}).clock, "none");
  });

  it("describes a page (timers, performance, atob; no process)", () => {
    const page = { setInterval, clearInterval, performance, atob, Date };
    assert.deepEqual(runtimeCapabilities(page), {
      repeatingTimers: true,
      clock: "sub-millisecond",
      memoryUsage: false,
      environment: false,
      base64: "atob",
    });
  });
});

describe("runtimeName", () => {
  it("names the runtime from structural globals, Deno and Bun before Node", () => {
    const process = { versions: { node: "22.0.0" } };
    assert.equal(runtimeName({ Deno: { version: { deno: "2.1.0" } }, process }), "deno");
    assert.equal(runtimeName({ Bun: { version: "1.2.0" }, process }), "bun");
    assert.equal(runtimeName({ process }), "node");
    assert.equal(runtimeName({}), "other");
    assert.equal(runtimeName({ Deno: {} }), "other");
  });

  it("recognizes the runtime running the test", () => {
    const g = globalThis as { Deno?: unknown; Bun?: unknown };
    const expected = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
    assert.equal(runtimeName(), expected);
  });
});
