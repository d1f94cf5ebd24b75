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

/** A fetch-style request handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of {@linkcode serveFetch}. */
export interface ServeFetchOptions {
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Interface to bind (default "127.0.0.1"). */
  hostname?: string;
}

/** A running server. */
export interface FetchServer {
  /** The runtime serving: "deno", "bun" or "node". */
  readonly runtime: "deno" | "bun" | "node";
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** The bound interface. */
  readonly hostname: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
}

interface DenoLike {
  serve(
    options: { port: number; hostname: string; onListen?: (addr: unknown) => void },
    handler: FetchHandler,
  ): DenoServer;
}

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunLike {
  serve(options: { port: number; hostname: string; fetch: FetchHandler }): BunServer;
}

interface NodeIncoming {
  url?: string;
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  resume(): void;
}

interface NodeOutgoing {
  writeHead(status: number, headers: Record<string, string>): void;
  end(body?: Uint8Array): void;
  headersSent: boolean;
}

interface NodeServer {
  listen(port: number, hostname: string, callback: () => void): void;
  once(event: "error", listener: (error: Error) => void): void;
  address(): { port: number } | string | null;
  close(callback: (error?: Error) => void): void;
  closeAllConnections?(): void;
}

interface NodeHttp {
  createServer(listener: (req: NodeIncoming, res: NodeOutgoing) => void): NodeServer;
}

function checkPort(port: unknown): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer in [0, 65535]: received ${String(port)}`);
  }
  return port;
}

/** The host part of a URL for `hostname` (IPv6 literals in brackets). */
export function urlHost(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

function toRequest(req: NodeIncoming, host: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  // The endpoint never reads bodies: drain them so the socket can be reused.
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

async function serveNode(
  handler: FetchHandler,
  port: number,
  hostname: string,
): Promise<FetchServer> {
  const http = await import("node:http") as unknown as NodeHttp;
  let host = urlHost(hostname, port);
  const server = http.createServer((req, res) => {
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
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  host = urlHost(hostname, bound);
  return {
    runtime: "node",
    port: bound,
    hostname,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections?.();
      }),
  };
}

/**
 * Serves `handler` on `hostname:port` with the running runtime's server and
 * resolves once it listens. A handler that throws or rejects yields a 500.
 *
 * @throws {RangeError} when `port` is not an integer in [0, 65535].
 */
export async function serveFetch(
  handler: FetchHandler,
  options: ServeFetchOptions = {},
): Promise<FetchServer> {
  const port = checkPort(options.port ?? 0);
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
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const server = (deno as DenoLike).serve(
      { port, hostname, onListen: () => listening() },
      handler,
    );
    await ready;
    return {
      runtime: "deno",
      port: server.addr.port,
      hostname,
      close: () => server.shutdown(),
    };
  }
  const bun = (globalThis as { Bun?: Partial<BunLike> }).Bun;
  if (typeof bun?.serve === "function") {
    const server = (bun as BunLike).serve({ port, hostname, fetch: handler });
    return {
      runtime: "bun",
      port: server.port,
      hostname,
      close: async () => {
        await server.stop(true);
      },
    };
  }
  return await serveNode(handler, port, hostname);
}
