import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { encodedReply } from "../src/runtime/http/encoded_reply.ts";
import {
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_REQUESTS_PER_TURN,
  MAX_UNSENT_BYTES_PER_CONNECTION,
} from "../src/runtime/http/limits.ts";
import { serveNode } from "../src/runtime/http/node.ts";

// serveNode is what serveFetch runs on Node; Deno and Bun serve with their own servers.
const onNode = typeof (globalThis as { Deno?: unknown }).Deno !== "object" &&
  typeof (globalThis as { Bun?: unknown }).Bun !== "object";

const MiB = 1024 * 1024;

describe("serveNode", { skip: !onNode }, () => {
  it("parses no more of a connection's requests while its answers wait to be read", async () => {
    const body = new Uint8Array(MiB).fill(120);
    let handled = 0;
    const server = await serveNode(
      () => {
        handled++;
        return Promise.resolve(new Response(body));
      },
      0,
      "127.0.0.1",
    );
    const socket = connect(server.port, "127.0.0.1");
    try {
      socket.pause();
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      const n = 100;
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(n));
      // Let the server go as far as it will without the client reading.
      let previous = -1;
      while (handled !== previous) {
        previous = handled;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The socket buffers hold a few MiB (a few answers of 1 MiB); beyond them, at most
      // MAX_PENDING_REQUESTS_PER_CONNECTION answers wait, and the last turn may have
      // parsed MAX_REQUESTS_PER_TURN more.
      const bound = MAX_PENDING_REQUESTS_PER_CONNECTION + MAX_REQUESTS_PER_TURN + 16;
      assert.ok(handled <= bound, `${handled} requests handled while the client read nothing`);
      assert.ok(handled >= 1);
      // In the process, answers of 1 MiB wait only while less than
      // MAX_UNSENT_BYTES_PER_CONNECTION waited when their turn began: at most one turn's.
      const unsentBound = MAX_UNSENT_BYTES_PER_CONNECTION + MAX_REQUESTS_PER_TURN * MiB;
      assert.ok(
        server.peakUnsentBytes() <= unsentBound,
        `${server.peakUnsentBytes()} bytes of answers waited to be written`,
      );
      assert.ok(server.peakUnsentBytes() >= MiB);

      // Once the client reads, every request is answered, in order.
      let received = 0;
      let statuses = 0;
      let tail = "";
      await new Promise<void>((resolve) => {
        socket.on("data", (chunk: Uint8Array) => {
          received += chunk.byteLength;
          const text = tail + new TextDecoder("latin1").decode(chunk);
          statuses += text.match(/HTTP\/1\.1 200 /g)?.length ?? 0;
          tail = text.slice(-12); // shorter than a status line: none is counted twice
          if (statuses === n && received >= n * MiB) resolve();
        });
        socket.resume();
      });
      assert.equal(handled, n);
    } finally {
      socket.destroy();
      await server.close();
    }
  });

  it("writes one encoded body, shared by its replies, to every request", async () => {
    const body = new Uint8Array(40_000).map((_, i) => i % 251);
    const reply = encodedReply(200, { "content-type": "application/octet-stream" }, body);
    const server = await serveNode(() => Promise.resolve(reply), 0, "127.0.0.1");
    try {
      const url = `http://127.0.0.1:${server.port}/`;
      for (let i = 0; i < 3; i++) {
        const response = await fetch(url);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("content-type"), "application/octet-stream");
        assert.equal(response.headers.get("content-length"), String(body.byteLength));
        assert.deepEqual(new Uint8Array(await response.arrayBuffer()), body);
      }
      const head = await fetch(url, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal((await head.arrayBuffer()).byteLength, 0);
      // The replies were written as they are, never modified.
      assert.ok(body.every((value, i) => value === i % 251));
      // Once written, none of the body's bytes count as waiting.
      assert.ok(server.peakUnsentBytes() <= body.byteLength);
    } finally {
      await server.close();
    }
  });

  it("close() returns the same promise when called again", async () => {
    const server = await serveNode(() => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
    const first = server.close();
    assert.equal(server.close(), first);
    await first;
  });
});
