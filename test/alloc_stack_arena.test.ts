import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_CACHED_VIEWS, StackArena } from "../src/alloc/stack_arena.ts";

test("takes are distinct, 8-byte aligned and tracked by the bump pointer", () => {
  const arena = new StackArena(256);
  const a = arena.takeFloat32(3)!;
  const b = arena.takeFloat64(2)!;
  assert.equal(a.byteOffset, 0);
  assert.equal(b.byteOffset, 16);
  assert.equal(arena.top, 32);
  assert.equal(arena.peak, 32);
});

test("exact views have the requested length and repeat as the same objects", () => {
  const arena = new StackArena(1024);
  const a = arena.takeFloat32(5)!;
  arena.popTo(0, false);
  assert.equal(arena.takeFloat32(5), a);
  assert.equal(a.length, 5);
  assert.notEqual(arena.takeFloat32(5), a, "a different offset is a different view");
});

test("scratch views cover at least the request and are cached per offset and class", () => {
  const arena = new StackArena(1024);
  const a = arena.takeScratchFloat64(5)!;
  assert.ok(a.length >= 5);
  arena.popTo(0, false);
  assert.equal(arena.takeScratchFloat64(7), a, "5 and 7 float64 share a class");
});

test("a take that does not fit returns undefined and changes nothing", () => {
  const arena = new StackArena(64);
  assert.ok(arena.takeFloat64(6));
  assert.equal(arena.takeFloat64(3), undefined);
  assert.equal(arena.takeScratchFloat64(3), undefined);
  assert.equal(arena.top, 48);
});

test("popTo poisons the popped bytes when asked and rejects bad marks", () => {
  const arena = new StackArena(64);
  const a = arena.takeFloat32(4)!.fill(1);
  const b = arena.takeFloat64(2)!.fill(1);
  arena.popTo(0, true);
  assert.ok(a.every(Number.isNaN) && b.every(Number.isNaN));
  assert.throws(() => arena.popTo(8, false), RangeError);
});

test("the view cache is bounded", () => {
  assert.ok(MAX_CACHED_VIEWS > 1000);
  const arena = new StackArena(8);
  for (let n = 0; n <= 2; n++) {
    arena.takeFloat32(n);
    arena.popTo(0, false);
  }
  assert.equal(arena.uncachedViews, 0);
});
