import assert from "node:assert/strict";
import { it } from "node:test";
import { connectToParent } from "../src/runtime/workers/parent.ts";

it("has no parent on a main thread", async () => {
  assert.equal(await connectToParent(), null);
});

// The worker side proper (post, onMessage, closeQuietly, exit) is exercised by every
// parallel batch and crash kind in test/parallel_worker_pool.test.ts and test/faults.test.ts.
