/**
 * A filtering HTTP service: `POST /filter` with a body of raw little-endian float32
 * samples answers with the samples convolved with the configured FIR filter (raw
 * little-endian float32, `mode=same` by default: as many samples as were sent), and
 * `GET /metrics` serves the engine's and the runtime's metrics for Prometheus.
 *
 *   deno run -A examples/filter_service.ts [--port 8080] [--host 127.0.0.1] [--taps 63]
 *   bun examples/filter_service.ts [flags]
 *   node --import tsx examples/filter_service.ts [flags]
 *
 *   curl -s --data-binary @samples.f32 -H 'content-type: application/octet-stream' \
 *     'http://127.0.0.1:8080/filter?mode=same' > filtered.f32
 *
 * Flags: `--port` (0 picks a free port), `--host`, `--taps` (length of the Hann-windowed
 * sinc low-pass, at least 3, default 63), `--cutoff` (in cycles per sample, in (0, 0.5), default
 * 0.1), `--telemetry on|off` (off: the engine records no latencies and `/metrics`
 * answers 404; also `CONVPOOL_TELEMETRY`), `--duration` (seconds, else until SIGINT
 * or SIGTERM). It prints `listening on <url>` and, with telemetry on, `metrics on
 * <url>`.
 *
 * Under Deno and Bun it is served by `Deno.serve` and `Bun.serve`; under Node by
 * `node:http` with an adapter that hands the request body to the same fetch-style
 * handler. Bodies over `--max-bytes` (default 16 MiB) get 413, bodies that are not
 * whole float32 samples 400, other paths 404 and other methods 405.
 *
 * @example
 * ```ts
 * import { createFilterHandler, encodeSamples } from "./filter_service.ts";
 * const handler = createFilterHandler({ filter: new Float32Array([0.5, 0.5]), telemetry: false });
 * const body = encodeSamples(new Float32Array([2, 4, 6]));
 * const response = await handler(new Request("http://localhost/filter?mode=full", { method: "POST", body }));
 * console.log(new Float32Array(await response.arrayBuffer())); // Float32Array(4) [ 1, 3, 5, 3 ]
 * ```
 *
 * @module
 */

import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { convolve, getDefaultEngine, type Mode } from "../mod.ts";
import { createMetricsHandler } from "../src/prometheus.ts";
import { type FetchHandler, serveFetch, urlHost } from "../src/telemetry/serve_fetch.ts";
import { durationFlag, portFlag } from "./cli_flags.ts";
import { lowPassFilter } from "./workload.ts";

/** Command-line settings of the service. */
export interface FilterServiceOptions {
  /** Port to listen on (default 8080; 0 picks a free one). */
  port: number;
  /** Interface to bind (default 127.0.0.1). */
  host: string;
  /** The FIR filter every request is convolved with. */
  filter: Float32Array;
  /** Record latencies and serve `/metrics` (default true). */
  telemetry: boolean;
  /** Largest accepted body in bytes (default 16 MiB). */
  maxBytes: number;
  /** Seconds to run; `undefined` runs until SIGINT/SIGTERM. */
  durationSeconds: number | undefined;
}

const MODES: readonly Mode[] = ["full", "same", "valid"];
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function integerFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) {
    throw new RangeError(
      `--${name} must be an integer of at least ${min}: received ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function telemetryFlag(value: string | undefined): boolean {
  if (value === undefined) return true;
  if (value === "on" || value === "off") return value === "on";
  throw new RangeError(`--telemetry must be "on" or "off": received ${JSON.stringify(value)}`);
}

/**
 * Parses the service's flags (see the module documentation).
 *
 * @throws {RangeError} on a bad value or an unknown flag, quoting it.
 */
export function parseFilterServiceArgs(args: readonly string[]): FilterServiceOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        taps: { type: "string" },
        cutoff: { type: "string" },
        telemetry: { type: "string" },
        "max-bytes": { type: "string" },
        duration: { type: "string" },
      },
    }));
  } catch (error) {
    throw new RangeError(
      `${
        (error as Error).message
      }; flags: --port, --host, --taps, --cutoff, --telemetry, --max-bytes, --duration`,
    );
  }
  const cutoff = values.cutoff === undefined ? 0.1 : Number(values.cutoff);
  if (!(cutoff > 0 && cutoff < 0.5)) {
    throw new RangeError(
      `--cutoff must be a number in (0, 0.5) cycles per sample: received ${
        JSON.stringify(values.cutoff)
      }`,
    );
  }
  return {
    port: portFlag(values.port) ?? 8080,
    host: values.host ?? "127.0.0.1",
    filter: lowPassFilter(integerFlag("taps", values.taps, 63, 3), cutoff),
    telemetry: telemetryFlag(values.telemetry),
    maxBytes: integerFlag("max-bytes", values["max-bytes"], DEFAULT_MAX_BYTES, 4),
    durationSeconds: durationFlag(values.duration),
  };
}

/**
 * Float32 samples as raw little-endian bytes (the service's wire format).
 *
 * @example
 * ```ts
 * import { encodeSamples } from "./filter_service.ts";
 * console.log(encodeSamples(new Float32Array([1])).byteLength); // 4
 * ```
 */
export function encodeSamples(samples: Float32Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(samples.length * 4);
  if (LITTLE_ENDIAN) {
    bytes.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  } else {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < samples.length; i++) view.setFloat32(i * 4, samples[i], true);
  }
  return bytes;
}

/**
 * Raw little-endian float32 bytes as samples (a copy).
 *
 * @throws {RangeError} when the length is not a multiple of 4.
 * @example
 * ```ts
 * import { decodeSamples, encodeSamples } from "./filter_service.ts";
 * console.log(decodeSamples(encodeSamples(new Float32Array([1.5])))); // Float32Array(1) [ 1.5 ]
 * ```
 */
export function decodeSamples(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new RangeError(
      `decodeSamples: the body must be whole float32 samples (a multiple of 4 bytes), received ${bytes.byteLength} bytes`,
    );
  }
  const samples = new Float32Array(bytes.byteLength / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(samples.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getFloat32(i * 4, true);
  }
  return samples;
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** Options of {@linkcode createFilterHandler}. */
export interface FilterHandlerOptions {
  /** The FIR filter. */
  filter: Float32Array;
  /** Serve `/metrics` and record latencies (default true). */
  telemetry?: boolean;
  /** Largest accepted body in bytes (default 16 MiB). */
  maxBytes?: number;
}

/**
 * The service as a fetch-style handler: `POST /filter[?mode=full|same|valid]`,
 * `GET /metrics` (with telemetry), `GET /healthz`. It configures the default engine's
 * `telemetry` key.
 *
 * @example
 * ```ts
 * import { createFilterHandler } from "./filter_service.ts";
 * const handler = createFilterHandler({ filter: new Float32Array([1]), telemetry: false });
 * console.log((await handler(new Request("http://localhost/healthz"))).status); // 200
 * ```
 */
export function createFilterHandler(options: FilterHandlerOptions): FetchHandler {
  const filter = options.filter;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const telemetry = options.telemetry ?? true;
  const engine = getDefaultEngine();
  engine.configure({ telemetry });
  const metrics = telemetry ? createMetricsHandler({ engine }) : undefined;
  // Hoisted: no options object per request.
  const convolveOptions: Readonly<Record<Mode, { mode: Mode }>> = {
    full: { mode: "full" },
    same: { mode: "same" },
    valid: { mode: "valid" },
  };

  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/metrics" && metrics !== undefined) return await metrics(request);
    if (url.pathname === "/healthz") return text(200, "ok");
    if (url.pathname !== "/filter") return text(404, `Not found: ${url.pathname}`);
    if (request.method !== "POST") {
      return text(405, `Method not allowed: ${request.method}`, { allow: "POST" });
    }
    const mode = (url.searchParams.get("mode") ?? "same") as Mode;
    if (!MODES.includes(mode)) {
      return text(400, `mode must be one of ${MODES.join(", ")}: received ${JSON.stringify(mode)}`);
    }
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > maxBytes) return text(413, `body over ${maxBytes} bytes`);
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > maxBytes) return text(413, `body over ${maxBytes} bytes`);
    if (bytes.byteLength === 0) return text(400, "the body must hold at least one float32 sample");
    let samples: Float32Array;
    try {
      samples = decodeSamples(bytes);
    } catch (error) {
      return text(400, (error as Error).message);
    }
    // The result is ours (the caller's): it becomes the response body as it is.
    const filtered = convolve(samples, filter, convolveOptions[mode]);
    return new Response(encodeSamples(filtered as Float32Array), {
      status: 200,
      headers: { "content-type": "application/octet-stream" },
    });
  };
}

interface NodeRequest {
  url?: string;
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "end" | "error", listener: (error?: Error) => void): void;
}

interface NodeResponse {
  writeHead(status: number, headers: Record<string, string>): void;
  end(body?: Uint8Array): void;
}

interface NodeServer {
  listen(port: number, hostname: string, callback: () => void): void;
  once(event: "error", listener: (error: Error) => void): void;
  address(): { port: number } | string | null;
  close(callback: (error?: Error) => void): void;
  closeAllConnections?(): void;
}

/** A listening service. */
export interface RunningService {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Reads a node:http request body, up to `maxBytes` (more yields `undefined`). */
function readNodeBody(
  req: NodeRequest,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let length = 0;
    req.on("data", (chunk) => {
      length += chunk.byteLength;
      if (length <= maxBytes) chunks.push(chunk);
    });
    req.on("end", () => {
      if (length > maxBytes) return resolve(undefined);
      const body = new Uint8Array(length);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.byteLength;
      }
      resolve(body);
    });
    req.on("error", reject);
  });
}

/** node:http with the request body handed to the fetch-style handler. */
async function serveNodeWithBodies(
  handler: FetchHandler,
  port: number,
  hostname: string,
  maxBytes: number,
): Promise<RunningService> {
  const http = await import("node:http") as unknown as {
    createServer(listener: (req: NodeRequest, res: NodeResponse) => void): NodeServer;
  };
  let host = urlHost(hostname, port);
  const server = http.createServer(async (req, res) => {
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
          headers.append(name, item);
        }
      }
      const method = req.method ?? "GET";
      const body = await readNodeBody(req, maxBytes);
      const response = body === undefined
        ? text(413, `body over ${maxBytes} bytes`)
        : await handler(
          new Request(`http://${host}${req.url ?? "/"}`, {
            method,
            headers,
            body: method === "GET" || method === "HEAD" ? undefined : body,
          }),
        );
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => (out[name] = value));
      res.writeHead(response.status, out);
      res.end(method === "HEAD" ? undefined : new Uint8Array(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(new TextEncoder().encode(`Internal error: ${String(error)}\n`));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  const address = server.address();
  host = urlHost(hostname, typeof address === "object" && address !== null ? address.port : port);
  return {
    url: `http://${host}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections?.();
      }),
  };
}

/**
 * Starts the service on the running runtime's server: `Deno.serve`, `Bun.serve`
 * (through `serveFetch`), or `node:http` with a body-reading adapter.
 *
 * @example
 * ```ts
 * import { startFilterService } from "./filter_service.ts";
 * const service = await startFilterService({ port: 0, filter: new Float32Array([1]), telemetry: false });
 * console.log(service.url.startsWith("http://127.0.0.1:")); // true
 * await service.close();
 * ```
 */
export async function startFilterService(
  options: Partial<FilterServiceOptions> & { filter: Float32Array },
): Promise<RunningService> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const handler = createFilterHandler({
    filter: options.filter,
    telemetry: options.telemetry,
    maxBytes,
  });
  const port = options.port ?? 8080;
  const hostname = options.host ?? "127.0.0.1";
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno === undefined && g.Bun === undefined) {
    return await serveNodeWithBodies(handler, port, hostname, maxBytes);
  }
  const server = await serveFetch(handler, { port, hostname });
  return { url: `http://${urlHost(server.hostname, server.port)}`, close: () => server.close() };
}

async function main(): Promise<void> {
  let options: FilterServiceOptions;
  try {
    options = parseFilterServiceArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  let service: RunningService;
  try {
    service = await startFilterService(options);
  } catch (error) {
    console.error(`convpool filter service: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(
    `convpool filter service: listening on ${service.url}/filter (${options.filter.length} taps, ` +
      `telemetry ${options.telemetry ? "on" : "off"})`,
  );
  if (options.telemetry) console.log(`convpool filter service: metrics on ${service.url}/metrics`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    if (options.durationSeconds !== undefined) {
      setTimeout(stop, options.durationSeconds * 1000);
    }
  });
  await service.close();
  console.log("convpool filter service: stopped");
  // prom-client's runtime collectors may hold handles on some runtimes; exit explicitly.
  process.exit(0);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
