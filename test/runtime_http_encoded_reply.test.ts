import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asResponse, encodedReply, toResponse } from "../src/runtime/http/encoded_reply.ts";

describe("encodedReply", () => {
  it("keeps the body it is given, without a copy", () => {
    const body = new TextEncoder().encode("metrics");
    const headers = { "content-type": "text/plain" };
    const reply = encodedReply(200, headers, body);
    assert.equal(reply.status, 200);
    assert.equal(reply.body, body);
    assert.equal(reply.headers, headers);
  });
});

describe("toResponse", () => {
  it("gives a Response whose body is a copy (the caller's)", async () => {
    const body = new TextEncoder().encode("abc");
    const response = toResponse(encodedReply(404, { "content-type": "text/plain" }, body));
    body[0] = 120; // changing the reply's bytes afterwards does not reach the response
    assert.equal(response.status, 404);
    assert.equal(response.headers.get("content-type"), "text/plain");
    assert.equal(await response.text(), "abc");
  });

  it("gives a null body for a reply without one", () => {
    const response = toResponse(encodedReply(200, {}, null));
    assert.equal(response.status, 200);
    assert.equal(response.body, null);
  });
});

describe("asResponse", () => {
  it("returns a Response as it is and converts an encoded reply", async () => {
    const response = new Response("ok");
    assert.equal(asResponse(response), response);
    const converted = asResponse(encodedReply(201, {}, new TextEncoder().encode("made")));
    assert.ok(converted instanceof Response);
    assert.equal(converted.status, 201);
    assert.equal(await converted.text(), "made");
  });
});
