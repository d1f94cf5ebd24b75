/**
 * Real-input FFT for power-of-two sizes, in plain TypeScript.
 *
 * An `N`-point real transform runs as an `N/2`-point complex FFT of the samples
 * packed as `z[k] = x[2k] + i x[2k+1]`, followed by one twiddle pass that splits
 * the even and odd halves apart. The complex part is an iterative radix-4
 * decimation-in-time FFT (a radix-8 first pass when `log2(N/2)` is odd) working
 * in place on bit-reversed data. The bit reversal and the packing are folded
 * into the first butterfly pass, so no separate permutation or copy sweep runs.
 * The inverse runs as `conj(FFT(conj(Z)))` with the same tables.
 *
 * Plans (twiddles and bit-reversal tables) are built once per size and cached at
 * module level; transforms allocate nothing.
 *
 * Spectrum layout: interleaved complex, `N/2 + 1` bins, so a spectrum array holds
 * `N + 2` float64 values: `spectrum[2k]` is `Re X[k]`, `spectrum[2k + 1]` is
 * `Im X[k]`, for `k` in `[0, N/2]`. Bins `0` and `N/2` have zero imaginary parts.
 *
 * @example
 * ```ts
 * import { getRealFftPlan } from "./real_fft.ts";
 * const plan = getRealFftPlan(8);
 * const x = Float64Array.from([1, 2, 3, 4, 0, 0, 0, 0]);
 * const spectrum = new Float64Array(plan.spectrumLength);
 * plan.forward(x, spectrum);
 * const back = new Float64Array(8);
 * plan.inverse(spectrum, back);
 * console.log(back); // ≈ [1, 2, 3, 4, 0, 0, 0, 0]
 * ```
 *
 * @module
 */

import type { Float } from "../types.ts";
import { checkPowerOfTwo } from "./power_of_two.ts";

/**
 * A cached real FFT of one power-of-two size. Obtain it from
 * {@linkcode getRealFftPlan}; never construct it per call.
 */
export class RealFftPlan {
  /** Transform size `N` (a power of two, at least 1). */
  readonly size: number;
  /** Number of float64 values a spectrum of this size occupies: `N + 2`. */
  readonly spectrumLength: number;
  /** Number of complex points of the inner FFT: `N / 2` (0 for `N = 1`). */
  readonly #half: number;
  /** Bit-reversal permutation of `[0, N/2)`. */
  readonly #reversed: Int32Array;
  /** Per radix-4 stage, for each `j`: `W^j`, `W^2j`, `W^3j` as (re, im) pairs. */
  readonly #stageTwiddles: Float64Array;
  /** `cos(2 pi k / N)`, `sin(2 pi k / N)` interleaved for `k` in `[0, N/4]`. */
  readonly #splitTwiddles: Float64Array;
  /**
   * Radix of the first pass (fused with packing): 4 when `log2(N/2)` is even, 8
   * when it is odd, so that every later pass is radix-4; 1 or 2 for tiny sizes.
   */
  readonly #firstRadix: number;

  /** Builds the tables for `size`; prefer {@linkcode getRealFftPlan}, which caches. */
  constructor(size: number) {
    checkPowerOfTwo(size, 1, Infinity, "RealFftPlan", "size");
    this.size = size;
    this.spectrumLength = size + 2;
    const half = size >> 1;
    this.#half = half;
    const bits = half > 0 ? Math.round(Math.log2(half)) : 0;
    this.#firstRadix = half < 4 ? half : (bits & 1) === 1 ? 8 : 4;
    this.#reversed = bitReversal(half, bits);
    this.#stageTwiddles = stageTwiddles(half, this.#firstRadix);
    this.#splitTwiddles = splitTwiddles(size);
  }

  /**
   * Forward transform of `input[0, N)` into `spectrum[0, N + 2)` (layout in the
   * module doc). `input` and `spectrum` must not overlap.
   */
  forward(input: Float64Array, spectrum: Float64Array): void {
    this.forwardSegment(input, 0, this.size, 1, spectrum);
  }

  /**
   * Forward transform of the sequence `v[i] = source[offset + i * stride]` for `i`
   * in `[0, count)`, zero-padded to `N` (`count <= N`). With `stride = -1` the
   * segment is read back to front, which is how a reversed kernel enters without
   * a copy. Any float array type is accepted; arithmetic is float64.
   */
  forwardSegment(
    source: Float,
    offset: number,
    count: number,
    stride: 1 | -1,
    spectrum: Float64Array,
  ): void {
    const size = this.size;
    if (size === 1) {
      spectrum[0] = count > 0 ? source[offset] : 0;
      spectrum[1] = 0;
      return;
    }
    const half = this.#half;
    firstStageReal(
      source,
      offset,
      count,
      stride,
      spectrum,
      this.#reversed,
      half,
      this.#firstRadix,
    );
    laterStages(spectrum, half, this.#stageTwiddles, this.#firstRadix);
    splitForward(spectrum, half, this.#splitTwiddles);
  }

  /**
   * Inverse transform of `spectrum[0, N + 2)` into `output[0, N)`, scaled so that
   * `inverse(forward(x))` returns `x`. `spectrum` is used as scratch and is
   * overwritten; the two arrays must not overlap.
   */
  inverse(spectrum: Float64Array, output: Float64Array): void {
    const half = this.#half;
    if (this.size === 1) {
      output[0] = spectrum[0];
      return;
    }
    mergeInverse(spectrum, half, this.#splitTwiddles);
    // The merged spectrum is read as 2 * half real values: the same loader serves.
    firstStageReal(spectrum, 0, 2 * half, 1, output, this.#reversed, half, this.#firstRadix);
    laterStages(output, half, this.#stageTwiddles, this.#firstRadix);
    // The inverse ran as conj(FFT(conj(Z))): conjugating back negates odd slots.
    for (let i = 1; i < 2 * half; i += 2) output[i] = -output[i];
  }
}

const plans = new Map<number, RealFftPlan>();

/**
 * Returns the cached plan for a power-of-two `size`, building it on first use.
 * Throws a `RangeError` for any other size.
 */
export function getRealFftPlan(size: number): RealFftPlan {
  let plan = plans.get(size);
  if (plan === undefined) {
    plan = new RealFftPlan(size);
    plans.set(size, plan);
  }
  return plan;
}

/**
 * Pointwise complex product `out[k] = a[k] * b[k]` over `bins` interleaved
 * complex values. `out` may be `a` or `b`.
 */
export function multiplySpectra(
  a: Float64Array,
  b: Float64Array,
  out: Float64Array,
  bins: number,
): void {
  const end = 2 * bins;
  for (let i = 0; i < end; i += 2) {
    const ar = a[i], ai = a[i + 1];
    const br = b[i], bi = b[i + 1];
    out[i] = ar * br - ai * bi;
    out[i + 1] = ar * bi + ai * br;
  }
}

function bitReversal(half: number, bits: number): Int32Array {
  const table = new Int32Array(Math.max(half, 1));
  for (let k = 0; k < half; k++) {
    let r = 0;
    for (let b = 0, v = k; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    table[k] = r;
  }
  return table;
}

function stageTwiddles(half: number, firstRadix: number): Float64Array {
  // The first pass (radix 1, 2, 4 or 8, fused with packing) needs no table.
  let total = 0;
  for (let h = firstRadix; h < half; h *= 4) total += 6 * h;
  const table = new Float64Array(total);
  let p = 0;
  for (let h = firstRadix; h < half; h *= 4) {
    const step = -2 * Math.PI / (4 * h);
    for (let j = 0; j < h; j++) {
      table[p++] = Math.cos(step * j);
      table[p++] = Math.sin(step * j);
      table[p++] = Math.cos(step * 2 * j);
      table[p++] = Math.sin(step * 2 * j);
      table[p++] = Math.cos(step * 3 * j);
      table[p++] = Math.sin(step * 3 * j);
    }
  }
  return table;
}

function splitTwiddles(size: number): Float64Array {
  const quarter = size >> 2;
  const table = new Float64Array(2 * (quarter + 1));
  for (let k = 0; k <= quarter; k++) {
    table[2 * k] = Math.cos(2 * Math.PI * k / size);
    table[2 * k + 1] = Math.sin(2 * Math.PI * k / size);
  }
  return table;
}

/** Sample `i` of a strided, zero-padded segment. */
function sampleAt(source: Float, offset: number, stride: number, count: number, i: number): number {
  return i < count ? source[offset + stride * i] : 0;
}

/**
 * Packs real samples as complex points `z[k] = v[2k] + i v[2k+1]` and runs the
 * first butterfly pass in the same sweep, reading each point from its
 * bit-reversed position: this saves a whole pass over the data.
 */
function firstStageReal(
  source: Float,
  offset: number,
  count: number,
  stride: number,
  buf: Float64Array,
  reversed: Int32Array,
  half: number,
  firstRadix: number,
): void {
  const end = 2 * half;
  if (firstRadix === 1) {
    buf[0] = sampleAt(source, offset, stride, count, 0);
    buf[1] = sampleAt(source, offset, stride, count, 1);
  } else if (firstRadix === 2) {
    // Slots 0..3 hold z[0] and z[1].
    const ar = sampleAt(source, offset, stride, count, 0);
    const ai = sampleAt(source, offset, stride, count, 1);
    const br = sampleAt(source, offset, stride, count, 2);
    const bi = sampleAt(source, offset, stride, count, 3);
    buf[0] = ar + br;
    buf[1] = ai + bi;
    buf[2] = ar - br;
    buf[3] = ai - bi;
  } else if (firstRadix === 4) {
    // Slots 4q..4q+3 hold z[k], z[k + 2Q], z[k + Q], z[k + 3Q] (Q = H/4, k = rev(4q)).
    const q = half >> 1; // distance in samples between z[k] and z[k + Q]
    for (let slot = 0; slot < end; slot += 8) {
      const i = 2 * reversed[slot >> 1];
      const t0r = sampleAt(source, offset, stride, count, i);
      const t0i = sampleAt(source, offset, stride, count, i + 1);
      const t1r = sampleAt(source, offset, stride, count, i + q);
      const t1i = sampleAt(source, offset, stride, count, i + q + 1);
      const t2r = sampleAt(source, offset, stride, count, i + 2 * q);
      const t2i = sampleAt(source, offset, stride, count, i + 2 * q + 1);
      const t3r = sampleAt(source, offset, stride, count, i + 3 * q);
      const t3i = sampleAt(source, offset, stride, count, i + 3 * q + 1);
      const s0r = t0r + t2r, s0i = t0i + t2i;
      const s1r = t0r - t2r, s1i = t0i - t2i;
      const s2r = t1r + t3r, s2i = t1i + t3i;
      const s3r = t1r - t3r, s3i = t1i - t3i;
      buf[slot] = s0r + s2r;
      buf[slot + 1] = s0i + s2i;
      buf[slot + 2] = s1r + s3i;
      buf[slot + 3] = s1i - s3r;
      buf[slot + 4] = s0r - s2r;
      buf[slot + 5] = s0i - s2i;
      buf[slot + 6] = s1r - s3i;
      buf[slot + 7] = s1i + s3r;
    }
  } else {
    // Slots 8q..8q+7 hold z[k + r E] for r in bit-reversed order (E = H/8, k = rev(8q)).
    const e = half >> 2; // distance in samples between z[k] and z[k + E]
    for (let slot = 0; slot < end; slot += 16) {
      const i = 2 * reversed[slot >> 1];
      const a0r = sampleAt(source, offset, stride, count, i);
      const a0i = sampleAt(source, offset, stride, count, i + 1);
      const a1r = sampleAt(source, offset, stride, count, i + e);
      const a1i = sampleAt(source, offset, stride, count, i + e + 1);
      const a2r = sampleAt(source, offset, stride, count, i + 2 * e);
      const a2i = sampleAt(source, offset, stride, count, i + 2 * e + 1);
      const a3r = sampleAt(source, offset, stride, count, i + 3 * e);
      const a3i = sampleAt(source, offset, stride, count, i + 3 * e + 1);
      const a4r = sampleAt(source, offset, stride, count, i + 4 * e);
      const a4i = sampleAt(source, offset, stride, count, i + 4 * e + 1);
      const a5r = sampleAt(source, offset, stride, count, i + 5 * e);
      const a5i = sampleAt(source, offset, stride, count, i + 5 * e + 1);
      const a6r = sampleAt(source, offset, stride, count, i + 6 * e);
      const a6i = sampleAt(source, offset, stride, count, i + 6 * e + 1);
      const a7r = sampleAt(source, offset, stride, count, i + 7 * e);
      const a7i = sampleAt(source, offset, stride, count, i + 7 * e + 1);
      const b0r = a0r + a4r, b0i = a0i + a4i, b1r = a0r - a4r, b1i = a0i - a4i;
      const b2r = a2r + a6r, b2i = a2i + a6i, b3r = a2r - a6r, b3i = a2i - a6i;
      const b4r = a1r + a5r, b4i = a1i + a5i, b5r = a1r - a5r, b5i = a1i - a5i;
      const b6r = a3r + a7r, b6i = a3i + a7i, b7r = a3r - a7r, b7i = a3i - a7i;
      // Odd half inputs: (a_r - a_{r+4}) W8^r.
      const d1r = (b5r + b5i) * SQRT_HALF, d1i = (b5i - b5r) * SQRT_HALF;
      const d2r = b3i, d2i = -b3r;
      const d3r = (b7i - b7r) * SQRT_HALF, d3i = -(b7r + b7i) * SQRT_HALF;
      // Even half: 4-point DFT of b0, b4, b2, b6.
      let s0r = b0r + b2r, s0i = b0i + b2i, s1r = b0r - b2r, s1i = b0i - b2i;
      let s2r = b4r + b6r, s2i = b4i + b6i, s3r = b4r - b6r, s3i = b4i - b6i;
      buf[slot] = s0r + s2r;
      buf[slot + 1] = s0i + s2i;
      buf[slot + 4] = s1r + s3i;
      buf[slot + 5] = s1i - s3r;
      buf[slot + 8] = s0r - s2r;
      buf[slot + 9] = s0i - s2i;
      buf[slot + 12] = s1r - s3i;
      buf[slot + 13] = s1i + s3r;
      // Odd half: 4-point DFT of b1, d1, d2, d3.
      s0r = b1r + d2r;
      s0i = b1i + d2i;
      s1r = b1r - d2r;
      s1i = b1i - d2i;
      s2r = d1r + d3r;
      s2i = d1i + d3i;
      s3r = d1r - d3r;
      s3i = d1i - d3i;
      buf[slot + 2] = s0r + s2r;
      buf[slot + 3] = s0i + s2i;
      buf[slot + 6] = s1r + s3i;
      buf[slot + 7] = s1i - s3r;
      buf[slot + 10] = s0r - s2r;
      buf[slot + 11] = s0i - s2i;
      buf[slot + 14] = s1r - s3i;
      buf[slot + 15] = s1i + s3r;
    }
  }
}

const SQRT_HALF = Math.SQRT1_2;

/**
 * The radix-4 passes after the first one, in place, on `half` interleaved
 * complex points in bit-reversed order.
 */
function laterStages(
  buf: Float64Array,
  half: number,
  twiddles: Float64Array,
  firstRadix: number,
): void {
  const end = 2 * half;
  let h = Math.max(firstRadix, 2);
  let table = 0;
  for (; h < half; h *= 4) {
    const quarter = 2 * h;
    const block = 4 * quarter;
    for (let base = 0; base < end; base += block) {
      for (let j = 0, w = table; j < h; j++, w += 6) {
        const i0 = base + 2 * j;
        const i1 = i0 + quarter;
        const i2 = i1 + quarter;
        const i3 = i2 + quarter;
        const w1r = twiddles[w], w1i = twiddles[w + 1];
        const w2r = twiddles[w + 2], w2i = twiddles[w + 3];
        const w3r = twiddles[w + 4], w3i = twiddles[w + 5];
        const t0r = buf[i0], t0i = buf[i0 + 1];
        let xr = buf[i2], xi = buf[i2 + 1];
        const t1r = xr * w1r - xi * w1i, t1i = xr * w1i + xi * w1r;
        xr = buf[i1];
        xi = buf[i1 + 1];
        const t2r = xr * w2r - xi * w2i, t2i = xr * w2i + xi * w2r;
        xr = buf[i3];
        xi = buf[i3 + 1];
        const t3r = xr * w3r - xi * w3i, t3i = xr * w3i + xi * w3r;
        const s0r = t0r + t2r, s0i = t0i + t2i;
        const s1r = t0r - t2r, s1i = t0i - t2i;
        const s2r = t1r + t3r, s2i = t1i + t3i;
        const s3r = t1r - t3r, s3i = t1i - t3i;
        buf[i0] = s0r + s2r;
        buf[i0 + 1] = s0i + s2i;
        buf[i1] = s1r + s3i;
        buf[i1 + 1] = s1i - s3r;
        buf[i2] = s0r - s2r;
        buf[i2 + 1] = s0i - s2i;
        buf[i3] = s1r - s3i;
        buf[i3 + 1] = s1i + s3r;
      }
    }
    table += 6 * h;
  }
}

/** Turns the packed complex FFT into the real spectrum, in place (writes `N + 2` values). */
function splitForward(buf: Float64Array, half: number, twiddles: Float64Array): void {
  const z0r = buf[0], z0i = buf[1];
  buf[0] = z0r + z0i;
  buf[1] = 0;
  buf[2 * half] = z0r - z0i;
  buf[2 * half + 1] = 0;
  const mid = half >> 1;
  for (let k = 1; k <= mid; k++) {
    const p = 2 * k, q = 2 * (half - k);
    const ar = buf[p], ai = buf[p + 1];
    const br = buf[q], bi = buf[q + 1];
    // Even part E = (Z[k] + conj Z[H-k]) / 2, odd part O = -i (Z[k] - conj Z[H-k]) / 2.
    const er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
    const or = 0.5 * (ai + bi), oi = -0.5 * (ar - br);
    const c = twiddles[p], s = twiddles[p + 1];
    // T = W^k O with W^k = c - i s.
    const tr = or * c + oi * s, ti = oi * c - or * s;
    buf[p] = er + tr;
    buf[p + 1] = ei + ti;
    // X[H-k] = conj(E - T), since E and O are conjugate-symmetric and W^(H-k) = -conj W^k.
    buf[q] = er - tr;
    buf[q + 1] = ti - ei;
  }
}

/**
 * Rebuilds the packed complex spectrum `Z` from a real spectrum, in place and in
 * natural order, stored as `conj(Z) / (N/2)` so that a forward FFT inverts it.
 */
function mergeInverse(spectrum: Float64Array, half: number, twiddles: Float64Array): void {
  const scale = 1 / half;
  const x0 = spectrum[0], xh = spectrum[2 * half];
  spectrum[0] = 0.5 * (x0 + xh) * scale;
  spectrum[1] = -0.5 * (x0 - xh) * scale;
  const mid = half >> 1;
  for (let k = 1; k <= mid; k++) {
    const p = 2 * k, q = 2 * (half - k);
    const xr = spectrum[p], xi = spectrum[p + 1];
    const yr = spectrum[q], yi = spectrum[q + 1];
    const er = 0.5 * (xr + yr), ei = 0.5 * (xi - yi);
    const dr = 0.5 * (xr - yr), di = 0.5 * (xi + yi);
    const c = twiddles[p], s = twiddles[p + 1];
    // O = D / W^k = D (c + i s).
    const or = dr * c - di * s, oi = dr * s + di * c;
    // Z[k] = E + i O; Z[H-k] = conj(E) + i conj(O). Stored conjugated and scaled.
    spectrum[p] = (er - oi) * scale;
    spectrum[p + 1] = -(ei + or) * scale;
    spectrum[q] = (er + oi) * scale;
    spectrum[q + 1] = (ei - or) * scale;
  }
}
