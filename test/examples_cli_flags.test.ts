import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { durationFlag, portFlag } from "../examples/cli_flags.ts";

describe("the examples' flags", () => {
  it("accept positive durations and ports in range, and leave absent flags undefined", () => {
    assert.equal(durationFlag("0.5"), 0.5);
    assert.equal(durationFlag(undefined), undefined);
    assert.equal(portFlag("0"), 0);
    assert.equal(portFlag("9464"), 9464);
    assert.equal(portFlag(undefined), undefined);
  });

  it("reject anything else with a RangeError quoting it", () => {
    for (const bad of ["0", "-1", "abc", "Infinity", ""]) {
      assert.throws(() => durationFlag(bad), {
        name: "RangeError",
        message: new RegExp(`received "${bad}"`),
      });
    }
    for (const bad of ["65536", "1.5", "-1", "port"]) {
      assert.throws(() => portFlag(bad), {
        name: "RangeError",
        message: new RegExp(`received "${bad}"`),
      });
    }
  });
});
