/**
 * Base64 decoding without assuming `atob`: `atob` where the scope has it (Deno,
 * Bun, Node, pages), else a small pure decoder (an AudioWorkletGlobalScope has no
 * `atob`). Both give the same bytes for valid standard base64 (with or without
 * `=` padding).
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "./base64.ts";
 * console.log(decodeBase64("AGFzbQ==")); // Uint8Array(4) [0, 97, 115, 109]
 * ```
 *
 * @module
 */

import { rangeError } from "../validate.ts";

/** The base64 source of a global scope, if it has one. */
export interface Base64Scope {
  atob?: unknown;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const SEXTETS = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTETS[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes standard base64 with `atob` when `scope` (default: this runtime's global
 * scope) has it, else with {@linkcode decodeBase64Pure}.
 *
 * @throws {RangeError} (pure decoder) or the scope's `DOMException` (atob) on
 * characters outside the base64 alphabet.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "./base64.ts";
 * console.log(decodeBase64("AQID", {})); // Uint8Array(3) [1, 2, 3], without atob
 * ```
 */
export function decodeBase64(
  text: string,
  scope: Base64Scope = globalThis as Base64Scope,
): Uint8Array<ArrayBuffer> {
  if (typeof scope.atob !== "function") return decodeBase64Pure(text);
  const binary: string = (scope.atob as (data: string) => string).call(scope, text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Decodes standard base64 (alphabet `A-Z a-z 0-9 + /`, optional `=` padding,
 * whitespace ignored) with no runtime help.
 *
 * @throws {RangeError} on a character outside the alphabet or a dangling sextet.
 *
 * @example
 * ```ts
 * import { decodeBase64Pure } from "./base64.ts";
 * console.log(decodeBase64Pure("aGk=")); // Uint8Array(2) [104, 105] ("hi")
 * ```
 */
export function decodeBase64Pure(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/[\t\n\f\r ]+/g, "").replace(/={1,2}$/, "");
  if (clean.length % 4 === 1) {
    throw rangeError(
      "decodeBase64Pure",
      "text",
      "base64 of whole bytes (a length that is not 1 more than a multiple of 4)",
      text,
    );
  }
  const bytes = new Uint8Array((clean.length * 3) >> 2);
  let acc = 0, bits = 0, at = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const sextet = code < 128 ? SEXTETS[code] : -1;
    if (sextet < 0) {
      throw rangeError(
        "decodeBase64Pure",
        "every character of text",
        "in the base64 alphabet",
        clean[i],
      );
    }
    acc = ((acc << 6) | sextet) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (acc >> bits) & 0xff;
    }
  }
  return bytes;
}
