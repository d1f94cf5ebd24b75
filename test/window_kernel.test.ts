import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convolveDirect } from "../src/kernels/direct.ts";
import { convolveFft } from "../src/kernels/fft_convolve.ts";
import { convolveOverlapAdd } from "../src/kernels/overlap_add.ts";
import { simdSupported } from "../src/kernels/wasm/loader.ts";
import { convolveDirectWasm } from "../src/kernels/wasm/wasm_kernels.ts";
import type { ScratchWindowKernel, WindowKernel } from "../src/kernels/window_kernel.ts";
import { CachedWorkspace } from "../src/kernels/workspace.ts";

const windowKernels: WindowKernel[] = simdSupported()
  ? [convolveDirect, convolveDirectWasm]
  : [convolveDirect];
const scratchKernels: ScratchWindowKernel[] = [convolveFft, convolveOverlapAdd];

describe("WindowKernel", () => {
  it("is the signature of the direct kernels: they write the window and nothing else", () => {
    for (const kernel of windowKernels) {
      const out = new Float64Array([9, 9, 9]);
      kernel(new Float64Array([1, 2, 3]), new Float64Array([1, 1]), out, 1, 2, false);
      assert.deepEqual([...out], [3, 5, 9]);
    }
  });

  it("reads the kernel back to front with reverseKernel", () => {
    for (const kernel of windowKernels) {
      const out = new Float64Array(4);
      kernel(new Float64Array([1, 2, 3]), new Float64Array([1, 0]), out, 0, 4, true);
      assert.deepEqual([...out], [0, 1, 2, 3]);
    }
  });
});

describe("ScratchWindowKernel", () => {
  it("is the signature of the TypeScript FFT kernels, scratch from the workspace", () => {
    for (const kernel of scratchKernels) {
      const out = new Float64Array(2);
      kernel(
        new Float64Array([1, 2, 3]),
        new Float64Array([1, 1]),
        out,
        1,
        2,
        false,
        new CachedWorkspace(),
      );
      assert.deepEqual([...out].map(Math.round), [3, 5]);
    }
  });
});
