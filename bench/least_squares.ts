/**
 * The least-squares fit both calibration benchmarks use to turn measured medians
 * into cost-model constants.
 *
 * @example
 * ```ts
 * import { fitNonNegative } from "./least_squares.ts";
 * console.log(fitNonNegative([{ x: [1, 10], t: 12 }, { x: [1, 20], t: 22 }])); // ~[2, 1]
 * ```
 *
 * @module
 */

/**
 * Least squares of `t ~ sum_k c_k x_k` with relative errors (each row weighted by
 * `1 / t^2`), solved by Gaussian elimination on the normal equations. A coefficient
 * that comes out negative (an artefact of noise) is dropped and the rest refitted,
 * so every returned coefficient is at least 0.
 */
export function fitNonNegative(rows: readonly { x: readonly number[]; t: number }[]): number[] {
  const width = rows[0]?.x.length ?? 0;
  const active = Array.from({ length: width }, () => true);
  for (;;) {
    const columns = active.flatMap((on, k) => (on ? [k] : []));
    const size = columns.length;
    const a = Array.from({ length: size }, () => new Array<number>(size + 1).fill(0));
    for (const { x, t } of rows) {
      const w = 1 / (t * t);
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) a[i][j] += w * x[columns[i]] * x[columns[j]];
        a[i][size] += w * x[columns[i]] * t;
      }
    }
    for (let i = 0; i < size; i++) {
      for (let r = i + 1; r < size; r++) {
        const f = a[r][i] / a[i][i];
        for (let j = i; j <= size; j++) a[r][j] -= f * a[i][j];
      }
    }
    const solution = new Array<number>(size).fill(0);
    for (let i = size - 1; i >= 0; i--) {
      let sum = a[i][size];
      for (let j = i + 1; j < size; j++) sum -= a[i][j] * solution[j];
      solution[i] = sum / a[i][i];
    }
    const coefficients = new Array<number>(width).fill(0);
    columns.forEach((k, i) => (coefficients[k] = solution[i]));
    const negative = columns.find((k) => !(coefficients[k] >= 0));
    if (negative === undefined || size === 1) return coefficients.map((c) => Math.max(c, 0));
    active[negative] = false;
  }
}
