import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BufferUtils,
  convolution,
  convolutionInPlace,
  convolve,
  correlate,
  createEngine,
} from "../mod.ts";
import { measureHeapGrowth } from "./helpers/heap_probe.ts";
import { randomSignal } from "./helpers/reference.ts";

// A real allocation costs at least 16 bytes per call; the probe's noise stays under 2.
const MAX_BYTES_PER_CALL = 4;
const CALLS = 100_000;

/** Prints the measurement, so a test run is also the evidence. */
function report(
  what: string,
  result: { bytesPerCall: number; reader: string; roundBytesPerCall: number[] },
): void {
  console.log(
    `zero-allocation: ${what}: ${
      result.bytesPerCall.toFixed(2)
    } B/call over ${CALLS} calls (${result.reader}; per probe round: ${
      result.roundBytesPerCall.map((b) => b.toFixed(2)).join(", ")
    })`,
  );
}

const SIZES = [
  ["small (direct)", 256, 15, "auto"],
  ["medium", 4096, 63, "auto"],
  ["FFT-path", 1024, 63, "fft"],
  ["overlap-add-path", 8192, 15, "fft"],
] as const;

describe("steady state makes no JS-heap allocation per call", () => {
  for (const [label, n, m, method] of SIZES) {
    it(`for convolve and correlate with out at the ${label} size ${n}x${m}`, async () => {
      const engine = createEngine({ maintenanceIntervalMs: 0 });
      const signal = randomSignal(Float32Array, n, 1);
      const kernel = randomSignal(Float32Array, m, 2);
      const options = { method, out: new Float32Array(n + m - 1), engine };
      const result = await measureHeapGrowth(() => {
        convolve(signal, kernel, options);
        correlate(signal, kernel, options);
      }, { calls: CALLS });
      report(`convolve + correlate ${n}x${m} method ${method}`, result);
      assert.ok(
        result.bytesPerCall < MAX_BYTES_PER_CALL,
        `${result.bytesPerCall} B/call via ${result.reader}`,
      );
      assert.equal(engine.getStats().heap.allocations, 0, "no heap fallback for scratch");
      engine.close();
    });
  }

  for (const [label, n, m] of [["small", 256, 15], ["medium", 4096, 63]] as const) {
    it(`for convolutionInPlace and for convolution followed by releaseBuffer at the ${label} size`, async () => {
      const signal = randomSignal(Float32Array, n, 3);
      const kernel = randomSignal(Float32Array, m, 4);
      const result = new Float32Array(n + m - 1);
      const before = BufferUtils.getStats().heap.allocations;
      const probe = await measureHeapGrowth(() => {
        convolutionInPlace(signal, kernel, result);
        BufferUtils.releaseBuffer(convolution(signal, kernel));
      }, { calls: CALLS });
      report(`convolutionInPlace + convolution/releaseBuffer ${n}x${m}`, probe);
      assert.ok(
        probe.bytesPerCall < MAX_BYTES_PER_CALL,
        `${probe.bytesPerCall} B/call via ${probe.reader}`,
      );
      assert.equal(BufferUtils.getStats().heap.allocations, before);
    });
  }
});
