import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkPowerOfTwo, isPowerOfTwo, nextPowerOfTwo } from "../src/kernels/power_of_two.ts";

describe("nextPowerOfTwo", () => {
  it("rounds up to a power of two", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 5, 1024, 1025].map((v) => nextPowerOfTwo(v)),
      [1, 1, 2, 4, 8, 1024, 2048],
    );
  });

  it("never goes below the floor", () => {
    assert.deepEqual([0, 3, 16, 17].map((v) => nextPowerOfTwo(v, 16)), [16, 16, 16, 32]);
  });
});

describe("isPowerOfTwo", () => {
  it("accepts integer powers of two only", () => {
    assert.deepEqual(
      [1, 2, 64, 2 ** 31].map(isPowerOfTwo),
      [true, true, true, true],
    );
    assert.deepEqual(
      [0, -2, 3, 96, 0.5, 2 ** 32, NaN, "8", undefined].map(isPowerOfTwo),
      [false, false, false, false, false, false, false, false, false],
    );
  });
});

describe("checkPowerOfTwo", () => {
  it("passes a power of two in range", () => {
    checkPowerOfTwo(16, 16, Infinity, "caller", "size");
    checkPowerOfTwo(65536, 8, 65536, "caller", "size");
  });

  it("names the caller, the range and the received value", () => {
    assert.throws(() => checkPowerOfTwo(100, 8, 65536, "StreamingConvolver", "blockSize"), {
      name: "RangeError",
      message: "StreamingConvolver: blockSize must be a power of two from 8 to 65536, " +
        "received number 100",
    });
    assert.throws(() => checkPowerOfTwo(8, 16, Infinity, "convolveFftWasm", "fftSize"), {
      name: "RangeError",
      message: "convolveFftWasm: fftSize must be a power of two >= 16, received number 8",
    });
    assert.throws(() => checkPowerOfTwo("16", 1, Infinity, "RealFftPlan", "size"), {
      name: "RangeError",
      message: 'RealFftPlan: size must be a power of two >= 1, received "16"',
    });
  });
});
