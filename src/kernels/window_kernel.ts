/**
 * The window contract every convolution kernel shares, TypeScript and WebAssembly:
 * a kernel computes a WINDOW of the full linear convolution
 * `full[k] = sum_j signal[k - j] * kernel[j]`, `k in [0, n + m - 1)`, writing
 * `out[i] = full[start + i]` for `i in [0, length)` and nothing else of `out`;
 * `reverseKernel` reads the kernel back to front (a correlation) without a copy.
 *
 * @example
 * ```ts
 * import type { WindowKernel } from "./window_kernel.ts";
 * import { convolveDirect } from "./direct.ts";
 * const kernel: WindowKernel = convolveDirect;
 * const out = new Float64Array(2);
 * kernel(new Float64Array([1, 2, 3]), new Float64Array([1, 1]), out, 1, 2, false);
 * console.log(out); // Float64Array [3, 5]
 * ```
 *
 * @module
 */

import type { Float } from "../types.ts";
import type { Workspace } from "./workspace.ts";

/** A kernel of the window contract (see the module docs). */
export type WindowKernel = (
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
) => void;

/** A {@linkcode WindowKernel} that takes its scratch from a {@linkcode Workspace}. */
export type ScratchWindowKernel = (
  ...args: [...Parameters<WindowKernel>, workspace: Workspace]
) => void;
