import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clockOf } from "../src/runtime/clock.ts";

describe("runtime clock", () => {
  it("uses performance.now on this runtime", () => {
    const clock = clockOf();
    assert.equal(clock.resolution, "sub-millisecond");
    const a = clock.now();
    const b = clock.now();
    assert.ok(Number.isFinite(a) && b >= a);
  });

  it("falls back to Date.now (whole milliseconds), as in an AudioWorklet", () => {
    const clock = clockOf({ Date: { now: () => 1234 } });
    assert.equal(clock.resolution, "millisecond");
    assert.equal(clock.now(), 1234);
  });

  it("calls performance.now with its receiver", () => {
    const performance = {
      origin: 10,
      now(this: { origin: number }): number {
        return this.origin + 0.5;
      },
    };
    assert.equal(clockOf({ performance }).now(), 10.5);
  });

  it("returns NaN without any clock, so elapsed times read as not timed", () => {
    const clock = clockOf({});
    assert.equal(clock.resolution, "none");
    assert.ok(Number.isNaN(clock.now() - clock.now()));
  });
});
