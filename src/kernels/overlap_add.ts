/**
 * Overlap-add convolution in plain TypeScript, for a long operand and a short
 * one: the short operand is transformed once per call, the long one is cut into
 * blocks of `N - s + 1` samples, each block is convolved by one forward and one
 * inverse FFT of size `N`, and the `s - 1` overlapping tail samples of a block
 * are carried into the next one.
 *
 * Convolution is commutative, so when the kernel is longer than the signal the
 * kernel is the one cut into blocks. Only the blocks whose outputs touch the
 * requested window are computed.
 *
 * @example
 * ```ts
 * import { convolveOverlapAdd } from "./overlap_add.ts";
 * import { CachedWorkspace } from "./workspace.ts";
 * const out = new Float64Array(4);
 * const ws = new CachedWorkspace();
 * convolveOverlapAdd(new Float64Array([1, 2, 3]), new Float64Array([1, 1]), out, 0, 4, false, ws);
 * console.log(out); // ≈ Float64Array [1, 3, 5, 3]
 * ```
 *
 * @module
 */

import type { Float } from "../types.ts";
import { getRealFftPlan, multiplySpectra } from "./real_fft.ts";
import { checkPowerOfTwo, nextPowerOfTwo } from "./power_of_two.ts";
import type { Workspace } from "./workspace.ts";

/**
 * Block FFT size for overlap-add of a length-`longLength` operand with a
 * length-`shortLength` one: the power of two `N >= 2 * shortLength` minimising
 * SciPy's per-output cost `N / (N - shortLength + 1) * log2(2N)`, never larger
 * than the single FFT that would cover the whole convolution.
 */
export function chooseBlockSize(longLength: number, shortLength: number): number {
  const smallest = nextPowerOfTwo(2 * shortLength);
  const largest = Math.max(smallest, nextPowerOfTwo(longLength + shortLength - 1));
  let best = smallest;
  let bestCost = Infinity;
  for (let size = smallest; size <= largest; size *= 2) {
    const cost = size / (size - shortLength + 1) * Math.log2(2 * size);
    if (cost < bestCost) {
      bestCost = cost;
      best = size;
    }
  }
  return best;
}

/**
 * Writes `out[i] = full[start + i]` for `i` in `[0, length)`, where
 * `full[k] = sum_j signal[k - j] * kernel[j]`, by overlap-add. With
 * `reverseKernel` the kernel is read back to front (a correlation) without a
 * copy. `blockFftSize` (a power of two of at least the shorter operand's length)
 * overrides {@linkcode chooseBlockSize}. All scratch comes from `workspace`:
 * two spectra of `N + 2`, one block of `N` and one carry of `s - 1` float64 values.
 */
export function convolveOverlapAdd(
  signal: Float,
  kernel: Float,
  out: Float,
  start: number,
  length: number,
  reverseKernel: boolean,
  workspace: Workspace,
  blockFftSize?: number,
): void {
  if (length <= 0) return;
  // The longer operand is cut into blocks; the shorter one is transformed once.
  const swap = kernel.length > signal.length;
  const long = swap ? kernel : signal;
  const short = swap ? signal : kernel;
  const longReversed = swap && reverseKernel;
  const shortReversed = !swap && reverseKernel;
  const longLength = long.length;
  const s = short.length;

  const size = blockFftSize ?? chooseBlockSize(longLength, s);
  checkPowerOfTwo(size, s, Infinity, "convolveOverlapAdd", "blockFftSize");
  const plan = getRealFftPlan(size);
  const step = size - s + 1;
  const tail = s - 1;
  const shortSpectrum = workspace.takeFloat64(plan.spectrumLength);
  const blockSpectrum = workspace.takeFloat64(plan.spectrumLength);
  const block = workspace.takeFloat64(size);
  const carry = workspace.takeFloat64(Math.max(tail, 1));

  plan.forwardSegment(short, shortReversed ? s - 1 : 0, s, shortReversed ? -1 : 1, shortSpectrum);

  const end = start + length;
  const blocks = Math.ceil(longLength / step);
  // Block b feeds outputs [b * step, b * step + size); skip blocks outside the window.
  const first = Math.max(0, Math.floor((start - size) / step) + 1);
  const last = Math.min(blocks, Math.ceil(end / step));
  for (let i = 0; i < tail; i++) carry[i] = 0;

  const bins = (size >> 1) + 1;
  for (let b = first; b < last; b++) {
    const from = b * step;
    const count = Math.min(step, longLength - from);
    if (longReversed) {
      plan.forwardSegment(long, longLength - 1 - from, count, -1, blockSpectrum);
    } else {
      plan.forwardSegment(long, from, count, 1, blockSpectrum);
    }
    multiplySpectra(blockSpectrum, shortSpectrum, blockSpectrum, bins);
    plan.inverse(blockSpectrum, block);

    // Outputs [from, from + step) are final once the previous block's tail is added.
    const lo = Math.max(from, start);
    const hi = Math.min(from + step, end);
    const carryEnd = Math.min(from + tail, hi);
    let p = lo;
    for (; p < carryEnd; p++) out[p - start] = block[p - from] + carry[p - from];
    for (; p < hi; p++) out[p - start] = block[p - from];
    // Blocks smaller than 2s - 1 overlap more than one successor, so the old carry shifts too.
    for (let i = 0; i < tail; i++) {
      carry[i] = block[step + i] + (i + step < tail ? carry[i + step] : 0);
    }
  }
  // The last computed block's tail has no successor inside the window.
  const from = last * step;
  const hi = Math.min(from + tail, end);
  for (let p = Math.max(from, start); p < hi; p++) out[p - start] = carry[p - from];
}
