import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { readEnvironment } from "../src/runtime/env.ts";

describe("runtime environment", () => {
  it("reads a variable of the running process", () => {
    process.env.CONVPOOL_RUNTIME_ENV_TEST = "yes";
    try {
      assert.deepEqual(readEnvironment(["CONVPOOL_RUNTIME_ENV_TEST"]), {
        CONVPOOL_RUNTIME_ENV_TEST: "yes",
      });
    } finally {
      delete process.env.CONVPOOL_RUNTIME_ENV_TEST;
    }
  });

  it("reads process.env, and nothing in a scope without an environment", () => {
    assert.deepEqual(readEnvironment(["A", "B"], { process: { env: { A: "1" } } }), {
      A: "1",
      B: undefined,
    });
    assert.deepEqual(readEnvironment(["A"], {}), { A: undefined });
  });

  it("reads Deno.env only for granted variables and never throws", () => {
    const scope = {
      Deno: {
        env: {
          get(name: string): string {
            if (name === "C") throw new Error("NotCapable");
            return `value of ${name}`;
          },
        },
        permissions: {
          querySync: ({ variable }: { variable: string }) => ({
            state: variable === "B" ? "prompt" : "granted",
          }),
        },
      },
      process: { env: { A: "from process" } },
    };
    assert.deepEqual(readEnvironment(["A", "B", "C"], scope), {
      A: "value of A",
      B: undefined,
      C: undefined,
    });
  });
});
