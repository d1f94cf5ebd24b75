/**
 * Serving on Bun with `Bun.serve`, found through a local structural type (no
 * global Bun types). Pipelined requests beyond the per-turn limit get a 503 (see
 * `limits.ts`); a silent connection is closed after the idle timeout.
 *
 * @example
 * ```ts
 * import { bunServer, serveBun } from "./bun.ts";
 * const bun = bunServer();
 * if (bun !== undefined) {
 *   const server = serveBun(bun, () => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
 *   await server.close();
 * }
 * ```
 *
 * @module
 */

import { asResponse, type ServeHandler } from "./encoded_reply.ts";
import { CONNECTION_IDLE_TIMEOUT_MS, perTurnLimiter, tooManyRequests } from "./limits.ts";
import { closeOnce, type FetchServer } from "./server.ts";

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
  requestIP(request: Request): { address: string; port: number } | null;
}

/** The part of the `Bun` namespace that serving needs. */
export interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout?: number;
    fetch: (request: Request, server: BunServer) => Promise<Response>;
  }): BunServer;
}

/**
 * `Bun` of `scope` (default: this runtime's global scope) when it can serve, else
 * `undefined`.
 *
 * @example
 * ```ts
 * import { bunServer } from "./bun.ts";
 * console.log(bunServer({}) === undefined); // true
 * ```
 */
export function bunServer(scope: object = globalThis): BunLike | undefined {
  const bun = (scope as { Bun?: Partial<BunLike> }).Bun;
  return typeof bun?.serve === "function" ? bun as BunLike : undefined;
}

/**
 * Serves `handler` on `hostname:port` with `bun.serve`; it listens on return.
 *
 * @example
 * ```ts
 * import { bunServer, serveBun } from "./bun.ts";
 * const bun = bunServer();
 * if (bun !== undefined) {
 *   const server = serveBun(bun, () => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
 *   console.log(server.runtime); // "bun"
 *   await server.close();
 * }
 * ```
 */
export function serveBun(
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
    close: closeOnce(async () => {
      await server.stop(true);
    }),
  };
}
