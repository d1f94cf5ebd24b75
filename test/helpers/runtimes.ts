/**
 * How each runtime runs a TypeScript file from this repository: the command
 * prefixes the README shows, for tests that spawn Deno, Bun and Node.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (with a trailing slash). */
export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url));

/** Command prefix per runtime; append the script's path (and its arguments). */
export const RUNTIMES: Readonly<Record<"deno" | "bun" | "node", readonly string[]>> = {
  deno: [join(ROOT, "node_modules/.bin/deno"), "run", "-A"],
  bun: [join(ROOT, "node_modules/.bin/bun")],
  // "node", not process.execPath: under `deno test` or `bun test` the latter is Deno or Bun.
  node: ["node", "--import", "tsx"],
};
