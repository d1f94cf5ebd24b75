/**
 * Checks that the committed WebAssembly module is what the build produces today, and
 * that it loads on this runtime.
 *
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildBytesModule, OUTPUT_PATH } from "../scripts/build_wasm.ts";
import { WASM_BYTE_LENGTH } from "../src/kernels/wasm/convpool_bytes.ts";
import { simdSupported, wasmBytes } from "../src/kernels/wasm/loader.ts";

describe("WebAssembly build", () => {
  it(
    "committed convpool_bytes.ts equals a fresh build of asm/convpool.ts",
    { timeout: 120_000 },
    async () => {
      const fresh = await buildBytesModule();
      const committed = readFileSync(new URL(`../${OUTPUT_PATH}`, import.meta.url), "utf8");
      assert.ok(
        committed === fresh,
        `${OUTPUT_PATH} is stale: run node --import tsx scripts/build_wasm.ts`,
      );
    },
  );

  it("embeds a module that validates where SIMD is supported", () => {
    const bytes = wasmBytes();
    assert.equal(bytes.length, WASM_BYTE_LENGTH);
    if (simdSupported()) assert.ok(WebAssembly.validate(bytes));
  });
});
