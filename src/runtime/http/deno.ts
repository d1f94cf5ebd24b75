/**
 * Serving on Deno with `Deno.serve`, found through a local structural type (no
 * global Deno types). Pipelined requests beyond the per-turn limit get a 503 (see
 * `limits.ts`).
 *
 * @example
 * ```ts
 * import { denoServer, serveDeno } from "./deno.ts";
 * const deno = denoServer();
 * if (deno !== undefined) {
 *   const server = await serveDeno(deno, () => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
 *   await server.close();
 * }
 * ```
 *
 * @module
 */

import { asResponse, type ServeHandler } from "./encoded_reply.ts";
import { perTurnLimiter, tooManyRequests } from "./limits.ts";
import { closeOnce, type FetchServer } from "./server.ts";

interface DenoServer {
  addr: { port: number };
  finished: Promise<void>;
}

/** The part of the `Deno` namespace that serving needs. */
export interface DenoLike {
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

/**
 * `Deno` of `scope` (default: this runtime's global scope) when it can serve, else
 * `undefined`.
 *
 * @example
 * ```ts
 * import { denoServer } from "./deno.ts";
 * console.log(denoServer({}) === undefined); // true
 * ```
 */
export function denoServer(scope: object = globalThis): DenoLike | undefined {
  const deno = (scope as { Deno?: Partial<DenoLike> }).Deno;
  return typeof deno?.serve === "function" ? deno as DenoLike : undefined;
}

/**
 * Serves `handler` on `hostname:port` with `deno.serve` and resolves once it listens.
 *
 * @example
 * ```ts
 * import { denoServer, serveDeno } from "./deno.ts";
 * const deno = denoServer();
 * if (deno !== undefined) {
 *   const server = await serveDeno(deno, () => Promise.resolve(new Response("ok")), 0, "127.0.0.1");
 *   console.log(server.runtime); // "deno"
 *   await server.close();
 * }
 * ```
 */
export async function serveDeno(
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
    close: closeOnce(async () => {
      abort.abort();
      await server.finished;
    }),
  };
}
