/**
 * Sets of counts, generically: an object whose `number` and `Float64Array` fields
 * only ever accumulate (the allocation counters, the operation metrics). A worker's
 * counts travel to the main thread as one flat array, and {@linkcode ReadonlyCounts}
 * is the view through which telemetry reads them.
 *
 * Every such field is a count, never a level, so a set can be summed field by field
 * without knowing what its fields mean; fields of any other type (a flag) are left
 * out.
 *
 * @example
 * ```ts
 * import { addCounts, flattenCounts } from "./counts.ts";
 *
 * const worker = { hits: new Float64Array(2), overflows: 0 };
 * const before = flattenCounts([worker]);
 * worker.hits[1] += 3;
 * worker.overflows++;
 * const gained = flattenCounts([worker]).map((value, i) => value - before[i]);
 * const main = { hits: new Float64Array(2), overflows: 0 };
 * addCounts([main], gained, "example");
 * console.log(main.hits[1], main.overflows); // 3 1
 * ```
 *
 * @module
 */

import { rangeError } from "../validate.ts";

/**
 * A read-only view of a set of counts: typed arrays as `ArrayLike<number>`, every
 * field `readonly`. Telemetry reads an engine's counts through it.
 */
export type ReadonlyCounts<T> = {
  readonly [K in keyof T]: T[K] extends Float64Array ? ArrayLike<number> : T[K];
};

/** The number of values {@linkcode flattenCounts} gives for `sets`. */
export function countsLength(sets: readonly object[]): number {
  let length = 0;
  for (const set of sets) {
    for (const value of Object.values(set)) {
      if (value instanceof Float64Array) length += value.length;
      else if (typeof value === "number") length++;
    }
  }
  return length;
}

/** Every count of `sets`, in field order, flattened into one new array. */
export function flattenCounts(sets: readonly object[]): Float64Array {
  const flat = new Float64Array(countsLength(sets));
  let offset = 0;
  for (const set of sets) {
    for (const value of Object.values(set)) {
      if (value instanceof Float64Array) {
        flat.set(value, offset);
        offset += value.length;
      } else if (typeof value === "number") {
        flat[offset++] = value;
      }
    }
  }
  return flat;
}

/**
 * Adds `flat` (a {@linkcode flattenCounts} layout of sets of the same shape, e.g. a
 * difference of two of them) into `sets`, field by field.
 *
 * @throws {RangeError} when `flat` does not have the sets' length; nothing is added then.
 */
export function addCounts(sets: readonly object[], flat: Float64Array, caller: string): void {
  const expected = countsLength(sets);
  if (flat.length !== expected) {
    throw rangeError(caller, "delta", `a Float64Array of ${expected} counts`, flat);
  }
  let offset = 0;
  for (const set of sets) {
    const record = set as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (value instanceof Float64Array) {
        for (let i = 0; i < value.length; i++) value[i] += flat[offset + i];
        offset += value.length;
      } else if (typeof value === "number") {
        record[key] = value + flat[offset++];
      }
    }
  }
}
