import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closeOnce, urlHost } from "../src/runtime/http/server.ts";

describe("urlHost", () => {
  it("brackets IPv6 literals only", () => {
    assert.equal(urlHost("127.0.0.1", 9464), "127.0.0.1:9464");
    assert.equal(urlHost("localhost", 80), "localhost:80");
    assert.equal(urlHost("::1", 9464), "[::1]:9464");
  });
});

describe("closeOnce", () => {
  it("runs close once and hands every caller the first call's promise", async () => {
    let runs = 0;
    const close = closeOnce(() => {
      runs++;
      return Promise.resolve();
    });
    const first = close();
    assert.equal(close(), first);
    await first;
    await close();
    assert.equal(runs, 1);
  });
});
