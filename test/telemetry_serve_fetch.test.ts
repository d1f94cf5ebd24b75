import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serveFetch, urlHost } from "../src/telemetry/serve_fetch.ts";

describe("serveFetch", () => {
  it("serves a fetch handler with the running runtime's server and passes method, path and headers", async () => {
    const server = await serveFetch((request) => {
      const url = new URL(request.url);
      return Promise.resolve(
        new Response(
          `${request.method} ${url.pathname}${url.search} ${request.headers.get("x-test")}`,
          { headers: { "x-reply": "yes" } },
        ),
      );
    });
    try {
      assert.ok(["deno", "bun", "node"].includes(server.runtime));
      assert.ok(server.port > 0);
      const response = await fetch(`http://${urlHost(server.hostname, server.port)}/a/b?c=1`, {
        headers: { "x-test": "42" },
      });
      assert.equal(response.headers.get("x-reply"), "yes");
      assert.equal(await response.text(), "GET /a/b?c=1 42");
    } finally {
      await server.close();
    }
  });

  it("answers 500 when the handler fails", async () => {
    const server = await serveFetch(() => Promise.reject(new Error("boom")));
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/`);
      assert.equal(response.status, 500);
      await response.body?.cancel();
    } finally {
      await server.close();
    }
  });

  it("rejects a port outside [0, 65535] with a RangeError quoting it", async () => {
    await assert.rejects(
      serveFetch(() => Promise.resolve(new Response()), { port: -1 }),
      /received -1/,
    );
  });
});

describe("urlHost", () => {
  it("puts IPv6 literals in brackets", () => {
    assert.equal(urlHost("::1", 80), "[::1]:80");
    assert.equal(urlHost("127.0.0.1", 80), "127.0.0.1:80");
  });
});
