import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MAX_REQUESTS_PER_TURN,
  perTurnLimiter,
  tooManyRequests,
} from "../src/runtime/http/limits.ts";

describe("perTurnLimiter", () => {
  it("admits MAX_REQUESTS_PER_TURN requests of a connection per turn, counting connections apart", () => {
    const admit = perTurnLimiter();
    for (let i = 0; i < MAX_REQUESTS_PER_TURN; i++) assert.equal(admit("a|1"), true);
    assert.equal(admit("a|1"), false);
    assert.equal(admit("b|2"), true);
  });

  it("starts counting afresh in the next turn", async () => {
    const admit = perTurnLimiter();
    for (let i = 0; i <= MAX_REQUESTS_PER_TURN; i++) admit("a|1");
    assert.equal(admit("a|1"), false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(admit("a|1"), true);
  });
});

describe("tooManyRequests", () => {
  it("is a 503 that closes the connection", async () => {
    const response = tooManyRequests();
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("connection"), "close");
    assert.match(await response.text(), /Too many pipelined requests/);
  });
});
