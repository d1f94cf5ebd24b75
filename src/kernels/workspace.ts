/**
 * The scratch-memory contract between kernels and whoever owns memory.
 *
 * Kernels never allocate work arrays themselves: they ask a {@linkcode Workspace}
 * for scratch that stays valid until the operation ends. The allocation engine is
 * one implementation; {@linkcode CachedWorkspace} is a simple stand-alone one.
 *
 * @module
 */

import { nextPowerOfTwo } from "./power_of_two.ts";

/**
 * Hands out scratch `Float64Array`s for the duration of one kernel operation.
 *
 * Every call returns a region distinct from the others taken in the same
 * operation. The array returned may be LONGER than `length`: kernels must use
 * explicit lengths and never rely on `.length`.
 */
export interface Workspace {
  /** Returns scratch of at least `length` float64 elements; contents are undefined. */
  takeFloat64(length: number): Float64Array;
}

/**
 * A {@linkcode Workspace} that keeps one growable array per slot: the i-th take of
 * an operation reuses the i-th cached array, so repeated operations of a size that
 * has been seen allocate nothing. Call {@linkcode CachedWorkspace.reset} between
 * operations.
 *
 * @example
 * ```ts
 * import { CachedWorkspace } from "./workspace.ts";
 * const ws = new CachedWorkspace();
 * const a = ws.takeFloat64(8);
 * ws.reset();
 * console.log(ws.takeFloat64(8) === a); // true
 * ```
 */
export class CachedWorkspace implements Workspace {
  #slots: Float64Array[] = [];
  #next = 0;

  /** Returns the next slot's array, grown (to a power of two) when too short. */
  takeFloat64(length: number): Float64Array {
    const slot = this.#next++;
    let buffer = this.#slots[slot];
    if (buffer === undefined || buffer.length < length) {
      buffer = new Float64Array(nextPowerOfTwo(length));
      this.#slots[slot] = buffer;
    }
    return buffer;
  }

  /** Ends the current operation: the next take starts again at the first slot. */
  reset(): void {
    this.#next = 0;
  }

  /** Drops every cached array (frees the memory for the garbage collector). */
  clear(): void {
    this.#slots.length = 0;
    this.#next = 0;
  }
}
