import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { convolveFft, fftSizeForWindow } from "../src/kernels/fft_convolve.ts";
import { randomSignal } from "./helpers/reference.ts";
import { RecordingWorkspace } from "./helpers/recording_workspace.ts";

// The window contract (every mode, random windows, precisions, long signals) is
// tested for all kernels in kernel_contract.test.ts.
describe("convolveFft", () => {
  it("uses transforms no larger than the window needs", () => {
    assert.equal(fftSizeForWindow(1000, 24, 0, 1023), 1024);
    assert.equal(fftSizeForWindow(1000, 100, 99, 901), 1024); // valid
    assert.equal(fftSizeForWindow(1000, 100, 49, 1000), 2048); // same
    assert.equal(fftSizeForWindow(1, 1, 0, 1), 1);
    assert.equal(fftSizeForWindow(10, 1000, 9, 991), 1024);
  });

  it("reuses the same scratch arrays when a warm workspace is called again", () => {
    const workspace = new RecordingWorkspace();
    const x = randomSignal(Float64Array, 5000, 9), h = randomSignal(Float64Array, 300, 10);
    const out = new Float64Array(5299);
    convolveFft(x, h, out, 0, 5299, false, workspace);
    const first = workspace.taken;
    workspace.reset();
    for (let round = 0; round < 3; round++) {
      convolveFft(x, h, out, 0, 5299, true, workspace);
      assert.equal(workspace.taken.length, first.length);
      workspace.taken.forEach((array, i) => assert.equal(array, first[i]));
      workspace.reset();
    }
  });
});
