/**
 * A reply in the form a server writes to the wire: status, headers and the body's
 * bytes. A handler of `serveFetch` may return one instead of a `Response`; the
 * node:http server then writes `body` itself, so that one encoded body (a cached
 * rendering of `/metrics`, say) answers any number of requests without being copied
 * or wrapped in a stream per request. Servers never modify `body`; whoever builds the
 * reply must not either while it is being served.
 *
 * @example
 * ```ts
 * import { encodedReply, toResponse } from "./encoded_reply.ts";
 * const reply = encodedReply(200, { "content-type": "text/plain" }, new TextEncoder().encode("ok"));
 * console.log(await toResponse(reply).text()); // "ok"
 * ```
 *
 * @module
 */

/** Status, headers and the bytes of a body, ready to be written (see the module notes). */
export interface EncodedReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body, or null for none (a HEAD reply, say). Shared: never modified. */
  readonly body: Uint8Array | null;
}

/**
 * An {@linkcode EncodedReply}. `body` is kept, not copied: it must not change while
 * the reply is served.
 *
 * @example
 * ```ts
 * import { encodedReply } from "./encoded_reply.ts";
 * const reply = encodedReply(404, { "content-type": "text/plain" }, new TextEncoder().encode("no"));
 * console.log(reply.status, reply.body?.byteLength); // 404 2
 * ```
 */
export function encodedReply(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array | null,
): EncodedReply {
  return { status, headers, body };
}

/**
 * The `Response` for `reply`. Its body is a copy of `reply.body` (the Fetch standard
 * copies a byte body), so the response is the caller's.
 *
 * @example
 * ```ts
 * import { encodedReply, toResponse } from "./encoded_reply.ts";
 * const response = toResponse(encodedReply(204, {}, null));
 * console.log(response.status, response.body); // 204 null
 * ```
 */
export function toResponse(reply: EncodedReply): Response {
  return new Response(reply.body as Uint8Array<ArrayBuffer> | null, {
    status: reply.status,
    headers: reply.headers,
  });
}

/**
 * A `Response` as it is, an {@linkcode EncodedReply} as a `Response` (see
 * {@linkcode toResponse}).
 *
 * @example
 * ```ts
 * import { asResponse, encodedReply } from "./encoded_reply.ts";
 * const response = new Response("ok");
 * console.log(asResponse(response) === response); // true
 * console.log(asResponse(encodedReply(200, {}, null)).status); // 200
 * ```
 */
export function asResponse(reply: Response | EncodedReply): Response {
  return reply instanceof Response ? reply : toResponse(reply);
}

/**
 * What the runtime servers serve: a fetch-style handler that may also reply with an
 * {@linkcode EncodedReply}. Deno and Bun get that as a `Response`; node:http writes
 * its bytes as they are.
 *
 * @example
 * ```ts
 * import { encodedReply, type ServeHandler } from "./encoded_reply.ts";
 * const handler: ServeHandler = () => Promise.resolve(encodedReply(204, {}, null));
 * console.log((await handler(new Request("http://localhost/"))).status); // 204
 * ```
 */
export type ServeHandler = (request: Request) => Promise<Response | EncodedReply>;
