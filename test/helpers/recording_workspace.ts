/**
 * A test {@linkcode Workspace} that records the arrays it hands out, so tests can
 * prove that a warm workspace gives a kernel the same scratch again.
 *
 * @module
 */

import { CachedWorkspace, type Workspace } from "../../src/kernels/workspace.ts";

/**
 * A {@linkcode Workspace} over a {@linkcode CachedWorkspace} that remembers, in
 * {@linkcode RecordingWorkspace.taken}, every array handed out since the last
 * {@linkcode RecordingWorkspace.reset}.
 *
 * @example
 * ```ts
 * import { RecordingWorkspace } from "./recording_workspace.ts";
 * const workspace = new RecordingWorkspace();
 * const first = workspace.takeFloat64(8);
 * workspace.reset();
 * workspace.takeFloat64(8);
 * console.log(workspace.taken[0] === first); // true
 * ```
 */
export class RecordingWorkspace implements Workspace {
  /** The cache that actually owns the arrays. */
  readonly inner: CachedWorkspace = new CachedWorkspace();
  /** The arrays taken since the last reset, in order. */
  taken: Float64Array[] = [];

  /** Takes from {@linkcode RecordingWorkspace.inner} and records the array. */
  takeFloat64(length: number): Float64Array {
    const array = this.inner.takeFloat64(length);
    this.taken.push(array);
    return array;
  }

  /** Ends the operation: resets the cache and starts a new, empty record. */
  reset(): void {
    this.inner.reset();
    this.taken = [];
  }
}
