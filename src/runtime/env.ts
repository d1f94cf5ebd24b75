/**
 * Environment variables, where the runtime has them: `Deno.env` on Deno (only the
 * variables the program may already read: it never prompts or throws for a missing
 * `--allow-env`), else `process.env` (Node, Bun), else none (pages and worklets).
 *
 * @example
 * ```ts
 * import { readEnvironment } from "./env.ts";
 * console.log(readEnvironment(["HOME"])); // { HOME: "/root" } where allowed, else { HOME: undefined }
 * ```
 *
 * @module
 */

/** The environment sources of a global scope, as far as they exist there. */
export interface EnvScope {
  Deno?: {
    env?: { get?: unknown };
    permissions?: { querySync?: unknown };
  };
  process?: { env?: Record<string, string | undefined> };
}

type QuerySync = (descriptor: { name: "env"; variable: string }) => { state: string };

/**
 * Reads the variables `names` from `scope` (default: this runtime's global scope)
 * into a plain record; a variable that is unset, not allowed, or in a runtime
 * without an environment is `undefined`.
 *
 * @example
 * ```ts
 * import { readEnvironment } from "./env.ts";
 * const env = readEnvironment(["A"], { process: { env: { A: "1" } } });
 * console.log(env); // { A: "1" }
 * console.log(readEnvironment(["A"], {})); // { A: undefined }
 * ```
 */
export function readEnvironment(
  names: readonly string[],
  scope: EnvScope = globalThis as EnvScope,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) out[name] = undefined;
  const deno = scope.Deno;
  const get = deno?.env?.get;
  if (typeof get === "function") {
    const query = deno!.permissions?.querySync;
    for (const name of names) {
      const state = typeof query === "function"
        ? (query as QuerySync).call(deno!.permissions, { name: "env", variable: name }).state
        : undefined;
      if (state !== "granted") continue;
      try {
        out[name] = get.call(deno!.env, name);
      } catch {
        // Not allowed after all: leave it unset.
      }
    }
    return out;
  }
  const env = scope.process?.env;
  if (env !== undefined) {
    for (const name of names) out[name] = env[name];
  }
  return out;
}
