import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bunServer } from "../src/runtime/http/bun.ts";
import { denoServer } from "../src/runtime/http/deno.ts";
import { serveOnRuntime } from "../src/runtime/http/mod.ts";
import { runtimeName } from "../src/runtime/mod.ts";

describe("runtime server probes", () => {
  it("find serve only where it is a function", () => {
    const serve = () => {};
    assert.equal(denoServer({}), undefined);
    assert.equal(denoServer({ Deno: { version: { deno: "2" } } }), undefined);
    assert.equal(typeof denoServer({ Deno: { serve } })?.serve, "function");
    assert.equal(bunServer({}), undefined);
    assert.equal(bunServer({ Bun: { serve: 1 } }), undefined);
    assert.equal(typeof bunServer({ Bun: { serve } })?.serve, "function");
  });

  it("find this runtime's server on Deno and Bun only", () => {
    assert.equal(denoServer() !== undefined, runtimeName() === "deno");
    assert.equal(bunServer() !== undefined, runtimeName() === "bun");
  });
});

describe("serveOnRuntime", () => {
  it("serves with this runtime's server, answering Responses and encoded replies", async () => {
    const server = await serveOnRuntime(
      (request) =>
        Promise.resolve(
          new URL(request.url).pathname === "/bytes"
            ? {
              status: 200,
              headers: { "content-type": "text/plain" },
              body: new Uint8Array([111, 107]),
            }
            : new Response("hello"),
        ),
      0,
      "127.0.0.1",
    );
    try {
      assert.equal(server.runtime, runtimeName());
      assert.ok(server.port > 0);
      const base = `http://127.0.0.1:${server.port}`;
      assert.equal(await (await fetch(`${base}/`)).text(), "hello");
      const bytes = await fetch(`${base}/bytes`);
      assert.equal(bytes.status, 200);
      assert.equal(await bytes.text(), "ok");
    } finally {
      await server.close();
    }
  });
});
