/**
 * Which kernel runs: the WebAssembly SIMD kernels where the runtime has
 * WebAssembly SIMD (Deno, Bun and Node all do), else the plain TypeScript ones,
 * and within a set the family that its calibrated cost model predicts fastest.
 *
 * @example
 * ```ts
 * import { pickKernel, runKernel } from "./dispatch.ts";
 * const x = new Float32Array([1, 2, 3]), h = new Float32Array([1, 1]);
 * const out = new Float32Array(4);
 * const method = pickKernel("auto", 3, 2, 0, 4, false);
 * runKernel(method, x, h, out, 0, 4, false, undefined);
 * console.log(out); // Float32Array [1, 3, 5, 3]
 * ```
 *
 * @module
 */

import { type Float, KERNEL_METHODS, type KernelMethod, type Method, type Mode } from "../types.ts";
import { chooseMethod, FREQUENCY_ONLY } from "./cost_model.ts";
import { convolveDirect } from "./direct.ts";
import { convolveFft } from "./fft_convolve.ts";
import { convolveOverlapAdd } from "./overlap_add.ts";
import { chooseWasmMethod } from "./wasm/wasm_cost_model.ts";
import { wasmInstanceStatus } from "./wasm/wasm_instance.ts";
import { FLOAT64_TRANSFORMS, wasmKernels } from "./wasm/wasm_kernels.ts";
import { scipyAutoTransforms } from "./scipy_auto_choice.ts";
import { CachedWorkspace, type Workspace } from "./workspace.ts";

/** The two kernel sets: WebAssembly SIMD, or the plain TypeScript fallback. */
export type KernelSet = "wasm" | "typescript";

/**
 * `"wasm"` when the WebAssembly SIMD kernels run, `"typescript"` for the fallback.
 * Instantiates the WebAssembly kernels when none exist yet (it answers by getting
 * them); telemetry reads {@linkcode observedKernelSet} instead.
 *
 * @example
 * ```ts
 * import { activeKernelSet } from "./dispatch.ts";
 * console.log(activeKernelSet()); // "wasm" on Deno, Bun and Node
 * ```
 */
export function activeKernelSet(): KernelSet {
  return wasmKernels() === null ? "typescript" : "wasm";
}

/**
 * The kernel set that runs, read without side effects (telemetry reads it on every
 * scrape): never instantiates, grows or drops the WebAssembly kernels. While no
 * instance exists (before the first convolution, or after idle memory was given
 * back) it names the set the next convolution will use.
 *
 * @example
 * ```ts
 * import { observedKernelSet } from "./dispatch.ts";
 * console.log(observedKernelSet()); // "wasm" on Deno, Bun and Node
 * ```
 */
export function observedKernelSet(): KernelSet {
  const status = wasmInstanceStatus();
  return status.enabled && (status.alive || status.supported) ? "wasm" : "typescript";
}

/**
 * Bytes of memory the active kernel set keeps outside the allocation engine: the
 * WebAssembly kernels' linear memory (scratch and cached FFT tables; it grows with
 * the largest call and is given back when idle, see `wasm/wasm_instance.ts`), or 0
 * on the TypeScript set, whose scratch comes from the engine. Read without side
 * effects.
 *
 * @example
 * ```ts
 * import { kernelMemoryBytes } from "./dispatch.ts";
 * console.log(kernelMemoryBytes() >= 0); // true
 * ```
 */
export function kernelMemoryBytes(): number {
  const status = wasmInstanceStatus();
  return status.enabled ? status.memoryBytes : 0;
}

/**
 * True when `kernelMethod` will need scratch from a {@linkcode Workspace} (the
 * TypeScript FFT kernels); the WebAssembly kernels work inside their own linear
 * memory and the direct kernels need none.
 */
export function needsScratch(kernelMethod: KernelMethod): boolean {
  return kernelMethod !== "direct" && wasmKernels() === null;
}

/**
 * Whether a request's transforms run in float64: for `method: "auto"` with a float32
 * output, on problems that SciPy's own `auto` would sum directly
 * (`scipy_auto_choice.ts`). There float32 transforms would be less accurate than
 * SciPy's float32 sums, so `auto` picks between float64-summing direct kernels and
 * float64 transforms, and every output is rounded to float32 once. `n` and `m` are the
 * signal's and kernel's lengths as the caller gave them.
 *
 * @example
 * ```ts
 * import { float64TransformsFor } from "./dispatch.ts";
 * console.log(float64TransformsFor("auto", 4096, 63, "full", false)); // true
 * console.log(float64TransformsFor("fft", 4096, 63, "full", false)); // false
 * console.log(float64TransformsFor("auto", 65536, 1023, "full", false)); // false
 * ```
 */
export function float64TransformsFor(
  method: Method,
  n: number,
  m: number,
  mode: Mode,
  f64: boolean,
): boolean {
  return method === "auto" && !f64 && !scipyAutoTransforms(n, m, mode);
}

/**
 * The kernel family for a request: `method` as asked (`"fft"` means the cheaper
 * frequency-domain family), or the active kernel set's cost model's choice for the
 * window `[start, start + length)`. `f64` is the precision of the output;
 * `float64Transforms` prices a float32 window's transforms in float64, as
 * {@linkcode runKernel} will run them (see {@linkcode float64TransformsFor}).
 */
export function pickKernel(
  method: Method,
  n: number,
  m: number,
  start: number,
  length: number,
  f64: boolean,
  float64Transforms = false,
): KernelMethod {
  if (method === "direct") return "direct";
  const wasm = wasmKernels() !== null;
  // The choice depends only on these values. A small direct-mapped cache keeps the
  // cost model (and the float boxing of its arithmetic) off the hot path of
  // repeated sizes.
  const flags = (method === "fft" ? 1 : 0) | (wasm ? 2 : 0) | (f64 ? 4 : 0) |
    (float64Transforms ? 8 : 0);
  const slot = (Math.imul(n, 0x9e3779b1) ^ Math.imul(m, 0x85ebca6b) ^
    Math.imul(length, 0xc2b2ae35) ^ Math.imul(start, 0x27d4eb2f) ^ flags) &
    (CHOICE_CACHE_SLOTS - 1);
  const key = slot * CHOICE_KEY_WIDTH;
  if (
    choiceKeys[key] === n && choiceKeys[key + 1] === m && choiceKeys[key + 2] === length &&
    choiceKeys[key + 3] === start && choiceKeys[key + 4] === flags
  ) {
    return KERNEL_METHODS[choiceValues[slot]];
  }
  const choice = wasm
    ? chooseWasmMethod(n, m, start, length, f64, method === "fft", float64Transforms)
    : chooseMethod(n, m, length, method === "fft" ? FREQUENCY_ONLY : undefined);
  choiceKeys[key] = n;
  choiceKeys[key + 1] = m;
  choiceKeys[key + 2] = length;
  choiceKeys[key + 3] = start;
  choiceKeys[key + 4] = flags;
  choiceValues[slot] = KERNEL_METHODS.indexOf(choice);
  return choice;
}

const CHOICE_CACHE_SLOTS = 256;
const CHOICE_KEY_WIDTH = 5;
const choiceKeys = new Float64Array(CHOICE_CACHE_SLOTS * CHOICE_KEY_WIDTH).fill(-1);
const choiceValues = new Uint8Array(CHOICE_CACHE_SLOTS);

/**
 * Runs `kernelMethod` on the active kernel set: writes `out[i] = full[start + i]`
 * for `i < length` (see `window_kernel.ts` for the window contract). `workspace` supplies
 * the TypeScript FFT kernels' scratch (see {@linkcode needsScratch}); when it is
 * undefined they get a private one. With `float64Transforms` the WebAssembly FFT
 * kernels transform a float32 window in float64 and round each output once (the
 * TypeScript kernels always transform in float64).
 */
export function runKernel(
  kernelMethod: KernelMethod,
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  workspace: Workspace | undefined,
  float64Transforms = false,
): void {
  const wasm = wasmKernels();
  if (wasm !== null) {
    const options = float64Transforms ? FLOAT64_TRANSFORMS : undefined;
    if (kernelMethod === "direct") {
      wasm.convolveDirect(signal, kernel, out, start, length, reverseKernel);
    } else if (kernelMethod === "fft") {
      wasm.convolveFft(signal, kernel, out, start, length, reverseKernel, options);
    } else {
      wasm.convolveOverlapAdd(signal, kernel, out, start, length, reverseKernel, options);
    }
    return;
  }
  if (kernelMethod === "direct") {
    convolveDirect(signal, kernel, out, start, length, reverseKernel);
    return;
  }
  const scratch = workspace ?? new CachedWorkspace();
  if (kernelMethod === "fft") {
    convolveFft(signal, kernel, out, start, length, reverseKernel, scratch);
  } else {
    convolveOverlapAdd(signal, kernel, out, start, length, reverseKernel, scratch);
  }
}
