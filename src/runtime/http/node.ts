/**
 * The `node:http` side of `serveFetch`, with work per connection bounded. node:http
 * parses every request in a chunk it reads (up to 64 KiB, some 1,800 pipelined
 * requests) in one task; here each connection's input reaches the parser through a
 * throttle instead, which hands on at most {@linkcode REQUESTS_PER_TURN} requests (and
 * at most {@linkcode INPUT_SLICE_BYTES}) per turn of the event loop, and nothing
 * while {@linkcode MAX_PENDING_REQUESTS_PER_CONNECTION} of the connection's responses,
 * or {@linkcode MAX_UNSENT_BYTES_PER_CONNECTION} bytes of their bodies, wait to be
 * written (to a client that does not read, say). Unparsed input above
 * {@linkcode MAX_BUFFERED_INPUT_BYTES} stops reading from the socket. A connection
 * silent for {@linkcode CONNECTION_IDLE_TIMEOUT_MS} is closed. A handler may reply
 * with an {@linkcode EncodedReply}, whose body is written as it is, without a copy.
 *
 * @example
 * ```ts
 * import { serveNode } from "./node.ts";
 * const server = await serveNode(() => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
 * console.log(server.port > 0); // true
 * await server.close();
 * ```
 *
 * @module
 */

import { type EncodedReply, encodedReply, type ServeHandler } from "./encoded_reply.ts";
import {
  CONNECTION_IDLE_TIMEOUT_MS,
  INPUT_PIECE_BYTES,
  INPUT_SLICE_BYTES,
  MAX_BUFFERED_INPUT_BYTES,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_UNSENT_BYTES_PER_CONNECTION,
  REQUESTS_PER_TURN,
} from "./limits.ts";
import { closeOnce, type FetchServer, urlHost } from "./server.ts";

/** A running node:http server. */
export interface NodeFetchServer extends FetchServer {
  readonly runtime: "node";
  /**
   * The most body bytes one connection has had waiting to be written so far (see
   * {@linkcode MAX_UNSENT_BYTES_PER_CONNECTION}).
   */
  peakUnsentBytes(): number;
}

interface RawSocket {
  destroyed: boolean;
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "end" | "close" | "timeout" | "drain", listener: () => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  setTimeout(ms: number): void;
  setNoDelay(noDelay: boolean): void;
}

interface DuplexStream {
  destroyed: boolean;
  push(chunk: Uint8Array | null): boolean;
  destroy(): void;
}

interface DuplexOptions {
  read(this: DuplexStream): void;
  write(
    this: DuplexStream,
    chunk: Uint8Array,
    encoding: string,
    callback: (error?: Error | null) => void,
  ): void;
  final(this: DuplexStream, callback: () => void): void;
  destroy(this: DuplexStream, error: Error | null, callback: (error: Error | null) => void): void;
}

interface NodeStream {
  Duplex: new (options: DuplexOptions) => DuplexStream;
}

interface NodeNet {
  createServer(listener: (socket: RawSocket) => void): NetServer;
}

interface NetServer {
  listen(port: number, hostname: string, callback: () => void): void;
  once(event: "error", listener: (error: Error) => void): void;
  address(): { port: number } | string | null;
  close(callback: (error?: Error) => void): void;
}

interface NodeIncoming {
  url?: string;
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  socket: unknown;
  resume(): void;
}

interface NodeOutgoing {
  writeHead(status: number, headers: Record<string, string>): void;
  end(body?: Uint8Array): void;
  once(event: "finish" | "close", listener: () => void): void;
  headersSent: boolean;
}

interface HttpServer {
  emit(event: "connection", socket: DuplexStream): void;
  emit(event: "listening"): void;
  on(event: "connect", listener: (req: unknown, socket: { end(text: string): void }) => void): void;
  close(callback: () => void): void;
  closeAllConnections?(): void;
  headersTimeout: number;
  requestTimeout: number;
}

interface NodeHttp {
  createServer(listener: (req: NodeIncoming, res: NodeOutgoing) => void): HttpServer;
}

/** One connection's throttle between its socket and the HTTP parser. */
interface Throttle {
  /** Requests parsed so far. */
  parsed: number;
  /** Requests whose responses are not yet written. */
  pending: number;
  /** Body bytes of this connection's responses not yet written. */
  unsentBytes: number;
  wake(): void;
}

/**
 * Wraps `socket` in a Duplex that node:http parses: writes go to the socket (their
 * callbacks wait for the socket, so node:http sees its backpressure), and input is
 * handed on in small pieces, a few requests per turn of the event loop, while fewer
 * than {@linkcode MAX_PENDING_REQUESTS_PER_CONNECTION} responses wait.
 */
function throttled(stream: NodeStream, socket: RawSocket): { conn: DuplexStream; state: Throttle } {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let paused = false;
  let ended = false;
  let scheduled = false;
  const state: Throttle = { parsed: 0, pending: 0, unsentBytes: 0, wake: () => schedule() };
  const conn = new stream.Duplex({
    read() {
      schedule();
    },
    write(chunk, _encoding, callback) {
      if (socket.destroyed) callback(new Error("connection closed"));
      else socket.write(chunk, (error) => callback(error));
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  }
  /** Whether the responses waiting to be written leave room for another request. */
  const roomForMore = () =>
    state.pending < MAX_PENDING_REQUESTS_PER_CONNECTION &&
    state.unsentBytes < MAX_UNSENT_BYTES_PER_CONNECTION;
  function pump(): void {
    scheduled = false;
    if (conn.destroyed || !roomForMore()) return;
    // Small pieces, so that the requests they complete (node:http parses them as they
    // arrive) are counted in `state.pending` before the next piece.
    let budget = INPUT_SLICE_BYTES;
    const parsed = state.parsed;
    while (
      budget > 0 && queue.length > 0 && roomForMore() &&
      state.parsed - parsed < REQUESTS_PER_TURN && !conn.destroyed
    ) {
      const head = queue[0];
      const take = Math.min(head.byteLength, budget, INPUT_PIECE_BYTES);
      if (take === head.byteLength) queue.shift();
      else queue[0] = head.subarray(take);
      queued -= take;
      budget -= take;
      conn.push(head.subarray(0, take));
    }
    if (paused && queued < MAX_BUFFERED_INPUT_BYTES) {
      paused = false;
      socket.resume();
    }
    if (queue.length > 0) {
      if (roomForMore()) schedule();
    } else if (ended) conn.push(null);
  }
  socket.on("data", (chunk) => {
    queue.push(chunk);
    queued += chunk.byteLength;
    if (!paused && queued >= MAX_BUFFERED_INPUT_BYTES) {
      paused = true;
      socket.pause();
    }
    schedule();
  });
  socket.on("end", () => {
    ended = true;
    schedule();
  });
  socket.on("error", () => conn.destroy());
  socket.on("close", () => conn.destroy());
  socket.on("timeout", () => socket.destroy());
  socket.setTimeout(CONNECTION_IDLE_TIMEOUT_MS);
  // What node:http does for its own sockets: no Nagle delay on small responses.
  socket.setNoDelay(true);
  return { conn, state };
}

function toRequest(req: NodeIncoming, host: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  // The endpoint never reads bodies: drain them so the connection can be reused.
  req.resume();
  return new Request(`http://${host}${req.url ?? "/"}`, { method: req.method ?? "GET", headers });
}

/** `reply` as an {@linkcode EncodedReply} (a `Response`'s body read into bytes). */
async function encoded(reply: Response | EncodedReply, head: boolean): Promise<EncodedReply> {
  if (!(reply instanceof Response)) {
    return head && reply.body !== null ? encodedReply(reply.status, reply.headers, null) : reply;
  }
  const headers: Record<string, string> = {};
  reply.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = head || reply.body === null ? null : new Uint8Array(await reply.arrayBuffer());
  return encodedReply(reply.status, headers, body);
}

/**
 * Serves `handler` on `hostname:port` with node:http behind a per-connection
 * throttle (see the module notes). `close()` stops listening, closes every
 * connection, and returns the same promise when called again.
 */
export async function serveNode(
  handler: ServeHandler,
  port: number,
  hostname: string,
): Promise<NodeFetchServer> {
  const http = await import("node:http") as unknown as NodeHttp;
  const net = await import("node:net") as unknown as NodeNet;
  const stream = await import("node:stream") as unknown as NodeStream;
  let host = urlHost(hostname, port);
  const throttles = new WeakMap<object, Throttle>();
  const sockets = new Set<RawSocket>();
  let peakUnsent = 0;
  const server = http.createServer((req, res) => {
    const state = throttles.get(req.socket as object);
    /** Body bytes handed to node:http and counted in `state.unsentBytes`. */
    let unsent = 0;
    const send = (reply: EncodedReply) => {
      if (state !== undefined && reply.body !== null) {
        unsent = reply.body.byteLength;
        state.unsentBytes += unsent;
        peakUnsent = Math.max(peakUnsent, state.unsentBytes);
      }
      // A known length (as Deno and Bun send it) instead of node:http's chunked framing.
      res.writeHead(
        reply.status,
        reply.body === null
          ? reply.headers as Record<string, string>
          : { ...reply.headers, "content-length": String(reply.body.byteLength) },
      );
      res.end(reply.body ?? undefined);
    };
    if (state !== undefined) {
      state.parsed++;
      state.pending++;
      let written = false;
      const done = () => {
        if (written) return;
        written = true;
        state.pending--;
        state.unsentBytes -= unsent;
        state.wake();
      };
      res.once("finish", done);
      res.once("close", done);
    }
    let request: Request;
    try {
      request = toRequest(req, host);
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end(new TextEncoder().encode(`Bad request: ${String(error)}\n`));
      return;
    }
    handler(request)
      .then((reply) => encoded(reply, request.method === "HEAD"))
      .then(send)
      .catch((error) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(new TextEncoder().encode(`Internal error: ${String(error)}\n`));
      });
  });
  // node:http hands CONNECT to a "connect" listener (and drops the connection without
  // one); answer it as Deno and Bun do, with a 405.
  server.on("connect", (_req, socket) => {
    socket.end(
      "HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD\r\ncontent-length: 0\r\n" +
        "connection: close\r\n\r\n",
    );
  });
  server.headersTimeout = CONNECTION_IDLE_TIMEOUT_MS;
  server.requestTimeout = CONNECTION_IDLE_TIMEOUT_MS;
  // The connections come from `listener`; "listening" starts node:http's tracking of
  // them (headers and request timeouts, closeAllConnections).
  server.emit("listening");
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const { conn, state } = throttled(stream, socket);
    throttles.set(conn, state);
    server.emit("connection", conn);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(port, hostname, resolve);
  });
  const address = listener.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  host = urlHost(hostname, bound);
  return {
    runtime: "node",
    port: bound,
    hostname,
    peakUnsentBytes: () => peakUnsent,
    close: closeOnce(() =>
      new Promise<void>((resolve, reject) => {
        listener.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections?.();
        server.close(() => {}); // stops the timeout checks; it never listened itself
        for (const socket of sockets) socket.destroy();
      })
    ),
  };
}
