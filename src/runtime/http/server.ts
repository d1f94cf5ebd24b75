/**
 * What every runtime server returns once it listens, and the small helpers its
 * adapters share.
 *
 * @example
 * ```ts
 * import { closeOnce, urlHost } from "./server.ts";
 * console.log(urlHost("::1", 9464)); // "[::1]:9464"
 * const close = closeOnce(() => Promise.resolve());
 * console.log(close() === close()); // true
 * ```
 *
 * @module
 */

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

/**
 * The host part of a URL for `hostname` (IPv6 literals in brackets).
 *
 * @example
 * ```ts
 * import { urlHost } from "./server.ts";
 * console.log(urlHost("127.0.0.1", 80)); // "127.0.0.1:80"
 * ```
 */
export function urlHost(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/**
 * `close` that runs once; later calls return the first call's promise.
 *
 * @example
 * ```ts
 * import { closeOnce } from "./server.ts";
 * let runs = 0;
 * const close = closeOnce(() => {
 *   runs++;
 *   return Promise.resolve();
 * });
 * await close();
 * await close();
 * console.log(runs); // 1
 * ```
 */
export function closeOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
