import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeBase64, decodeBase64Pure } from "../src/runtime/base64.ts";
import { WASM_BASE64 } from "../src/kernels/wasm/convpool_bytes.ts";

function encode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

describe("runtime base64", () => {
  it("decodes every length and byte value the same with and without atob", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = (i * 97 + length) & 0xff;
      const text = encode(bytes);
      assert.deepEqual(decodeBase64(text), bytes);
      assert.deepEqual(decodeBase64(text, {}), bytes, `length ${length}`);
      assert.deepEqual(decodeBase64Pure(text.replace(/=+$/, "")), bytes, "unpadded");
    }
  });

  it("decodes the embedded WebAssembly module identically without atob", () => {
    const pure = decodeBase64Pure(WASM_BASE64);
    assert.deepEqual(pure, decodeBase64(WASM_BASE64));
    assert.deepEqual([...pure.subarray(0, 4)], [0, 97, 115, 109]);
  });

  it("ignores whitespace and rejects characters outside the alphabet", () => {
    assert.deepEqual(decodeBase64Pure(" aG\nk= "), new Uint8Array([104, 105]));
    assert.throws(
      () => decodeBase64Pure("aG-k"),
      new RangeError(
        'decodeBase64Pure: every character of text must be in the base64 alphabet, received "-"',
      ),
    );
    assert.throws(() => decodeBase64Pure("aGkxY"), /whole bytes .*, received "aGkxY"$/);
  });
});
