/**
 * Result buffers handed to callers: pool (or heap) memory that the caller owns
 * until it gives it back, never stack-arena memory, even when the call runs
 * inside an `engine.scope()` (the scope would reclaim it, and a later scope
 * would overwrite it, behind the caller's back).
 *
 * @example
 * ```ts
 * import { createEngine } from "./alloc/engine.ts";
 * import { acquireResultFloat32 } from "./result_buffer.ts";
 * const engine = createEngine();
 * let kept!: Float32Array;
 * engine.scope(() => {
 *   kept = acquireResultFloat32(engine, 16); // from the pool, not the scope's stack
 * });
 * engine.release(kept); // still the caller's after the scope: give it back when done
 * engine.close();
 * ```
 *
 * @module
 */

import type { AllocationEngine } from "./alloc/engine.ts";

/**
 * A `Float32Array` of exactly `length` elements from the engine's pool (or the
 * heap when the pool cannot serve it) for the caller to own; give it back with
 * `engine.release`. Allocates nothing once the pool holds a buffer of that size.
 */
export function acquireResultFloat32(engine: AllocationEngine, length: number): Float32Array {
  // acquireFloat32 serves from the stack arena only when the innermost frame is a
  // scope. An operation frame around the request sends it to the pool instead, and
  // ending that operation returns only the operation's own scratch, not this result.
  engine.beginOperation();
  try {
    return engine.acquireFloat32(length);
  } finally {
    engine.endOperation();
  }
}
