/**
 * Powers of two, the sizes every FFT, block and buffer in convpool comes in: the
 * next one up, and the check that a size given by a caller is one.
 *
 * @example
 * ```ts
 * import { checkPowerOfTwo, nextPowerOfTwo } from "./power_of_two.ts";
 * console.log(nextPowerOfTwo(1000)); // 1024
 * checkPowerOfTwo(1024, 16, Infinity, "convolveFft", "fftSize"); // passes
 * ```
 *
 * @module
 */

import { rangeError } from "../validate.ts";

/**
 * Smallest power of two that is `>= value` and `>= floor` (the floor must itself be
 * a power of two; 1 by default, so values below 1 give 1).
 *
 * @example
 * ```ts
 * import { nextPowerOfTwo } from "./power_of_two.ts";
 * console.log(nextPowerOfTwo(5), nextPowerOfTwo(5, 16)); // 8 16
 * ```
 */
export function nextPowerOfTwo(value: number, floor = 1): number {
  let power = floor;
  while (power < value) power *= 2;
  return power;
}

/**
 * Whether `value` is an integer power of two (1, 2, 4, ...).
 *
 * @example
 * ```ts
 * import { isPowerOfTwo } from "./power_of_two.ts";
 * console.log(isPowerOfTwo(64), isPowerOfTwo(96), isPowerOfTwo(0.5)); // true false false
 * ```
 */
export function isPowerOfTwo(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 &&
    value <= 2 ** 31 && (value & (value - 1)) === 0;
}

/**
 * Throws a RangeError unless `value` is a power of two in `[min, max]`, in one
 * message style: `caller: what must be a power of two from min to max, received value`
 * (`>= min` when there is no upper bound; the value described as `describeValue` does).
 *
 * @example
 * ```ts
 * import { checkPowerOfTwo } from "./power_of_two.ts";
 * try {
 *   checkPowerOfTwo(100, 8, 65536, "StreamingConvolver", "blockSize");
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // StreamingConvolver: blockSize must be a power of two from 8 to 65536, received number 100
 * }
 * ```
 */
export function checkPowerOfTwo(
  value: unknown,
  min: number,
  max: number,
  caller: string,
  what: string,
): asserts value is number {
  if (isPowerOfTwo(value) && value >= min && value <= max) return;
  const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
  throw rangeError(caller, what, `a power of two ${range}`, value);
}
