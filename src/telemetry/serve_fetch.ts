/**
 * Serves a fetch-style handler `(Request) => Promise<Response>` on whichever runtime
 * is running: `Deno.serve`, `Bun.serve`, or `node:http` with a small adapter.
 * Runtimes are detected with local structural types (no global Deno/Bun types).
 *
 * @example
 * ```ts
 * import { serveFetch } from "./serve_fetch.ts";
 * const server = await serveFetch(() => Promise.resolve(new Response("ok")), { port: 0 });
 * console.log(server.port > 0); // true
 * await server.close();
 * ```
 *
 * @module
 */

import { asResponse } from "./encoded_reply.ts";
import {
  CONNECTION_IDLE_TIMEOUT_MS,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_REQUESTS_PER_TURN,
  MAX_UNSENT_BYTES_PER_CONNECTION,
  type ServeHandler,
  serveNode,
} from "./serve_node.ts";
import { rangeError } from "../validate.ts";

export {
  CONNECTION_IDLE_TIMEOUT_MS,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_REQUESTS_PER_TURN,
  MAX_UNSENT_BYTES_PER_CONNECTION,
};
export type { ServeHandler };

/** A fetch-style request handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of {@linkcode serveFetch}. */
export interface ServeFetchOptions {
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Interface to bind (default "127.0.0.1"). */
  hostname?: string;
  /** The public function named in error messages (default "serveFetch"). */
  caller?: string;
}

/** A running server. */
export interface FetchServer {
  /** The runtime serving: "deno", "bun" or "node". */
  readonly runtime: "deno" | "bun" | "node";
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** The bound interface. */
  readonly hostname: string;
  /**
   * Stops listening and closes open connections, also those in the middle of a
   * request. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

interface DenoServer {
  addr: { port: number };
  finished: Promise<void>;
}

interface DenoLike {
  serve(
    options: {
      port: number;
      hostname: string;
      signal?: AbortSignal;
      onListen?: (addr: unknown) => void;
    },
    handler: (
      request: Request,
      info: { remoteAddr: { hostname: string; port: number } },
    ) => Promise<Response>,
  ): DenoServer;
}

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
  requestIP(request: Request): { address: string; port: number } | null;
}

interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout?: number;
    fetch: (request: Request, server: BunServer) => Promise<Response>;
  }): BunServer;
}

function checkPort(port: unknown, caller: string): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw rangeError(caller, "port", "an integer in [0, 65535]", port);
  }
  return port;
}

/** The host part of a URL for `hostname` (IPv6 literals in brackets). */
export function urlHost(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/**
 * Counts each connection's requests in the current turn of the event loop: Deno's
 * and Bun's servers hand a connection's pipelined requests on as fast as the socket
 * takes the answers, many per turn. `admit(key)` is false for a request beyond
 * {@linkcode MAX_REQUESTS_PER_TURN} of its connection in one turn; those get a 503
 * that closes the connection. A client that waits for each answer sends one request
 * per round trip and is never refused.
 */
function perTurnLimiter(): (connection: string) => boolean {
  const counts = new Map<string, number>();
  let clearing = false;
  const clear = () => {
    counts.clear();
    clearing = false;
  };
  return (connection) => {
    const count = (counts.get(connection) ?? 0) + 1;
    counts.set(connection, count);
    if (!clearing) {
      clearing = true;
      setTimeout(clear, 0);
    }
    return count <= MAX_REQUESTS_PER_TURN;
  };
}

function tooManyRequests(): Response {
  return new Response("Too many pipelined requests on this connection\n", {
    status: 503,
    headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  });
}

async function serveDeno(
  deno: DenoLike,
  handler: ServeHandler,
  port: number,
  hostname: string,
): Promise<FetchServer> {
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  // Aborting closes connections at once; shutdown() alone would wait for every
  // request in flight, also one whose client never finishes sending its body.
  const abort = new AbortController();
  const admit = perTurnLimiter();
  const server = deno.serve(
    { port, hostname, signal: abort.signal, onListen: () => listening() },
    (request, info) =>
      admit(`${info.remoteAddr.hostname}|${info.remoteAddr.port}`)
        ? handler(request).then(asResponse)
        : Promise.resolve(tooManyRequests()),
  );
  await ready;
  return {
    runtime: "deno",
    port: server.addr.port,
    hostname,
    close: once(async () => {
      abort.abort();
      await server.finished;
    }),
  };
}

function serveBun(
  bun: BunLike,
  handler: ServeHandler,
  port: number,
  hostname: string,
): FetchServer {
  const admit = perTurnLimiter();
  const server = bun.serve({
    port,
    hostname,
    idleTimeout: CONNECTION_IDLE_TIMEOUT_MS / 1000,
    fetch: (request, bunServer) => {
      const peer = bunServer.requestIP(request); // null on a Unix socket: not limited
      return peer === null || admit(`${peer.address}|${peer.port}`)
        ? handler(request).then(asResponse)
        : Promise.resolve(tooManyRequests());
    },
  });
  return {
    runtime: "bun",
    port: server.port,
    hostname,
    close: once(async () => {
      await server.stop(true);
    }),
  };
}

/** `close` that runs once; later calls return the first call's promise. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

/**
 * Serves `handler` on `hostname:port` with the running runtime's server and
 * resolves once it listens. A handler that throws or rejects yields a 500.
 *
 * Work per connection is bounded: at most {@linkcode MAX_REQUESTS_PER_TURN} of a
 * connection's requests reach `handler` per turn of the event loop. On Node its
 * further pipelined requests wait (and none are parsed while
 * {@linkcode MAX_PENDING_REQUESTS_PER_CONNECTION} of its responses, or
 * {@linkcode MAX_UNSENT_BYTES_PER_CONNECTION} bytes of them, wait to be written);
 * on Deno and Bun, whose servers parse them natively, they get a 503 that
 * closes the connection. A silent connection is closed after
 * {@linkcode CONNECTION_IDLE_TIMEOUT_MS} (Node, Bun).
 *
 * @throws {RangeError} when `port` is not an integer in [0, 65535].
 */
export async function serveFetch(
  handler: ServeHandler,
  options: ServeFetchOptions = {},
): Promise<FetchServer> {
  const port = checkPort(options.port ?? 0, options.caller ?? "serveFetch");
  const inner = handler;
  // The same 500 on every runtime (instead of each server's own error page and log).
  handler = async (request) => {
    try {
      return await inner(request);
    } catch (error) {
      return new Response(`Internal error: ${String(error)}\n`, {
        status: 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
  };
  const hostname = options.hostname ?? "127.0.0.1";
  const deno = (globalThis as { Deno?: Partial<DenoLike> }).Deno;
  if (typeof deno?.serve === "function") {
    return await serveDeno(deno as DenoLike, handler, port, hostname);
  }
  const bun = (globalThis as { Bun?: Partial<BunLike> }).Bun;
  if (typeof bun?.serve === "function") return serveBun(bun as BunLike, handler, port, hostname);
  return await serveNode(handler, port, hostname);
}
