/**
 * The `node:http` side of `serveFetch`, with work per connection bounded. node:http
 * parses every request in a chunk it reads (up to 64 KiB, some 1,800 pipelined
 * requests) in one task; here each connection's input reaches the parser through a
 * throttle instead, which hands on at most {@linkcode REQUESTS_PER_TURN} requests (and
 * at most {@linkcode INPUT_SLICE_BYTES}) per turn of the event loop, and nothing
 * while {@linkcode MAX_PENDING_REQUESTS_PER_CONNECTION} of the connection's responses
 * wait to be written (to a client that does not read, say). Unparsed input above
 * {@linkcode MAX_BUFFERED_INPUT_BYTES} stops reading from the socket. A connection
 * silent for {@linkcode CONNECTION_IDLE_TIMEOUT_MS} is closed.
 *
 * @example
 * ```ts
 * import { serveNode } from "./serve_node.ts";
 * const server = await serveNode(() => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
 * console.log(server.port > 0); // true
 * await server.close();
 * ```
 *
 * @module
 */

/** A fetch-style request handler. */
type FetchHandler = (request: Request) => Promise<Response>;

/**
 * The most requests one connection may have waiting for their responses to be
 * written (pipelined, or answered to a client that does not read): while it has
 * that many, no more of its input is parsed.
 */
export const MAX_PENDING_REQUESTS_PER_CONNECTION = 16;

/** Input of one connection handed to the HTTP parser per turn of the event loop. */
export const INPUT_SLICE_BYTES = 4096;

/**
 * Input handed to the parser at once. A request takes at least 18 bytes ("GET /
 * HTTP/1.1" and two line ends), so one piece completes at most 3 requests.
 */
const INPUT_PIECE_BYTES = 64;

/** Requests of one connection parsed per turn of the event loop, at most. */
export const REQUESTS_PER_TURN = 4;

/**
 * The most requests of one connection that reach the handler in one turn of the
 * event loop: the pieces stop once {@linkcode REQUESTS_PER_TURN} were parsed, and the
 * last piece may complete up to 3.
 */
export const MAX_REQUESTS_PER_TURN = REQUESTS_PER_TURN + 3;

/** Unparsed input of one connection above which the socket is no longer read. */
export const MAX_BUFFERED_INPUT_BYTES = 65536;

/**
 * Milliseconds a connection may stay silent (nothing read, nothing written, e.g. a
 * client that stopped reading its response) before it is closed.
 */
export const CONNECTION_IDLE_TIMEOUT_MS = 30_000;

/** A running node:http server. */
export interface NodeFetchServer {
  readonly runtime: "node";
  readonly port: number;
  readonly hostname: string;
  close(): Promise<void>;
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
  const state: Throttle = { parsed: 0, pending: 0, wake: () => schedule() };
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
  function pump(): void {
    scheduled = false;
    if (conn.destroyed || state.pending >= MAX_PENDING_REQUESTS_PER_CONNECTION) return;
    // Small pieces, so that the requests they complete (node:http parses them as they
    // arrive) are counted in `state.pending` before the next piece.
    let budget = INPUT_SLICE_BYTES;
    const parsed = state.parsed;
    while (
      budget > 0 && queue.length > 0 && state.pending < MAX_PENDING_REQUESTS_PER_CONNECTION &&
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
      if (state.pending < MAX_PENDING_REQUESTS_PER_CONNECTION) schedule();
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

/** Host part of a URL for `hostname` (IPv6 literals in brackets). */
function urlHost(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
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

async function writeResponse(response: Response, res: NodeOutgoing, head: boolean): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = head || response.body === null
    ? undefined
    : new Uint8Array(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * Serves `handler` on `hostname:port` with node:http behind a per-connection
 * throttle (see the module notes). `close()` stops listening, closes every
 * connection, and returns the same promise when called again.
 */
export async function serveNode(
  handler: FetchHandler,
  port: number,
  hostname: string,
): Promise<NodeFetchServer> {
  const http = await import("node:http") as unknown as NodeHttp;
  const net = await import("node:net") as unknown as NodeNet;
  const stream = await import("node:stream") as unknown as NodeStream;
  let host = urlHost(hostname, port);
  const throttles = new WeakMap<object, Throttle>();
  const sockets = new Set<RawSocket>();
  const server = http.createServer((req, res) => {
    const state = throttles.get(req.socket as object);
    if (state !== undefined) {
      state.parsed++;
      state.pending++;
      let written = false;
      const done = () => {
        if (written) return;
        written = true;
        state.pending--;
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
      .then((response) => writeResponse(response, res, request.method === "HEAD"))
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
  let closing: Promise<void> | undefined;
  return {
    runtime: "node",
    port: bound,
    hostname,
    close: () =>
      closing ??= new Promise<void>((resolve, reject) => {
        listener.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections?.();
        server.close(() => {}); // stops the timeout checks; it never listened itself
        for (const socket of sockets) socket.destroy();
      }),
  };
}
