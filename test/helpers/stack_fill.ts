/**
 * Fills an engine's whole stack arena with 7s inside a new scope, as any later
 * scope may: a result that wrongly lived on the stack shows 7s afterwards.
 *
 * @example
 * ```ts
 * import { createEngine } from "../../mod.ts";
 * import { overwriteStack } from "./stack_fill.ts";
 * overwriteStack(createEngine());
 * ```
 *
 * @module
 */

import type { AllocationEngine } from "../../mod.ts";

/** Takes (and fills) every byte of the stack arena in a scope, then gives back the overflow. */
export function overwriteStack(engine: AllocationEngine): void {
  engine.scope(() => {
    const taken: Float32Array[] = [];
    for (let bytes = 0; bytes < engine.config.stackBytes; bytes += 1024) {
      taken.push(engine.acquireFloat32(256).fill(7));
    }
    for (const buffer of taken) engine.release(buffer); // pool overflow goes back; stack: no-op
  });
}
