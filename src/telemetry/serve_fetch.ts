/**
 * Serves a fetch-style handler `(Request) => Promise<Response>` on whichever runtime
 * is running (`Deno.serve`, `Bun.serve`, or `node:http`: the adapters of
 * `src/runtime/http/`), with a checked port and the same 500 on every runtime.
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

import {
  CONNECTION_IDLE_TIMEOUT_MS,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_REQUESTS_PER_TURN,
  MAX_UNSENT_BYTES_PER_CONNECTION,
} from "../runtime/http/limits.ts";
import { type FetchServer, type ServeHandler, serveOnRuntime } from "../runtime/http/mod.ts";
import { urlHost } from "../runtime/http/server.ts";
import { rangeError } from "../validate.ts";

export {
  CONNECTION_IDLE_TIMEOUT_MS,
  MAX_PENDING_REQUESTS_PER_CONNECTION,
  MAX_REQUESTS_PER_TURN,
  MAX_UNSENT_BYTES_PER_CONNECTION,
  urlHost,
};
export type { FetchServer, ServeHandler };

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

function checkPort(port: unknown, caller: string): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw rangeError(caller, "port", "an integer in [0, 65535]", port);
  }
  return port;
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
  return await serveOnRuntime(handler, port, hostname);
}
