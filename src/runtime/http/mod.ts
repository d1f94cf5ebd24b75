/**
 * HTTP serving on whichever runtime is running: `Deno.serve` (`deno.ts`),
 * `Bun.serve` (`bun.ts`), or `node:http` behind a per-connection throttle
 * (`node.ts`). Each adapter answers an {@linkcode EncodedReply} and bounds a
 * connection's work (`limits.ts`); what is served, on which port, and how errors
 * are answered is the caller's (see `src/telemetry/serve_fetch.ts`).
 *
 * @example
 * ```ts
 * import { serveOnRuntime } from "./mod.ts";
 * const server = await serveOnRuntime(() => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
 * console.log(server.port > 0); // true
 * await server.close();
 * ```
 *
 * @module
 */

import { bunServer, serveBun } from "./bun.ts";
import { denoServer, serveDeno } from "./deno.ts";
import type { EncodedReply, ServeHandler } from "./encoded_reply.ts";
import { serveNode } from "./node.ts";
import type { FetchServer } from "./server.ts";

export type { EncodedReply, FetchServer, ServeHandler };

/**
 * Serves `handler` on `hostname:port` with the running runtime's server and
 * resolves once it listens: Deno's or Bun's when their `serve` exists, else
 * node:http.
 *
 * @example
 * ```ts
 * import { serveOnRuntime } from "./mod.ts";
 * const server = await serveOnRuntime(() => Promise.resolve(new Response("ok")), 0, "::1");
 * console.log(server.runtime); // "deno", "bun" or "node"
 * await server.close();
 * ```
 */
export async function serveOnRuntime(
  handler: ServeHandler,
  port: number,
  hostname: string,
): Promise<FetchServer> {
  const deno = denoServer();
  if (deno !== undefined) return await serveDeno(deno, handler, port, hostname);
  const bun = bunServer();
  if (bun !== undefined) return serveBun(bun, handler, port, hostname);
  return await serveNode(handler, port, hostname);
}
