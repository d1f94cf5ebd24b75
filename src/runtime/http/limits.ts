/**
 * The bounds every runtime server puts on one connection's work, and the
 * per-turn request limiter that Deno's and Bun's servers use (node:http gets its
 * bounds from the throttle in `node.ts`, which parses at most
 * {@linkcode REQUESTS_PER_TURN} requests per turn instead of refusing more).
 *
 * @example
 * ```ts
 * import { MAX_REQUESTS_PER_TURN, perTurnLimiter } from "./limits.ts";
 * const admit = perTurnLimiter();
 * const admitted = Array.from({ length: MAX_REQUESTS_PER_TURN + 1 }, () => admit("a|1"));
 * console.log(admitted.at(-1)); // false: one request too many in this turn
 * ```
 *
 * @module
 */

/**
 * The most requests one connection may have waiting for their responses to be
 * written (pipelined, or answered to a client that does not read): while it has
 * that many, no more of its input is parsed.
 */
export const MAX_PENDING_REQUESTS_PER_CONNECTION = 16;

/**
 * Body bytes of one connection's responses waiting to be written (handed to node:http,
 * not yet taken by the kernel) at or above which no more of its input is parsed.
 * Requests parsed in the turn that crossed it still get their responses, so a
 * connection holds at most this plus {@linkcode MAX_REQUESTS_PER_TURN} responses.
 */
export const MAX_UNSENT_BYTES_PER_CONNECTION = 65536;

/** Input of one connection handed to the HTTP parser per turn of the event loop. */
export const INPUT_SLICE_BYTES = 4096;

/**
 * Input handed to the parser at once. A request takes at least 18 bytes ("GET /
 * HTTP/1.1" and two line ends), so one piece completes at most 3 requests.
 */
export const INPUT_PIECE_BYTES = 64;

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

/**
 * Counts each connection's requests in the current turn of the event loop: Deno's
 * and Bun's servers hand a connection's pipelined requests on as fast as the socket
 * takes the answers, many per turn. `admit(key)` is false for a request beyond
 * {@linkcode MAX_REQUESTS_PER_TURN} of its connection in one turn; those get
 * {@linkcode tooManyRequests}, which closes the connection. A client that waits for
 * each answer sends one request per round trip and is never refused.
 *
 * @example
 * ```ts
 * import { perTurnLimiter } from "./limits.ts";
 * const admit = perTurnLimiter();
 * console.log(admit("127.0.0.1|50000")); // true
 * ```
 */
export function perTurnLimiter(): (connection: string) => boolean {
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

/**
 * The answer to a request refused by {@linkcode perTurnLimiter}: a 503 that closes
 * the connection.
 *
 * @example
 * ```ts
 * import { tooManyRequests } from "./limits.ts";
 * console.log(tooManyRequests().status); // 503
 * ```
 */
export function tooManyRequests(): Response {
  return new Response("Too many pipelined requests on this connection\n", {
    status: 503,
    headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  });
}
