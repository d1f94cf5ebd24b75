// convpool WebAssembly SIMD kernels (AssemblyScript source).
//
// Compiled by scripts/build_wasm.ts into src/kernels/wasm/convpool_bytes.ts. This file
// is NOT part of the TypeScript graph: it uses AssemblyScript builtins (v128, load,
// store, sizeof<T>) and is excluded from lint and type checking.
//
// Memory model: the module owns no allocator. The JavaScript wrapper lays out every
// buffer in linear memory itself and passes byte addresses; every address handed to a
// vector routine is 16-byte aligned and every length is padded to whole vectors by the
// wrapper, so the hot loops carry no tail code.
//
// Every kernel is generic over the element type T (f32 or f64) and instantiated twice
// by the exported wrappers at the bottom: one source of truth for both precisions.
// A vector is 16 bytes: 4 lanes of f32 or 2 lanes of f64.

/** Start of memory that no static data uses: the wrapper's layout begins here. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------
// Direct convolution
// ---------------------------------------------------------------------------------

// y[i] = sum_t xp[i + t] * hr[t] for i in [0, count): a correlation of the padded
// signal with the reversed kernel, which is the convolution window the wrapper wants;
// with `accumulate`, y[i] += that sum (y holds partial sums of earlier taps). Run in
// f64 only: for Float64 outputs directly, for Float32 ones on widened copies (see
// directWidenedF32). Four vector accumulators (8 f64 outputs) are kept in registers
// while the tap loop runs: each tap costs one splat and four unaligned loads for 4
// vectors of MACs, and the four independent add chains hide the add latency. Eight
// accumulators were measured too: faster on Bun (JSC), but slower on V8 (Node, Deno),
// whose register allocation then spills; four is the best common choice.
// `count` must be a multiple of 4 vectors; xp must be readable up to count + m - 1.
@inline
function directBlocked<T>(
  xp: usize, hr: usize, y: usize, count: i32, m: i32, accumulate: bool,
): void {
  const bytes = <usize>sizeof<T>();
  const step = <usize>64; // four vectors of outputs per block, in bytes
  const end = y + <usize>count * bytes;
  const hend = hr + <usize>m * bytes;
  let out = y;
  let base = xp;
  while (out < end) {
    let a0 = v128.splat<T>(<T>0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    if (accumulate) {
      a0 = v128.load(out);
      a1 = v128.load(out, 16);
      a2 = v128.load(out, 32);
      a3 = v128.load(out, 48);
    }
    let p = base;
    let q = hr;
    do {
      // load-and-splat is one instruction (vbroadcastss/movddup) on x86
      const w = sizeof<T>() == 4 ? v128.load32_splat(q) : v128.load64_splat(q);
      a0 = v128.add<T>(a0, v128.mul<T>(v128.load(p), w));
      a1 = v128.add<T>(a1, v128.mul<T>(v128.load(p, 16), w));
      a2 = v128.add<T>(a2, v128.mul<T>(v128.load(p, 32), w));
      a3 = v128.add<T>(a3, v128.mul<T>(v128.load(p, 48), w));
      p += bytes;
      q += bytes;
    } while (q < hend); // m >= 1
    v128.store(out, a0);
    v128.store(out, a1, 16);
    v128.store(out, a2, 32);
    v128.store(out, a3, 48);
    out += step;
    base += step;
  }
}

/** Outputs per tile of the f32 direct kernel (a multiple of 16). */
const WIDE_TILE: i32 = 64;
/** Taps per chunk of the f32 direct kernel. */
const WIDE_TAPS: i32 = 64;
// Static scratch of the f32 direct kernel, below heapBase, so no layout of the
// wrapper's overlaps it (and small: the wrapper bounds the static data): one tile's
// signal window and one chunk's taps widened to f64, and the tile's f64 sums.
const wideSignal: usize = memory.data((WIDE_TILE + WIDE_TAPS) * 8, 16);
const wideKernel: usize = memory.data(WIDE_TAPS * 8, 16);
const wideSums: usize = memory.data(WIDE_TILE * 8, 16);

/** Writes `n` f32 from src as f64 to dst (exact). */
@inline
function widenF32(src: usize, dst: usize, n: i32): void {
  const vectorEnd = src + <usize>(n & ~3) * 4;
  const end = src + <usize>n * 4;
  while (src < vectorEnd) {
    const v = v128.load(src);
    v128.store(dst, f64x2.promote_low_f32x4(v));
    v128.store(dst, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), 16);
    src += 16;
    dst += 32;
  }
  while (src < end) {
    store<f64>(dst, <f64>load<f32>(src));
    src += 4;
    dst += 8;
  }
}

/** Writes `n` (a multiple of 4) f64 from src, each rounded to f32, to dst. */
@inline
function narrowF64(src: usize, dst: usize, n: i32): void {
  const end = dst + <usize>n * 4;
  while (dst < end) {
    const lo = f32x4.demote_f64x2_zero(v128.load(src));
    const hi = f32x4.demote_f64x2_zero(v128.load(src, 16));
    v128.store(dst, v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
    src += 32;
    dst += 16;
  }
}

// The f32 direct kernel: the f64 kernel on float64 copies of the data. Per tile of
// WIDE_TILE outputs and chunk of WIDE_TAPS taps, the tile's signal window and the
// chunk's taps are widened to f64 (exactly) in the static scratch, and
// directBlocked<f64> adds their products to the tile's f64 sums; after the last chunk
// the sums are rounded to f32, once. Every product of two f32 is exact in f64 (24-bit
// significands, 48-bit product), so each output is the float64 sum of the exact
// products, tap by tap, rounded to f32: the same arithmetic (bit for bit) as a
// Float64 output of these inputs. Multiplying in f32 and widening the products, or
// summing runs of taps in f32 before widening, would round the products or lose
// small terms next to a large one (2^24 + 1 is 2^24 in f32); widening the data
// instead costs WIDE_TILE + taps - 1 conversions per WIDE_TILE x taps multiply-adds.
@inline
function directWidenedF32(xp: usize, hr: usize, y: usize, count: i32, m: i32): void {
  for (let o = 0; o < count; o += WIDE_TILE) {
    const tile = min(WIDE_TILE, count - o);
    for (let t = 0; t < m; t += WIDE_TAPS) {
      const taps = min(WIDE_TAPS, m - t);
      widenF32(hr + <usize>t * 4, wideKernel, taps);
      widenF32(xp + <usize>(o + t) * 4, wideSignal, tile + taps - 1);
      directBlocked<f64>(wideSignal, wideKernel, wideSums, tile, taps, t > 0);
    }
    narrowF64(wideSums, y + <usize>o * 4, tile);
  }
}

/**
 * One direct window in one call (each JS-to-wasm call costs about 10-20 ns, a fifth of
 * a small convolution's overhead): xp holds the signal at element m - 1 and hr the
 * kernel as given. Zeroes the m - 1 elements in front of the signal and those behind
 * it up to the last block, reverses the kernel unless `correlate`, then runs
 * {@link directBlocked} (f64) or {@link directWidenedF32} (f32) for outputs
 * [start, start + count) into y.
 */
@inline
function directWindow<T>(
  xp: usize, hr: usize, y: usize, n: i32, m: i32, start: i32, count: i32, correlate: bool,
): void {
  const bytes = <usize>sizeof<T>();
  memory.fill(xp, 0, <usize>(m - 1) * bytes);
  const filled = n + m - 1;
  const padded = start + count + m - 1;
  if (padded > filled) {
    memory.fill(xp + <usize>filled * bytes, 0, <usize>(padded - filled) * bytes);
  }
  if (!correlate) reverseInPlace<T>(hr, m);
  if (sizeof<T>() == 4) {
    directWidenedF32(xp + <usize>start * bytes, hr, y, count, m);
  } else {
    directBlocked<T>(xp + <usize>start * bytes, hr, y, count, m, false);
  }
}

/** Reverses `n` elements in place (the kernel is reversed once per call, in wasm). */
@inline
function reverseInPlace<T>(ptr: usize, n: i32): void {
  const bytes = <usize>sizeof<T>();
  let i = ptr;
  let j = ptr + <usize>(n - 1) * bytes;
  while (i < j) {
    const t = load<T>(i);
    store<T>(i, load<T>(j));
    store<T>(j, t);
    i += bytes;
    j -= bytes;
  }
}

// ---------------------------------------------------------------------------------
// Complex FFT, split format (separate re and im arrays), size n = 2^p, n >= 16.
//
// Forward: decimation in frequency, in place, output in a SCRAMBLED order (bit
// reversal, with the last two stages done on 4x4 transposed tiles). Inverse:
// decimation in time taking that scrambled order back to natural order, unnormalised
// (result times n). Convolution never needs natural-order spectra, so skipping the
// reordering pass saves a full sweep over the data; the real FFT uses a position
// table (fillPositions) to scatter its input so that the inverse yields natural order.
//
// Stages: radix-2 stages with half-span h = n/2 .. 4 are fused in pairs into radix-4
// passes of quarter-span s (one extra radix-2 pass when their count is odd), then one
// final pass does h = 2 and h = 1 on tiles in registers.
//
// Twiddle table (elements of T): radix-4 tables for s = 4, 16, .., sMax at offset
// 2*(s-4), each chunk of one vector of j holding [w1re w1im w2re w2im w3re w3im]
// vectors; then, if the radix-2 pass exists, [wre wim] chunks for h = n/2.
// ---------------------------------------------------------------------------------

@inline
function quarterSpanMax(n: i32): i32 {
  const p = 31 - clz(n);
  return ((p - 2) & 1) != 0 ? n >> 3 : n >> 2;
}

@inline
function hasRadix2Pass(n: i32): bool {
  const p = 31 - clz(n);
  return ((p - 2) & 1) != 0;
}

/** Number of T elements the twiddle table of a size-n complex FFT occupies. */
export function twiddleCount(n: i32): i32 {
  const sMax = quarterSpanMax(n);
  return 2 * (4 * sMax - 4) + (hasRadix2Pass(n) ? n : 0);
}

@inline
function fillTwiddles<T>(tw: usize, n: i32): void {
  const bytes = <usize>sizeof<T>();
  const lanes = 16 / <i32>sizeof<T>();
  const sMax = quarterSpanMax(n);
  let off = tw;
  for (let s = 4; s <= sMax; s <<= 2) {
    const base = -2.0 * Math.PI / <f64>(4 * s);
    for (let j0 = 0; j0 < s; j0 += lanes) {
      for (let k = 1; k <= 3; k++) {
        for (let l = 0; l < lanes; l++) {
          // Angles are computed directly (no recurrence) so float64 tables are exact
          // to the last bit or two, which the 1e-11 float64 tolerance needs.
          const a = base * <f64>(k * (j0 + l));
          store<T>(off + <usize>((2 * (k - 1)) * lanes + l) * bytes, <T>Math.cos(a));
          store<T>(off + <usize>((2 * (k - 1) + 1) * lanes + l) * bytes, <T>Math.sin(a));
        }
      }
      off += <usize>(6 * lanes) * bytes;
    }
  }
  if (hasRadix2Pass(n)) {
    const h = n >> 1;
    const base = -2.0 * Math.PI / <f64>(2 * h);
    for (let j0 = 0; j0 < h; j0 += lanes) {
      for (let l = 0; l < lanes; l++) {
        const a = base * <f64>(j0 + l);
        store<T>(off + <usize>l * bytes, <T>Math.cos(a));
        store<T>(off + <usize>(lanes + l) * bytes, <T>Math.sin(a));
      }
      off += <usize>(2 * lanes) * bytes;
    }
  }
}

// One vector column of radix2Dif at pr/pi (span hb bytes, twiddles at t).
@inline
function radix2DifColumn<T>(pr: usize, pi: usize, hb: usize, t: usize): void {
  const ar = v128.load(pr);
  const ai = v128.load(pi);
  const cr = v128.load(pr + hb);
  const ci = v128.load(pi + hb);
  const wr = v128.load(t);
  const wi = v128.load(t, 16);
  v128.store(pr, v128.add<T>(ar, cr));
  v128.store(pi, v128.add<T>(ai, ci));
  const dr = v128.sub<T>(ar, cr);
  const di = v128.sub<T>(ai, ci);
  v128.store(pr + hb, v128.sub<T>(v128.mul<T>(dr, wr), v128.mul<T>(di, wi)));
  v128.store(pi + hb, v128.add<T>(v128.mul<T>(dr, wi), v128.mul<T>(di, wr)));
}

@inline
function radix2Dif<T>(re: usize, im: usize, n: i32, h: i32, tw: usize): void {
  const bytes = <usize>sizeof<T>();
  const hb = <usize>h * bytes;
  const total = <usize>n * bytes;
  for (let b: usize = 0; b < total; b += 2 * hb) {
    let t = tw;
    for (let j: usize = 0; j < hb; j += 16) {
      radix2DifColumn<T>(re + b + j, im + b + j, hb, t);
      t += 32;
    }
  }
}

// One vector column of radix2Dit at pr/pi (span hb bytes, twiddles at t).
@inline
function radix2DitColumn<T>(pr: usize, pi: usize, hb: usize, t: usize): void {
  const xr = v128.load(pr);
  const xi = v128.load(pi);
  const yr = v128.load(pr + hb);
  const yi = v128.load(pi + hb);
  const wr = v128.load(t);
  const wi = v128.load(t, 16);
  // d = y * conj(w)
  const dr = v128.add<T>(v128.mul<T>(yr, wr), v128.mul<T>(yi, wi));
  const di = v128.sub<T>(v128.mul<T>(yi, wr), v128.mul<T>(yr, wi));
  v128.store(pr, v128.add<T>(xr, dr));
  v128.store(pi, v128.add<T>(xi, di));
  v128.store(pr + hb, v128.sub<T>(xr, dr));
  v128.store(pi + hb, v128.sub<T>(xi, di));
}

@inline
function radix2Dit<T>(re: usize, im: usize, n: i32, h: i32, tw: usize): void {
  const bytes = <usize>sizeof<T>();
  const hb = <usize>h * bytes;
  const total = <usize>n * bytes;
  for (let b: usize = 0; b < total; b += 2 * hb) {
    let t = tw;
    for (let j: usize = 0; j < hb; j += 16) {
      radix2DitColumn<T>(re + b + j, im + b + j, hb, t);
      t += 32;
    }
  }
}

// One vector column of radix4Dif at p0r/p0i (span sb bytes, twiddles at t).
@inline
function radix4DifColumn<T>(p0r: usize, p0i: usize, sb: usize, t: usize): void {
  const a0r = v128.load(p0r);
  const a0i = v128.load(p0i);
  const a1r = v128.load(p0r + sb);
  const a1i = v128.load(p0i + sb);
  const a2r = v128.load(p0r + 2 * sb);
  const a2i = v128.load(p0i + 2 * sb);
  const a3r = v128.load(p0r + 3 * sb);
  const a3i = v128.load(p0i + 3 * sb);
  const b0r = v128.add<T>(a0r, a2r);
  const b0i = v128.add<T>(a0i, a2i);
  const b1r = v128.sub<T>(a0r, a2r);
  const b1i = v128.sub<T>(a0i, a2i);
  const b2r = v128.add<T>(a1r, a3r);
  const b2i = v128.add<T>(a1i, a3i);
  const dr = v128.sub<T>(a1r, a3r);
  const di = v128.sub<T>(a1i, a3i);
  // b3 = -i * d = (di, -dr)
  const y0r = v128.add<T>(b0r, b2r);
  const y0i = v128.add<T>(b0i, b2i);
  const y2r = v128.sub<T>(b0r, b2r);
  const y2i = v128.sub<T>(b0i, b2i);
  const y1r = v128.add<T>(b1r, di);
  const y1i = v128.sub<T>(b1i, dr);
  const y3r = v128.sub<T>(b1r, di);
  const y3i = v128.add<T>(b1i, dr);
  const w1r = v128.load(t);
  const w1i = v128.load(t, 16);
  const w2r = v128.load(t, 32);
  const w2i = v128.load(t, 48);
  const w3r = v128.load(t, 64);
  const w3i = v128.load(t, 80);
  v128.store(p0r, y0r);
  v128.store(p0i, y0i);
  v128.store(p0r + sb, v128.sub<T>(v128.mul<T>(y2r, w2r), v128.mul<T>(y2i, w2i)));
  v128.store(p0i + sb, v128.add<T>(v128.mul<T>(y2r, w2i), v128.mul<T>(y2i, w2r)));
  v128.store(p0r + 2 * sb, v128.sub<T>(v128.mul<T>(y1r, w1r), v128.mul<T>(y1i, w1i)));
  v128.store(p0i + 2 * sb, v128.add<T>(v128.mul<T>(y1r, w1i), v128.mul<T>(y1i, w1r)));
  v128.store(p0r + 3 * sb, v128.sub<T>(v128.mul<T>(y3r, w3r), v128.mul<T>(y3i, w3i)));
  v128.store(p0i + 3 * sb, v128.add<T>(v128.mul<T>(y3r, w3i), v128.mul<T>(y3i, w3r)));
}

@inline
function radix4Dif<T>(re: usize, im: usize, n: i32, s: i32, tw: usize): void {
  const bytes = <usize>sizeof<T>();
  const sb = <usize>s * bytes;
  const total = <usize>n * bytes;
  for (let b: usize = 0; b < total; b += 4 * sb) {
    let t = tw;
    for (let j: usize = 0; j < sb; j += 16) {
      radix4DifColumn<T>(re + b + j, im + b + j, sb, t);
      t += 96;
    }
  }
}

// One vector column of radix4Dit at p0r/p0i (span sb bytes, twiddles at t).
@inline
function radix4DitColumn<T>(p0r: usize, p0i: usize, sb: usize, t: usize): void {
  const w1r = v128.load(t);
  const w1i = v128.load(t, 16);
  const w2r = v128.load(t, 32);
  const w2i = v128.load(t, 48);
  const w3r = v128.load(t, 64);
  const w3i = v128.load(t, 80);
  const y0r = v128.load(p0r);
  const y0i = v128.load(p0i);
  // undo the twiddles: multiply by conj(w)
  const x2r = v128.load(p0r + sb);
  const x2i = v128.load(p0i + sb);
  const y2r = v128.add<T>(v128.mul<T>(x2r, w2r), v128.mul<T>(x2i, w2i));
  const y2i = v128.sub<T>(v128.mul<T>(x2i, w2r), v128.mul<T>(x2r, w2i));
  const x1r = v128.load(p0r + 2 * sb);
  const x1i = v128.load(p0i + 2 * sb);
  const y1r = v128.add<T>(v128.mul<T>(x1r, w1r), v128.mul<T>(x1i, w1i));
  const y1i = v128.sub<T>(v128.mul<T>(x1i, w1r), v128.mul<T>(x1r, w1i));
  const x3r = v128.load(p0r + 3 * sb);
  const x3i = v128.load(p0i + 3 * sb);
  const y3r = v128.add<T>(v128.mul<T>(x3r, w3r), v128.mul<T>(x3i, w3i));
  const y3i = v128.sub<T>(v128.mul<T>(x3i, w3r), v128.mul<T>(x3r, w3i));
  const b0r = v128.add<T>(y0r, y2r);
  const b0i = v128.add<T>(y0i, y2i);
  const b2r = v128.sub<T>(y0r, y2r);
  const b2i = v128.sub<T>(y0i, y2i);
  const b1r = v128.add<T>(y1r, y3r);
  const b1i = v128.add<T>(y1i, y3i);
  const b3r = v128.sub<T>(y1r, y3r);
  const b3i = v128.sub<T>(y1i, y3i);
  v128.store(p0r, v128.add<T>(b0r, b1r));
  v128.store(p0i, v128.add<T>(b0i, b1i));
  v128.store(p0r + 2 * sb, v128.sub<T>(b0r, b1r));
  v128.store(p0i + 2 * sb, v128.sub<T>(b0i, b1i));
  // a1 = b2 + i*b3, a3 = b2 - i*b3 with i*b3 = (-b3i, b3r)
  v128.store(p0r + sb, v128.sub<T>(b2r, b3i));
  v128.store(p0i + sb, v128.add<T>(b2i, b3r));
  v128.store(p0r + 3 * sb, v128.add<T>(b2r, b3i));
  v128.store(p0i + 3 * sb, v128.sub<T>(b2i, b3r));
}

@inline
function radix4Dit<T>(re: usize, im: usize, n: i32, s: i32, tw: usize): void {
  const bytes = <usize>sizeof<T>();
  const sb = <usize>s * bytes;
  const total = <usize>n * bytes;
  for (let b: usize = 0; b < total; b += 4 * sb) {
    let t = tw;
    for (let j: usize = 0; j < sb; j += 16) {
      radix4DitColumn<T>(re + b + j, im + b + j, sb, t);
      t += 96;
    }
  }
}

// Loads one tile of four 4-element groups as vectors of equal element index
// (f32: 4 groups x 4 elements; f64: 2 groups x 4 elements as 4 vectors of 2 lanes).
@inline
function tileLoad<T>(p: usize, e: i32): v128 {
  const v0 = v128.load(p);
  const v1 = v128.load(p, 16);
  const v2 = v128.load(p, 32);
  const v3 = v128.load(p, 48);
  if (sizeof<T>() == 4) {
    if (e == 0) return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), 0, 1, 4, 5);
    if (e == 1) return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), 2, 3, 6, 7);
    if (e == 2) return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7), 0, 1, 4, 5);
    return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7), 2, 3, 6, 7);
  } else {
    // v0 = [g0e0 g0e1], v1 = [g0e2 g0e3], v2 = [g1e0 g1e1], v3 = [g1e2 g1e3]
    if (e == 0) return v128.shuffle<f64>(v0, v2, 0, 2);
    if (e == 1) return v128.shuffle<f64>(v0, v2, 1, 3);
    if (e == 2) return v128.shuffle<f64>(v1, v3, 0, 2);
    return v128.shuffle<f64>(v1, v3, 1, 3);
  }
}

// Writes vectors of equal element index back as four contiguous groups (inverse of
// tileLoad; the 4x4 f32 transpose is its own inverse).
@inline
function tileStore<T>(p: usize, a0: v128, a1: v128, a2: v128, a3: v128): void {
  if (sizeof<T>() == 4) {
    const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
    const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
    v128.store(p, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
    v128.store(p, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
    v128.store(p, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
    v128.store(p, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
  } else {
    v128.store(p, v128.shuffle<f64>(a0, a1, 0, 2));
    v128.store(p, v128.shuffle<f64>(a2, a3, 0, 2), 16);
    v128.store(p, v128.shuffle<f64>(a0, a1, 1, 3), 32);
    v128.store(p, v128.shuffle<f64>(a2, a3, 1, 3), 48);
  }
}

// Last two DIF stages (h = 2 and h = 1, twiddles 1 and -i only) on 64-byte tiles.
// The results are stored transposed: output index e' of the tile's lane-th group goes
// to tile element 4*e' + lane (f32) or 2*e' + lane (f64), see fillPositions.
@inline
function finalDif<T>(re: usize, im: usize, n: i32): void {
  const end = re + <usize>n * <usize>sizeof<T>();
  let pi = im;
  for (let pr = re; pr < end; pr += 64) {
    const a0r = tileLoad<T>(pr, 0);
    const a1r = tileLoad<T>(pr, 1);
    const a2r = tileLoad<T>(pr, 2);
    const a3r = tileLoad<T>(pr, 3);
    const a0i = tileLoad<T>(pi, 0);
    const a1i = tileLoad<T>(pi, 1);
    const a2i = tileLoad<T>(pi, 2);
    const a3i = tileLoad<T>(pi, 3);
    const b0r = v128.add<T>(a0r, a2r);
    const b0i = v128.add<T>(a0i, a2i);
    const b1r = v128.sub<T>(a0r, a2r);
    const b1i = v128.sub<T>(a0i, a2i);
    const b2r = v128.add<T>(a1r, a3r);
    const b2i = v128.add<T>(a1i, a3i);
    const dr = v128.sub<T>(a1r, a3r);
    const di = v128.sub<T>(a1i, a3i);
    v128.store(pr, v128.add<T>(b0r, b2r));
    v128.store(pi, v128.add<T>(b0i, b2i));
    v128.store(pr, v128.sub<T>(b0r, b2r), 16);
    v128.store(pi, v128.sub<T>(b0i, b2i), 16);
    v128.store(pr, v128.add<T>(b1r, di), 32);
    v128.store(pi, v128.sub<T>(b1i, dr), 32);
    v128.store(pr, v128.sub<T>(b1r, di), 48);
    v128.store(pi, v128.add<T>(b1i, dr), 48);
    pi += 64;
  }
}

@inline
function finalDit<T>(re: usize, im: usize, n: i32): void {
  const end = re + <usize>n * <usize>sizeof<T>();
  let pi = im;
  for (let pr = re; pr < end; pr += 64) {
    const y0r = v128.load(pr);
    const y0i = v128.load(pi);
    const y2r = v128.load(pr, 16);
    const y2i = v128.load(pi, 16);
    const y1r = v128.load(pr, 32);
    const y1i = v128.load(pi, 32);
    const y3r = v128.load(pr, 48);
    const y3i = v128.load(pi, 48);
    const b0r = v128.add<T>(y0r, y2r);
    const b0i = v128.add<T>(y0i, y2i);
    const b2r = v128.sub<T>(y0r, y2r);
    const b2i = v128.sub<T>(y0i, y2i);
    const b1r = v128.add<T>(y1r, y3r);
    const b1i = v128.add<T>(y1i, y3i);
    const b3r = v128.sub<T>(y1r, y3r);
    const b3i = v128.sub<T>(y1i, y3i);
    tileStore<T>(
      pr,
      v128.add<T>(b0r, b1r),
      v128.sub<T>(b2r, b3i),
      v128.sub<T>(b0r, b1r),
      v128.add<T>(b2r, b3i),
    );
    tileStore<T>(
      pi,
      v128.add<T>(b0i, b1i),
      v128.add<T>(b2i, b3r),
      v128.sub<T>(b0i, b1i),
      v128.sub<T>(b2i, b3r),
    );
    pi += 64;
  }
}

// The middle of a block's round trip, fused: the last two forward stages, the
// pointwise product with H and the first two inverse stages, on one tile in registers.
// Saves three sweeps over the block (final DIF pass, multiply pass, first DIT pass).
@inline
function finalDifMulDit<T>(re: usize, im: usize, hRe: usize, hIm: usize, n: i32): void {
  const end = re + <usize>n * <usize>sizeof<T>();
  let pi = im;
  let hr = hRe;
  let hi = hIm;
  for (let pr = re; pr < end; pr += 64) {
    const a0r = tileLoad<T>(pr, 0);
    const a1r = tileLoad<T>(pr, 1);
    const a2r = tileLoad<T>(pr, 2);
    const a3r = tileLoad<T>(pr, 3);
    const a0i = tileLoad<T>(pi, 0);
    const a1i = tileLoad<T>(pi, 1);
    const a2i = tileLoad<T>(pi, 2);
    const a3i = tileLoad<T>(pi, 3);
    const b0r = v128.add<T>(a0r, a2r);
    const b0i = v128.add<T>(a0i, a2i);
    const b1r = v128.sub<T>(a0r, a2r);
    const b1i = v128.sub<T>(a0i, a2i);
    const b2r = v128.add<T>(a1r, a3r);
    const b2i = v128.add<T>(a1i, a3i);
    const dr = v128.sub<T>(a1r, a3r);
    const di = v128.sub<T>(a1i, a3i);
    // forward outputs (tile slots 0..3 hold y0, y2, y1, y3), times H of the same slot
    let zr = v128.add<T>(b0r, b2r);
    let zi = v128.add<T>(b0i, b2i);
    let wr = v128.load(hr);
    let wi = v128.load(hi);
    const y0r = v128.sub<T>(v128.mul<T>(zr, wr), v128.mul<T>(zi, wi));
    const y0i = v128.add<T>(v128.mul<T>(zr, wi), v128.mul<T>(zi, wr));
    zr = v128.sub<T>(b0r, b2r);
    zi = v128.sub<T>(b0i, b2i);
    wr = v128.load(hr, 16);
    wi = v128.load(hi, 16);
    const y2r = v128.sub<T>(v128.mul<T>(zr, wr), v128.mul<T>(zi, wi));
    const y2i = v128.add<T>(v128.mul<T>(zr, wi), v128.mul<T>(zi, wr));
    zr = v128.add<T>(b1r, di);
    zi = v128.sub<T>(b1i, dr);
    wr = v128.load(hr, 32);
    wi = v128.load(hi, 32);
    const y1r = v128.sub<T>(v128.mul<T>(zr, wr), v128.mul<T>(zi, wi));
    const y1i = v128.add<T>(v128.mul<T>(zr, wi), v128.mul<T>(zi, wr));
    zr = v128.sub<T>(b1r, di);
    zi = v128.add<T>(b1i, dr);
    wr = v128.load(hr, 48);
    wi = v128.load(hi, 48);
    const y3r = v128.sub<T>(v128.mul<T>(zr, wr), v128.mul<T>(zi, wi));
    const y3i = v128.add<T>(v128.mul<T>(zr, wi), v128.mul<T>(zi, wr));
    // inverse butterfly (as finalDit)
    const c0r = v128.add<T>(y0r, y2r);
    const c0i = v128.add<T>(y0i, y2i);
    const c2r = v128.sub<T>(y0r, y2r);
    const c2i = v128.sub<T>(y0i, y2i);
    const c1r = v128.add<T>(y1r, y3r);
    const c1i = v128.add<T>(y1i, y3i);
    const c3r = v128.sub<T>(y1r, y3r);
    const c3i = v128.sub<T>(y1i, y3i);
    tileStore<T>(
      pr,
      v128.add<T>(c0r, c1r),
      v128.sub<T>(c2r, c3i),
      v128.sub<T>(c0r, c1r),
      v128.add<T>(c2r, c3i),
    );
    tileStore<T>(
      pi,
      v128.add<T>(c0i, c1i),
      v128.add<T>(c2i, c3r),
      v128.sub<T>(c0i, c1i),
      v128.sub<T>(c2i, c3r),
    );
    pi += 64;
    hr += 64;
    hi += 64;
  }
}

// Forward FFT, multiply by H, inverse FFT of one block pair, with the middle fused.
@inline
function roundTrip<T>(re: usize, im: usize, hRe: usize, hIm: usize, tw: usize, n: i32): void {
  const bytes = <usize>sizeof<T>();
  const sMax = quarterSpanMax(n);
  const r2 = tw + <usize>(2 * (4 * sMax - 4)) * bytes;
  if (hasRadix2Pass(n)) radix2Dif<T>(re, im, n, n >> 1, r2);
  for (let s = sMax; s >= 4; s >>= 2) {
    radix4Dif<T>(re, im, n, s, tw + <usize>(2 * (s - 4)) * bytes);
  }
  finalDifMulDit<T>(re, im, hRe, hIm, n);
  for (let s = 4; s <= sMax; s <<= 2) {
    radix4Dit<T>(re, im, n, s, tw + <usize>(2 * (s - 4)) * bytes);
  }
  if (hasRadix2Pass(n)) radix2Dit<T>(re, im, n, n >> 1, r2);
}

@inline
function fftForward<T>(re: usize, im: usize, tw: usize, n: i32): void {
  const bytes = <usize>sizeof<T>();
  const sMax = quarterSpanMax(n);
  if (hasRadix2Pass(n)) {
    radix2Dif<T>(re, im, n, n >> 1, tw + <usize>(2 * (4 * sMax - 4)) * bytes);
  }
  for (let s = sMax; s >= 4; s >>= 2) {
    radix4Dif<T>(re, im, n, s, tw + <usize>(2 * (s - 4)) * bytes);
  }
  finalDif<T>(re, im, n);
}

@inline
function fftInverse<T>(re: usize, im: usize, tw: usize, n: i32): void {
  const bytes = <usize>sizeof<T>();
  const sMax = quarterSpanMax(n);
  finalDit<T>(re, im, n);
  for (let s = 4; s <= sMax; s <<= 2) {
    radix4Dit<T>(re, im, n, s, tw + <usize>(2 * (s - 4)) * bytes);
  }
  if (hasRadix2Pass(n)) {
    radix2Dit<T>(re, im, n, n >> 1, tw + <usize>(2 * (4 * sMax - 4)) * bytes);
  }
}

// pos[k] = scrambled position that holds bin k after fftForward (u32 table of n).
@inline
function fillPositions<T>(pos: usize, n: i32): void {
  const p = 31 - clz(n);
  for (let k = 0; k < n; k++) {
    let r = 0;
    for (let b = 0; b < p; b++) r |= ((k >> b) & 1) << (p - 1 - b);
    let q: i32;
    if (sizeof<T>() == 4) q = (r & ~15) | ((r & 3) << 2) | ((r >> 2) & 3);
    else q = (r & ~7) | ((r & 3) << 1) | ((r >> 2) & 1);
    store<u32>(pos + (<usize>k << 2), <u32>q);
  }
}

// ---------------------------------------------------------------------------------
// Real FFT of n = 2m points: pack even/odd samples as one complex signal of m points,
// transform it to natural order, then split the spectra (X[k] = E + W^k O). Output: m + 1 bins, re and im in separate arrays.
// Real twiddle table (elements of T): pairs (cos, sin) of -2 pi k / n for k <= m / 2.
// ---------------------------------------------------------------------------------

// cos and sin of -2 pi k / n for k <= n/4, in two arrays (the second starts at element
// n/4 + 4) so that the split loop loads them as vectors.
@inline
function fillRealTwiddles<T>(rt: usize, n: i32): void {
  const bytes = <usize>sizeof<T>();
  const quarter = n >> 2;
  const sin = rt + <usize>(quarter + 4) * bytes;
  for (let k = 0; k <= quarter; k++) {
    const a = -2.0 * Math.PI * <f64>k / <f64>n;
    store<T>(rt + <usize>k * bytes, <T>Math.cos(a));
    store<T>(sin + <usize>k * bytes, <T>Math.sin(a));
  }
}

@inline
function reverseLanes<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return v128.shuffle<f32>(v, v, 3, 2, 1, 0);
  return v128.shuffle<f64>(v, v, 1, 0);
}

// One bin pair of the real split: X[k] = E + W^k O and X[m-k] = conj(E - W^k O).
@inline
function splitScalar<T>(
  wRe: usize, wIm: usize, outRe: usize, outIm: usize, rt: usize, sin: usize, m: i32, k: i32,
): void {
  const bytes = <usize>sizeof<T>();
  const pk = <usize>k * bytes;
  const pc = <usize>(m - k) * bytes;
  const zr = load<T>(wRe + pk);
  const zi = load<T>(wIm + pk);
  const cr = load<T>(wRe + pc);
  const ci = -load<T>(wIm + pc);
  const er = <T>0.5 * (zr + cr);
  const ei = <T>0.5 * (zi + ci);
  const or = <T>0.5 * (zi - ci);
  const oi = <T>-0.5 * (zr - cr);
  const wr = load<T>(rt + pk);
  const wi = load<T>(sin + pk);
  const tr = wr * or - wi * oi;
  const ti = wr * oi + wi * or;
  store<T>(outRe + pk, er + tr);
  store<T>(outIm + pk, ei + ti);
  store<T>(outRe + pc, er - tr);
  store<T>(outIm + pc, ti - ei);
}

// Vectorised scatter of z[k] = x[2k] + i x[2k+1] (f32, m >= 64) to scrambled order.
// In the f32 scrambled order the four lanes of a vector hold bins whose indices differ
// only in bits p-3 and p-4 (offsets m/8 and m/16), and bins k..k+3 land in four
// different vectors. So: load 4 runs of 4 complex values at k0 + {0, m/8, m/16,
// 3m/16} (run order = lane order), de-interleave, transpose 4x4, and store vector c at
// pos[k0 + c]: 16 values per 8 loads and 8 stores instead of 16 scalar scatters.
@inline
function scatterTiledF32(x: usize, wRe: usize, wIm: usize, pos: usize, m: i32): void {
  const quarter = m >> 2;
  const sixteenth = m >> 4;
  for (let q = 0; q < 4; q++) {
    for (let u = 0; u < sixteenth; u += 4) {
      const k0 = q * quarter + u;
      const p0 = x + (<usize>k0 << 3);
      const p1 = x + (<usize>(k0 + 2 * sixteenth) << 3);
      const p2 = x + (<usize>(k0 + sixteenth) << 3);
      const p3 = x + (<usize>(k0 + 3 * sixteenth) << 3);
      const a0 = v128.load(p0);
      const b0 = v128.load(p0, 16);
      const a1 = v128.load(p1);
      const b1 = v128.load(p1, 16);
      const a2 = v128.load(p2);
      const b2 = v128.load(p2, 16);
      const a3 = v128.load(p3);
      const b3 = v128.load(p3, 16);
      const r0 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6);
      const i0 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
      const r1 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6);
      const i1 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
      const r2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6);
      const i2 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
      const r3 = v128.shuffle<f32>(a3, b3, 0, 2, 4, 6);
      const i3 = v128.shuffle<f32>(a3, b3, 1, 3, 5, 7);
      const pk = pos + (<usize>k0 << 2);
      const d0 = <usize>load<u32>(pk) << 2;
      const d1 = <usize>load<u32>(pk, 4) << 2;
      const d2 = <usize>load<u32>(pk, 8) << 2;
      const d3 = <usize>load<u32>(pk, 12) << 2;
      let t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      let t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      let t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      let t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      v128.store(wRe + d0, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(wRe + d1, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(wRe + d2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(wRe + d3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
      t0 = v128.shuffle<f32>(i0, i1, 0, 4, 1, 5);
      t1 = v128.shuffle<f32>(i0, i1, 2, 6, 3, 7);
      t2 = v128.shuffle<f32>(i2, i3, 0, 4, 1, 5);
      t3 = v128.shuffle<f32>(i2, i3, 2, 6, 3, 7);
      v128.store(wIm + d0, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(wIm + d1, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(wIm + d2, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(wIm + d3, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
  }
}

@inline
function realFft<T>(
  x: usize, n: i32, outRe: usize, outIm: usize, wRe: usize, wIm: usize,
  tw: usize, pos: usize, rt: usize,
): void {
  const bytes = <usize>sizeof<T>();
  const m = n >> 1;
  // Scatter z[k] = x[2k] + i x[2k+1] to the scrambled position of bin k, then run the
  // inverse transform with re and im swapped: DFT(z) = swap(IDFT(swap(z))), and the
  // inverse takes scrambled input to NATURAL order, so the split below reads plain
  // contiguous memory instead of gathering through the position table.
  if (sizeof<T>() == 4 && m >= 64) {
    scatterTiledF32(x, wRe, wIm, pos, m);
  } else {
    let px = x;
    for (let k = 0; k < m; k++) {
      const q = <usize>load<u32>(pos + (<usize>k << 2)) * bytes;
      store<T>(wRe + q, load<T>(px));
      store<T>(wIm + q, load<T>(px + bytes));
      px += 2 * bytes;
    }
  }
  fftInverse<T>(wIm, wRe, tw, m);
  const r0 = load<T>(wRe);
  const i0 = load<T>(wIm);
  store<T>(outRe, r0 + i0);
  store<T>(outIm, <T>0);
  store<T>(outRe + <usize>m * bytes, r0 - i0);
  store<T>(outIm + <usize>m * bytes, <T>0);
  const half = m >> 1;
  const lanes = 16 / <i32>sizeof<T>();
  const sin = rt + <usize>((n >> 2) + 4) * bytes;
  for (let k = 1; k < lanes; k++) splitScalar<T>(wRe, wIm, outRe, outIm, rt, sin, m, k);
  splitScalar<T>(wRe, wIm, outRe, outIm, rt, sin, m, half);
  // Vector part: k in [lanes, m/2); the partner bins m-k are a reversed vector.
  const h = v128.splat<T>(<T>0.5);
  for (let k = lanes; k < half; k += lanes) {
    const pk = <usize>k * bytes;
    const pc = <usize>(m - k - lanes + 1) * bytes;
    const zr = v128.load(wRe + pk);
    const zi = v128.load(wIm + pk);
    const cr = reverseLanes<T>(v128.load(wRe + pc));
    const cin = reverseLanes<T>(v128.load(wIm + pc)); // -imag of conj(Z[m-k])
    const er = v128.mul<T>(h, v128.add<T>(zr, cr));
    const ei = v128.mul<T>(h, v128.sub<T>(zi, cin));
    const or = v128.mul<T>(h, v128.add<T>(zi, cin));
    const oi = v128.mul<T>(h, v128.sub<T>(cr, zr));
    const wr = v128.load(rt + pk);
    const wi = v128.load(sin + pk);
    const tr = v128.sub<T>(v128.mul<T>(wr, or), v128.mul<T>(wi, oi));
    const ti = v128.add<T>(v128.mul<T>(wr, oi), v128.mul<T>(wi, or));
    v128.store(outRe + pk, v128.add<T>(er, tr));
    v128.store(outIm + pk, v128.add<T>(ei, ti));
    v128.store(outRe + pc, reverseLanes<T>(v128.sub<T>(er, tr)));
    v128.store(outIm + pc, reverseLanes<T>(v128.sub<T>(ti, ei)));
  }
}

// ---------------------------------------------------------------------------------
// Fused frequency-domain convolution (overlap-add).
//
// Two consecutive real blocks ride in one complex FFT (block b in re, block b+1 in
// im): because the kernel is real, IFFT(FFT(x1 + i x2) * H) = x1*h + i (x2*h), so a
// complex FFT of size N does the work of two real ones with no split/merge passes and
// the scrambled order never needs undoing. H is prescaled by 1/N.
// ---------------------------------------------------------------------------------

@inline
function kernelSpectrum<T>(h: usize, m: i32, hRe: usize, hIm: usize, n: i32, tw: usize): void {
  const bytes = <usize>sizeof<T>();
  memory.copy(hRe, h, <usize>m * bytes);
  memory.fill(hRe + <usize>m * bytes, 0, <usize>(n - m) * bytes);
  memory.fill(hIm, 0, <usize>n * bytes);
  fftForward<T>(hRe, hIm, tw, n);
  const scale = v128.splat<T>(<T>(1.0 / <f64>n));
  const end = hRe + <usize>n * bytes;
  let pi = hIm;
  for (let pr = hRe; pr < end; pr += 16) {
    v128.store(pr, v128.mul<T>(v128.load(pr), scale));
    v128.store(pi, v128.mul<T>(v128.load(pi), scale));
    pi += 16;
  }
}

// The f32 kernel spectrum through f64: h widened (exactly) into re64/im64 (n f64
// each), transformed with the f64 tables tw64, then scaled by 1/n and rounded to f32
// once per bin, into the f32 scrambled order. Every bin is then the f64 transform's
// value to half a float32 spacing, where the f32 transform's rounding errors would
// grow with log2 n; the kernel's share of the convolution's error almost vanishes.
// The two scrambled orders are the same bit reversal r of the bin index with the
// last two stages' tiles stored differently (see fillPositions): within each 16-run
// of r, f64 position (r & 8) | (r & 3) << 1 | (r >> 2) & 1 holds what f32 position
// (r & 3) << 2 | (r >> 2) & 3 wants, so f32 vector v of a run (positions 4v..4v+3)
// is f64 pair 2v, 2v+1 followed by f64 pair 8+2v, 9+2v.
@inline
function kernelSpectrumWideF32(
  h: usize, m: i32, hRe: usize, hIm: usize, n: i32, tw64: usize, re64: usize, im64: usize,
): void {
  widenF32(h, re64, m);
  memory.fill(re64 + (<usize>m << 3), 0, <usize>(n - m) << 3);
  memory.fill(im64, 0, <usize>n << 3);
  fftForward<f64>(re64, im64, tw64, n);
  narrowRunsF32(re64, hRe, n);
  narrowRunsF32(im64, hIm, n);
}

// dst (f32 scrambled order) = src (f64 scrambled order) / n, rounded: see above.
@inline
function narrowRunsF32(src: usize, dst: usize, n: i32): void {
  const scale = f64x2.splat(1.0 / <f64>n);
  const end = dst + (<usize>n << 2);
  for (; dst < end; dst += 64, src += 128) {
    for (let v: usize = 0; v < 64; v += 16) {
      const a = f32x4.demote_f64x2_zero(f64x2.mul(v128.load(src + v), scale));
      const b = f32x4.demote_f64x2_zero(f64x2.mul(v128.load(src + 64 + v), scale));
      v128.store(dst + v, v128.shuffle<f32>(a, b, 0, 1, 4, 5));
    }
  }
}

// dst[i] = src[i] - shift for i in [0, count) (src need not be 16-byte aligned).
@inline
function subtract<T>(dst: usize, src: usize, count: i32, shift: T): void {
  const bytes = <usize>sizeof<T>();
  const lanes = 16 / <i32>sizeof<T>();
  const by = v128.splat<T>(shift);
  let i = 0;
  for (; i + lanes <= count; i += lanes) {
    const at = <usize>i * bytes;
    v128.store(dst + at, v128.sub<T>(v128.load(src + at), by));
  }
  for (; i < count; i++) {
    const at = <usize>i * bytes;
    store<T>(dst + at, load<T>(src + at) - shift);
  }
}

// dst[0, n) = the block x[off, off + len) minus `shift`, zero-padded (past the signal's
// end too) to n elements.
@inline
function loadBlock<T>(dst: usize, x: usize, nx: i32, off: i32, len: i32, n: i32, shift: T): void {
  const bytes = <usize>sizeof<T>();
  let count = nx - off;
  if (count > len) count = len;
  if (count < 0) count = 0;
  const src = x + <usize>off * bytes;
  if (shift == 0) memory.copy(dst, src, <usize>count * bytes);
  else subtract<T>(dst, src, count, shift);
  memory.fill(dst + <usize>count * bytes, 0, <usize>(n - count) * bytes);
}

// y[off + i - start] += src[i] for the part of [0, span) that lands in the window.
@inline
function accumulate<T>(y: usize, src: usize, off: i32, span: i32, start: i32, end: i32): void {
  const bytes = <usize>sizeof<T>();
  const lanes = 16 / <i32>sizeof<T>();
  let i0 = start - off;
  if (i0 < 0) i0 = 0;
  let i1 = end - off;
  if (i1 > span) i1 = span;
  let i = i0;
  const base = y + <usize>(off - start) * bytes; // may wrap below y; only offset from it
  for (; i + lanes <= i1; i += lanes) {
    const p = base + <usize>i * bytes;
    v128.store(p, v128.add<T>(v128.load(p), v128.load(src + <usize>i * bytes)));
  }
  for (; i < i1; i++) {
    const p = base + <usize>i * bytes;
    store<T>(p, load<T>(p) + load<T>(src + <usize>i * bytes));
  }
}

@inline
function overlapAdd<T>(
  x: usize, nx: i32, m: i32, hRe: usize, hIm: usize, n: i32, len: i32, tw: usize,
  wRe: usize, wIm: usize, y: usize, start: i32, length: i32, shift: T,
): void {
  const bytes = <usize>sizeof<T>();
  memory.fill(y, 0, <usize>length * bytes);
  const span = len + m - 1;
  const end = start + length;
  const first = start >= span ? (start - span) / len + 1 : 0;
  let last = (nx + len - 1) / len;
  const lastWindow = (end + len - 1) / len;
  if (lastWindow < last) last = lastWindow;
  for (let b = first; b < last; b += 2) {
    loadBlock<T>(wRe, x, nx, b * len, len, n, shift);
    const pair = b + 1 < last;
    if (pair) loadBlock<T>(wIm, x, nx, (b + 1) * len, len, n, shift);
    else memory.fill(wIm, 0, <usize>n * bytes);
    roundTrip<T>(wRe, wIm, hRe, hIm, tw, n);
    accumulate<T>(y, wRe, b * len, span, start, end);
    if (pair) accumulate<T>(y, wIm, (b + 1) * len, span, start, end);
  }
}

// ---------------------------------------------------------------------------------
// Mean removal of the f32 frequency-domain kernels. The inverse transform's rounding
// grows with the size of its output; a signal with a large mean a gives outputs near
// a * (sum of the taps) whatever their fluctuation. overlapAddF32 transforms x - a
// instead and adds a times the sum of the taps each output sees back
// (addBackMeanF32): conv(x, h)[k] = conv(x - a, h)[k] + a S(k).
// ---------------------------------------------------------------------------------

// The sum of squares of the last sumAndSquaresF32 call.
let lastSquares: f64 = 0;

// The sum of the n f32 at x (NaN or infinite when one of them is, or when a block's
// f32 sums overflow); their sum of squares is kept in lastSquares. Summed in f32
// over blocks of 256 values, each block's sums added in f64: the sums only choose the
// mean to take out, and the correction is exact whatever that mean is, so f32 block
// sums (close enough, and cheaper than widening every value) do.
@inline
function sumAndSquaresF32(x: usize, n: i32): f64 {
  let sum: f64 = 0;
  let squares: f64 = 0;
  const vectorEnd = x + <usize>(n & ~3) * 4;
  const end = x + <usize>n * 4;
  let p = x;
  while (p < vectorEnd) {
    let blockEnd = p + 1024;
    if (blockEnd > vectorEnd) blockEnd = vectorEnd;
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    let q0 = f32x4.splat(0);
    let q1 = f32x4.splat(0);
    let q2 = f32x4.splat(0);
    let q3 = f32x4.splat(0);
    for (; p + 64 <= blockEnd; p += 64) {
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const v2 = v128.load(p, 32);
      const v3 = v128.load(p, 48);
      s0 = f32x4.add(s0, v0);
      s1 = f32x4.add(s1, v1);
      s2 = f32x4.add(s2, v2);
      s3 = f32x4.add(s3, v3);
      q0 = f32x4.add(q0, f32x4.mul(v0, v0));
      q1 = f32x4.add(q1, f32x4.mul(v1, v1));
      q2 = f32x4.add(q2, f32x4.mul(v2, v2));
      q3 = f32x4.add(q3, f32x4.mul(v3, v3));
    }
    for (; p < blockEnd; p += 16) {
      const v0 = v128.load(p);
      s0 = f32x4.add(s0, v0);
      q0 = f32x4.add(q0, f32x4.mul(v0, v0));
    }
    s0 = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
    q0 = f32x4.add(f32x4.add(q0, q1), f32x4.add(q2, q3));
    sum += <f64>f32x4.extract_lane(s0, 0) + <f64>f32x4.extract_lane(s0, 1) +
      <f64>f32x4.extract_lane(s0, 2) + <f64>f32x4.extract_lane(s0, 3);
    squares += <f64>f32x4.extract_lane(q0, 0) + <f64>f32x4.extract_lane(q0, 1) +
      <f64>f32x4.extract_lane(q0, 2) + <f64>f32x4.extract_lane(q0, 3);
  }
  for (; p < end; p += 4) {
    const v = <f64>load<f32>(p);
    sum += v;
    squares += v * v;
  }
  lastSquares = squares;
  return sum;
}

// The mean (a float32 value) to take out of the nx f32 signal at x before its
// transforms, or 0 to leave it: only when n a^2 > ||x||^2 / 2 (false for a NaN or an
// infinite sum), and never when the m-tap kernel at `kept` sums to a NaN or an
// infinity (those take the unshifted path, bit for bit).
@inline
function meanToRemoveF32(x: usize, nx: i32, kept: usize, m: i32): f32 {
  const sum = sumAndSquaresF32(x, nx);
  if (!(sum * sum > 0.5 * <f64>nx * lastSquares)) return 0;
  if (!isFinite<f64>(sumAndSquaresF32(kept, m))) return 0;
  return <f32>(sum / <f64>nx);
}

// Tap j of the kernel at h (m f32), reversed when `reverse`, widened to f64.
@inline
function tapF32(h: usize, m: i32, reverse: bool, j: i32): f64 {
  return <f64>load<f32>(h + (<usize>(reverse ? m - 1 - j : j) << 2));
}

// y[i] += a S(start + i) for i in [0, length), where S(k) is the sum of the taps
// output k of an nx-sample signal sees: taps max(0, k - nx + 1) .. min(m - 1, k). S
// is summed in f64 once at start and then moved tap by tap; where every tap is seen
// (m - 1 <= k < nx) it is the kernel's sum, added four outputs at a time. Each
// c = a S is split into two f32, hi = f32(c) and lo = f32(c - hi) (together c to
// 2^-48 of it), and added as (y + lo) + hi: one rounding at y's size (the
// fluctuation's, small when the mean was taken out) and one at the output's, about
// as close as rounding y + c once in f64, with no widening and narrowing.
@inline
function addBackMeanF32(
  y: usize, start: i32, length: i32, nx: i32, h: usize, m: i32, reverse: bool, a: f64,
): void {
  let k = start;
  const end = start + length;
  let lo = k - nx + 1;
  if (lo < 0) lo = 0;
  const hi = k < m - 1 ? k : m - 1;
  let s: f64 = 0;
  for (let j = lo; j <= hi; j++) s += tapF32(h, m, reverse, j);
  let p = y;
  while (k < end) {
    if (k >= m - 1 && k < nx - 1) {
      // S stays the kernel's sum for k up to nx - 1; the last of them goes below.
      let stop = nx - 1;
      if (stop > end) stop = end;
      const c = a * s;
      const cHi = <f32>c;
      const cLo = <f32>(c - <f64>cHi);
      const addHi = f32x4.splat(cHi);
      const addLo = f32x4.splat(cLo);
      const vectorEnd = p + <usize>((stop - k) & ~3) * 4;
      const tailEnd = p + <usize>(stop - k) * 4;
      for (; p < vectorEnd; p += 16) {
        v128.store(p, f32x4.add(f32x4.add(v128.load(p), addLo), addHi));
      }
      for (; p < tailEnd; p += 4) store<f32>(p, (load<f32>(p) + cLo) + cHi);
      k = stop;
      if (k >= end) break;
    }
    const c = a * s;
    const cHi = <f32>c;
    store<f32>(p, (load<f32>(p) + <f32>(c - <f64>cHi)) + cHi);
    p += 4;
    k++;
    if (k <= m - 1) s += tapF32(h, m, reverse, k);
    if (k >= nx) s -= tapF32(h, m, reverse, k - nx);
  }
}

// ---------------------------------------------------------------------------------
// Exported instantiations (the only ABI the JavaScript wrapper sees).
// ---------------------------------------------------------------------------------

/** f32 direct window with padding and kernel reversal done here (see directWindow). */
export function directWindowF32(
  xp: usize, hr: usize, y: usize, n: i32, m: i32, start: i32, count: i32, correlate: bool,
): void {
  directWindow<f32>(xp, hr, y, n, m, start, count, correlate);
}
/** f64 direct window with padding and kernel reversal done here (see directWindow). */
export function directWindowF64(
  xp: usize, hr: usize, y: usize, n: i32, m: i32, start: i32, count: i32, correlate: bool,
): void {
  directWindow<f64>(xp, hr, y, n, m, start, count, correlate);
}
/** Reverses n f32 elements in place. */
export function reverseF32(ptr: usize, n: i32): void {
  reverseInPlace<f32>(ptr, n);
}
/** Reverses n f64 elements in place. */
export function reverseF64(ptr: usize, n: i32): void {
  reverseInPlace<f64>(ptr, n);
}
/** Fills the f32 twiddle table (twiddleCount(n) elements), the position table (n u32). */
export function fftInitF32(tw: usize, pos: usize, n: i32): void {
  fillTwiddles<f32>(tw, n);
  fillPositions<f32>(pos, n);
}
/** Fills the f64 twiddle table (twiddleCount(n) elements), the position table (n u32). */
export function fftInitF64(tw: usize, pos: usize, n: i32): void {
  fillTwiddles<f64>(tw, n);
  fillPositions<f64>(pos, n);
}
/** Fills the f32 real-FFT twiddles for n real points (n/2 + 8 elements). */
export function realInitF32(rt: usize, n: i32): void {
  fillRealTwiddles<f32>(rt, n);
}
/** Fills the f64 real-FFT twiddles for n real points (n/2 + 8 elements). */
export function realInitF64(rt: usize, n: i32): void {
  fillRealTwiddles<f64>(rt, n);
}
/** Forward complex f32 FFT, scrambled output. */
export function fftForwardF32(re: usize, im: usize, tw: usize, n: i32): void {
  fftForward<f32>(re, im, tw, n);
}
/** Forward complex f64 FFT, scrambled output. */
export function fftForwardF64(re: usize, im: usize, tw: usize, n: i32): void {
  fftForward<f64>(re, im, tw, n);
}
/** Inverse complex f32 FFT from scrambled input, natural output, times n. */
export function fftInverseF32(re: usize, im: usize, tw: usize, n: i32): void {
  fftInverse<f32>(re, im, tw, n);
}
/** Inverse complex f64 FFT from scrambled input, natural output, times n. */
export function fftInverseF64(re: usize, im: usize, tw: usize, n: i32): void {
  fftInverse<f64>(re, im, tw, n);
}
/** Real f32 FFT of n points into n/2+1 bins (outRe, outIm). */
export function realFftF32(
  x: usize, n: i32, outRe: usize, outIm: usize, wRe: usize, wIm: usize,
  tw: usize, pos: usize, rt: usize,
): void {
  realFft<f32>(x, n, outRe, outIm, wRe, wIm, tw, pos, rt);
}
/** Real f64 FFT of n points into n/2+1 bins (outRe, outIm). */
export function realFftF64(
  x: usize, n: i32, outRe: usize, outIm: usize, wRe: usize, wIm: usize,
  tw: usize, pos: usize, rt: usize,
): void {
  realFft<f64>(x, n, outRe, outIm, wRe, wIm, tw, pos, rt);
}
/**
 * 1 when the `bytes` bytes at a and b are bit-for-bit equal, else 0 (bytes a multiple
 * of 4). The wrapper uses it to recognise a kernel whose spectrum it already holds:
 * comparing bits, not values, keeps -0 and NaN payloads exact.
 */
export function sameBits(a: usize, b: usize, bytes: i32): i32 {
  const end = a + <usize>bytes;
  let p = a;
  let q = b;
  let diff = i64x2.splat(0);
  while (p + 16 <= end) {
    diff = v128.or(diff, v128.xor(v128.load(p), v128.load(q)));
    p += 16;
    q += 16;
  }
  if (v128.any_true(diff)) return 0;
  while (p < end) {
    if (load<u32>(p) != load<u32>(q)) return 0;
    p += 4;
    q += 4;
  }
  return 1;
}
/** f32 kernel spectrum (scrambled order, scaled by 1/n) of h zero-padded to n. */
export function spectrumF32(h: usize, m: i32, hRe: usize, hIm: usize, n: i32, tw: usize): void {
  kernelSpectrum<f32>(h, m, hRe, hIm, n, tw);
}
/**
 * f32 kernel spectrum (scrambled order, scaled by 1/n) of h zero-padded to n, computed
 * in f64 (tables tw64, scratch re64 and im64 of n f64 each) and rounded once per bin.
 */
export function spectrumWideF32(
  h: usize, m: i32, hRe: usize, hIm: usize, n: i32, tw64: usize, re64: usize, im64: usize,
): void {
  kernelSpectrumWideF32(h, m, hRe, hIm, n, tw64, re64, im64);
}
/** f64 kernel spectrum (scrambled order, scaled by 1/n) of h zero-padded to n. */
export function spectrumF64(h: usize, m: i32, hRe: usize, hIm: usize, n: i32, tw: usize): void {
  kernelSpectrum<f64>(h, m, hRe, hIm, n, tw);
}
/**
 * f32 overlap-add window of the full convolution into y[0..length). A signal whose
 * mean a is large against its fluctuation (nx a^2 > ||x||^2 / 2) is transformed as
 * x - a, and a times the sum of the taps each output sees (of the kernel's bits kept
 * at `kept`, reversed when `reverse`) is added back in f64: the transforms' rounding
 * then follows the outputs' fluctuation, not their size. A signal or kernel with a NaN
 * or an infinity, or sums that overflow, is transformed as it is. Decided here, so
 * that no float crosses into JavaScript on the way (a float returned to JavaScript
 * can cost it a heap allocation).
 */
export function overlapAddF32(
  x: usize, nx: i32, m: i32, hRe: usize, hIm: usize, n: i32, len: i32, tw: usize,
  wRe: usize, wIm: usize, y: usize, start: i32, length: i32, kept: usize, reverse: bool,
): void {
  const shift = meanToRemoveF32(x, nx, kept, m);
  overlapAdd<f32>(x, nx, m, hRe, hIm, n, len, tw, wRe, wIm, y, start, length, shift);
  if (shift != 0) addBackMeanF32(y, start, length, nx, kept, m, reverse, <f64>shift);
}
/** f64 overlap-add window of the full convolution into y[0..length). */
export function overlapAddF64(
  x: usize, nx: i32, m: i32, hRe: usize, hIm: usize, n: i32, len: i32, tw: usize,
  wRe: usize, wIm: usize, y: usize, start: i32, length: i32,
): void {
  overlapAdd<f64>(x, nx, m, hRe, hIm, n, len, tw, wRe, wIm, y, start, length, 0);
}

// =================================================================================
// Real-time streaming engine: the frequency-domain delay line (FDL).
//
// Used by src/stream/partitioned/. The JavaScript side owns the layout and the
// schedule; these kernels run one slice of a partition level's work each: a range of
// vector columns of one FFT pass, a range of bins of the delay line's complex
// multiply-accumulate, an add into the output accumulator, or the direct head. Slicing
// lets a big partition's transforms be spread over the blocks of its period, so that
// every block costs about the same. Spectra stay in the scrambled order of fftForward.
// =================================================================================

// Columns [u0, u1) of one FFT pass over groups of `radix * span` elements; column u is
// vector j = u % (span / lanes) of group u / (span / lanes). kind: 0 radix-2 DIF,
// 1 radix-2 DIT (span = half-span h), 2 radix-4 DIF, 3 radix-4 DIT (span = quarter-span s).
@inline
function fdlPass<T>(kind: i32, re: usize, im: usize, span: i32, tw: usize, u0: i32, u1: i32): void {
  const lanes = 16 / <i32>sizeof<T>();
  const perGroup = span / lanes;
  const radix: usize = kind < 2 ? 2 : 4;
  const sb = <usize>span * <usize>sizeof<T>();
  const twStep: usize = kind < 2 ? 32 : 96;
  let g = u0 / perGroup;
  let j = u0 - g * perGroup;
  let u = u0;
  while (u < u1) {
    let count = perGroup - j;
    if (u1 - u < count) count = u1 - u;
    const offset = <usize>g * radix * sb + (<usize>j << 4);
    let pr = re + offset;
    let pi = im + offset;
    let t = tw + <usize>j * twStep;
    const end = pr + (<usize>count << 4);
    if (kind == 0) {
      for (; pr < end; pr += 16, pi += 16, t += 32) radix2DifColumn<T>(pr, pi, sb, t);
    } else if (kind == 1) {
      for (; pr < end; pr += 16, pi += 16, t += 32) radix2DitColumn<T>(pr, pi, sb, t);
    } else if (kind == 2) {
      for (; pr < end; pr += 16, pi += 16, t += 96) radix4DifColumn<T>(pr, pi, sb, t);
    } else {
      for (; pr < end; pr += 16, pi += 16, t += 96) radix4DitColumn<T>(pr, pi, sb, t);
    }
    u += count;
    g++;
    j = 0;
  }
}

// Forward FFT of the pair spectrum of two real partitions (re, im) scaled by 1/n.
@inline
function fdlSpectrum<T>(re: usize, im: usize, tw: usize, n: i32): void {
  fftForward<T>(re, im, tw, n);
  const scale = v128.splat<T>(<T>(1.0 / <f64>n));
  const end = re + <usize>n * <usize>sizeof<T>();
  let pi = im;
  for (let pr = re; pr < end; pr += 16, pi += 16) {
    v128.store(pr, v128.mul<T>(v128.load(pr), scale));
    v128.store(pi, v128.mul<T>(v128.load(pi), scale));
  }
}

// Bins [k0, k1) of Y (+)= sum over q < pairs of X[slot newest - 2q] * G[q]. X slots are
// `slotBytes` apart in a ring of `slots`; each slot and each G pair holds re[n], im[n].
@inline
function fdlMac<T>(
  yRe: usize, x: usize, slotBytes: i32, slots: i32, newest: i32, g: usize, pairs: i32,
  n: i32, k0: i32, k1: i32, overwrite: bool,
): void {
  const bytes = <usize>sizeof<T>();
  const half = <usize>n * bytes;
  const yIm = yRe + half;
  const first = <usize>k0 * bytes;
  const last = <usize>k1 * bytes;
  if (overwrite) {
    memory.fill(yRe + first, 0, last - first);
    memory.fill(yIm + first, 0, last - first);
  }
  let s = newest;
  let gp = g;
  for (let q = 0; q < pairs; q++) {
    const xp = x + <usize>s * <usize>slotBytes;
    for (let o = first; o < last; o += 16) {
      const xr = v128.load(xp + o);
      const xi = v128.load(xp + half + o);
      const gr = v128.load(gp + o);
      const gi = v128.load(gp + half + o);
      const pr = yRe + o;
      const pi = yIm + o;
      v128.store(pr, v128.add<T>(v128.load(pr), v128.sub<T>(v128.mul<T>(xr, gr), v128.mul<T>(xi, gi))));
      v128.store(pi, v128.add<T>(v128.load(pi), v128.add<T>(v128.mul<T>(xr, gi), v128.mul<T>(xi, gr))));
    }
    s -= 2;
    if (s < 0) s += slots;
    gp += 2 * half;
  }
}

// dst[i] += src[i] for i < count (any alignment).
@inline
function fdlAdd<T>(dst: usize, src: usize, count: i32): void {
  const bytes = <usize>sizeof<T>();
  const end = <usize>count * bytes;
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) {
    v128.store(dst + o, v128.add<T>(v128.load(dst + o), v128.load(src + o)));
  }
  for (; o < end; o += bytes) store<T>(dst + o, load<T>(dst + o) + load<T>(src + o));
}

// Elements [e0, e1) of a delay-line slot from the input block at src (half real
// samples, half zeros): re[e] = e < half ? src[e] : 0, im[e] = 0. re and im are n apart.
@inline
function fdlLoad<T>(re: usize, src: usize, n: i32, e0: i32, e1: i32): void {
  const bytes = <usize>sizeof<T>();
  const half = n >> 1;
  const copyEnd = e1 < half ? e1 : half;
  if (e0 < copyEnd) {
    memory.copy(re + <usize>e0 * bytes, src + <usize>e0 * bytes, <usize>(copyEnd - e0) * bytes);
  }
  const zeroStart = e0 > half ? e0 : half;
  if (zeroStart < e1) memory.fill(re + <usize>zeroStart * bytes, 0, <usize>(e1 - zeroStart) * bytes);
  memory.fill(re + <usize>(n + e0) * bytes, 0, <usize>(e1 - e0) * bytes);
}

// y[i] = acc[i], then acc[i] = 0, for i < count: the partitions' part of the outputs.
@inline
function fdlTake<T>(y: usize, acc: usize, count: i32): void {
  const bytes = <usize>(count * sizeof<T>());
  memory.copy(y, acc, bytes);
  memory.fill(acc, 0, bytes);
}

// Direct head: y[i] += sum_{j < taps} hr[j] * xh[i + j] for i < count rounded up to
// whole vectors (y and xh must be readable that far). hr is the head reversed.
@inline
function fdlDirect<T>(y: usize, xh: usize, hr: usize, count: i32, taps: i32): void {
  const bytes = <usize>sizeof<T>();
  const lanes = 16 / <i32>sizeof<T>();
  const stop = (count + lanes - 1) / lanes * lanes;
  const tapEnd = hr + <usize>taps * bytes;
  let i = 0;
  for (; i + 4 * lanes <= stop; i += 4 * lanes) {
    const py = y + <usize>i * bytes;
    let a0 = v128.load(py);
    let a1 = v128.load(py, 16);
    let a2 = v128.load(py, 32);
    let a3 = v128.load(py, 48);
    let px = xh + <usize>i * bytes;
    for (let ph = hr; ph < tapEnd; ph += bytes, px += bytes) {
      const w = v128.splat<T>(load<T>(ph));
      a0 = v128.add<T>(a0, v128.mul<T>(w, v128.load(px)));
      a1 = v128.add<T>(a1, v128.mul<T>(w, v128.load(px, 16)));
      a2 = v128.add<T>(a2, v128.mul<T>(w, v128.load(px, 32)));
      a3 = v128.add<T>(a3, v128.mul<T>(w, v128.load(px, 48)));
    }
    v128.store(py, a0);
    v128.store(py, a1, 16);
    v128.store(py, a2, 32);
    v128.store(py, a3, 48);
  }
  for (; i < stop; i += lanes) {
    const py = y + <usize>i * bytes;
    let a = v128.load(py);
    let px = xh + <usize>i * bytes;
    for (let ph = hr; ph < tapEnd; ph += bytes, px += bytes) {
      a = v128.add<T>(a, v128.mul<T>(v128.splat<T>(load<T>(ph)), v128.load(px)));
    }
    v128.store(py, a);
  }
}

// The f32 direct head with float64 sums: per 8 outputs, four f64x2 accumulators fed
// with exactly widened products, rounded to f32 once (with y's value) at the end.
@inline
function fdlDirectWideF32(y: usize, xh: usize, hr: usize, count: i32, taps: i32): void {
  const tapEnd = hr + <usize>taps * 4;
  for (let i = 0; i < count; i += 8) {
    const py = y + (<usize>i << 2);
    const y0 = v128.load(py);
    const y1 = v128.load(py, 16);
    let a0 = f64x2.promote_low_f32x4(y0);
    let a1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(y0, y0, 2, 3, 0, 1));
    let a2 = f64x2.promote_low_f32x4(y1);
    let a3 = f64x2.promote_low_f32x4(v128.shuffle<f32>(y1, y1, 2, 3, 0, 1));
    let px = xh + (<usize>i << 2);
    for (let ph = hr; ph < tapEnd; ph += 4, px += 4) {
      const w = f64x2.splat(<f64>load<f32>(ph));
      const x0 = v128.load(px);
      const x1 = v128.load(px, 16);
      a0 = f64x2.add(a0, f64x2.mul(w, f64x2.promote_low_f32x4(x0)));
      a1 = f64x2.add(a1, f64x2.mul(w, f64x2.promote_low_f32x4(v128.shuffle<f32>(x0, x0, 2, 3, 0, 1))));
      a2 = f64x2.add(a2, f64x2.mul(w, f64x2.promote_low_f32x4(x1)));
      a3 = f64x2.add(a3, f64x2.mul(w, f64x2.promote_low_f32x4(v128.shuffle<f32>(x1, x1, 2, 3, 0, 1))));
    }
    v128.store(py, v128.shuffle<f32>(f32x4.demote_f64x2_zero(a0), f32x4.demote_f64x2_zero(a1), 0, 1, 4, 5));
    v128.store(py, v128.shuffle<f32>(f32x4.demote_f64x2_zero(a2), f32x4.demote_f64x2_zero(a3), 0, 1, 4, 5), 16);
  }
}

/** Twiddle table (twiddleCount(n) elements) of a size-n complex FFT, f32. */
export function fdlTwiddlesF32(tw: usize, n: i32): void {
  fillTwiddles<f32>(tw, n);
}
/** Twiddle table (twiddleCount(n) elements) of a size-n complex FFT, f64. */
export function fdlTwiddlesF64(tw: usize, n: i32): void {
  fillTwiddles<f64>(tw, n);
}
/** Columns [u0, u1) of one radix pass (kind 0-3, see fdlPass), f32. */
export function fdlPassF32(kind: i32, re: usize, im: usize, span: i32, tw: usize, u0: i32, u1: i32): void {
  fdlPass<f32>(kind, re, im, span, tw, u0, u1);
}
/** Columns [u0, u1) of one radix pass (kind 0-3, see fdlPass), f64. */
export function fdlPassF64(kind: i32, re: usize, im: usize, span: i32, tw: usize, u0: i32, u1: i32): void {
  fdlPass<f64>(kind, re, im, span, tw, u0, u1);
}
/** The last two DIF stages (inverse 0) or first two DIT stages (inverse 1) of count elements, f32. */
export function fdlFinalF32(inverse: i32, re: usize, im: usize, count: i32): void {
  if (inverse != 0) finalDit<f32>(re, im, count);
  else finalDif<f32>(re, im, count);
}
/** The last two DIF stages (inverse 0) or first two DIT stages (inverse 1) of count elements, f64. */
export function fdlFinalF64(inverse: i32, re: usize, im: usize, count: i32): void {
  if (inverse != 0) finalDit<f64>(re, im, count);
  else finalDif<f64>(re, im, count);
}
/** Scaled forward transform of a partition pair held in (re, im), f32. */
export function fdlSpectrumF32(re: usize, im: usize, tw: usize, n: i32): void {
  fdlSpectrum<f32>(re, im, tw, n);
}
/** Scaled forward transform of a partition pair held in (re, im), f64. */
export function fdlSpectrumF64(re: usize, im: usize, tw: usize, n: i32): void {
  fdlSpectrum<f64>(re, im, tw, n);
}
/** Delay-line multiply-accumulate over bins [k0, k1), f32 (see fdlMac). */
export function fdlMacF32(
  y: usize, x: usize, slotBytes: i32, slots: i32, newest: i32, g: usize, pairs: i32,
  n: i32, k0: i32, k1: i32, overwrite: bool,
): void {
  fdlMac<f32>(y, x, slotBytes, slots, newest, g, pairs, n, k0, k1, overwrite);
}
/** Delay-line multiply-accumulate over bins [k0, k1), f64 (see fdlMac). */
export function fdlMacF64(
  y: usize, x: usize, slotBytes: i32, slots: i32, newest: i32, g: usize, pairs: i32,
  n: i32, k0: i32, k1: i32, overwrite: bool,
): void {
  fdlMac<f64>(y, x, slotBytes, slots, newest, g, pairs, n, k0, k1, overwrite);
}
/** Elements [e0, e1) of a delay-line slot loaded from an input block, f32 (see fdlLoad). */
export function fdlLoadF32(re: usize, src: usize, n: i32, e0: i32, e1: i32): void {
  fdlLoad<f32>(re, src, n, e0, e1);
}
/** Elements [e0, e1) of a delay-line slot loaded from an input block, f64 (see fdlLoad). */
export function fdlLoadF64(re: usize, src: usize, n: i32, e0: i32, e1: i32): void {
  fdlLoad<f64>(re, src, n, e0, e1);
}
/** dst += src over count elements, f32. */
export function fdlAddF32(dst: usize, src: usize, count: i32): void {
  fdlAdd<f32>(dst, src, count);
}
/** dst += src over count elements, f64. */
export function fdlAddF64(dst: usize, src: usize, count: i32): void {
  fdlAdd<f64>(dst, src, count);
}
/** y = acc, acc = 0 over count elements, f32. */
export function fdlTakeF32(y: usize, acc: usize, count: i32): void {
  fdlTake<f32>(y, acc, count);
}
/** y = acc, acc = 0 over count elements, f64. */
export function fdlTakeF64(y: usize, acc: usize, count: i32): void {
  fdlTake<f64>(y, acc, count);
}
/** Direct head y += hr * xh over count outputs (rounded up to 8), f32 with float64 sums. */
export function fdlDirectF32(y: usize, xh: usize, hr: usize, count: i32, taps: i32): void {
  fdlDirectWideF32(y, xh, hr, count, taps);
}
/** Direct head y += hr * xh over count outputs (rounded up to vectors), f64. */
export function fdlDirectF64(y: usize, xh: usize, hr: usize, count: i32, taps: i32): void {
  fdlDirect<f64>(y, xh, hr, count, taps);
}
