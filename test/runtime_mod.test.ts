import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeCapabilities } from "../src/runtime/mod.ts";

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
