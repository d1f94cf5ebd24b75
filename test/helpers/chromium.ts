/**
 * Headless Chromium for the browser test and the browser bench: Debian's
 * `/usr/bin/chromium` (or `CHROMIUM_BIN`) driven by `puppeteer-core`, never a
 * downloaded browser; esbuild browser bundles of repository files; a loopback HTTP
 * server (127.0.0.1 is a secure context, as AudioWorklet needs).
 *
 * @example
 * ```ts
 * import { bundle, launchChromium, serve } from "./chromium.ts";
 *
 * const server = await serve({ "/mod.js": ["text/javascript", await bundle({ file: "mod.ts" })] });
 * const chromium = await launchChromium();
 * const page = await chromium.browser.newPage();
 * await chromium.close();
 * server.close();
 * ```
 *
 * @module
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { build } from "esbuild";
import puppeteer, { type Browser } from "puppeteer-core";
import { ROOT } from "./runtimes.ts";

/** The Chromium binary: `CHROMIUM_BIN`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM: string = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

/** Why the browser cannot run here (the binary is missing), or false when it can. */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;
}

/** Bundles one entry (a file, or source text resolved from the repository root) as an ES module. */
export async function bundle(entry: { file: string } | { source: string }): Promise<string> {
  const result = await build({
    ...("file" in entry
      ? { entryPoints: [join(ROOT, entry.file)] }
      : { stdin: { contents: entry.source, resolveDir: ROOT, loader: "ts" as const } }),
    absWorkingDir: ROOT,
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** A served file: content type and body. */
export type ServedFile = [type: string, body: string | Uint8Array];

/** Serves fixed files on 127.0.0.1; the server's origin is {@linkcode originOf}. */
export function serve(files: Record<string, ServedFile>): Promise<Server> {
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://localhost").pathname];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file[0], "cache-control": "no-store" });
    response.end(file[1]);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** `http://127.0.0.1:<port>` of a server from {@linkcode serve}. */
export function originOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A running headless Chromium with a throw-away profile. */
export interface Chromium {
  browser: Browser;
  /** The browser's version string, e.g. `Chrome/131.0.6778.85`. */
  version: string;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Launches {@linkcode CHROMIUM} headless, without network side traffic. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), "convpool-chromium-"));
  try {
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
      ],
    });
    return {
      browser,
      version: await browser.version(),
      async close() {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
