"""SciPy's float32 convolution error, and the data for convpool's, on the same inputs.

For each case (float32 data: uniform in [0, 1) and in [-1, 1) from the mulberry32
generator of test/helpers/reference.ts, seeds 11 for the signal and 12 for the
kernel, so test/wasm_kernels_accuracy.test.ts checks these very arrays; and standard
normal from numpy) writes to .tmp/f32_accuracy/: the signal and kernel as raw
little-endian float32 (`<case>.x.f32`, `<case>.h.f32`), the float64 reference (the
full convolution of the same float32 values, by float64 FFT) as `<case>.ref.f64`, and
`scipy.json` with max|y - ref| / (||x||2 ||h||2) for scipy.signal.convolve on the float32
inputs, methods "direct", "fft" and "auto" (and which one "auto" picks). bench/f32_accuracy.ts reads these files and prints
convpool's errors next to SciPy's.

    python3 bench/f32_accuracy.py
    node --import tsx bench/f32_accuracy.ts

With --draws, the same comparison over DRAWS random draws of every shape in
DRAW_SHAPES (uniform in [-1, 1) and standard normal, numpy's generator), to
.tmp/f32_accuracy/draws/: SciPy's max and root-mean-square errors for "fft" and
"auto" per draw. One draw's largest error is a noisy figure; the draws show how it
and the rms error spread.

    python3 bench/f32_accuracy.py --draws
    node --import tsx bench/f32_accuracy.ts --draws
"""
import json
import pathlib
import sys

import numpy as np
import scipy
import scipy.signal

CASES = [(256, 15), (4096, 63), (9916, 9916), (20000, 100000)]
DIRECT_LIMIT = 3e9  # multiply-adds; every case above is below it
OUT = pathlib.Path(__file__).resolve().parent.parent / ".tmp" / "f32_accuracy"
DRAW_SHAPES = [(256, 15), (4096, 63), (4096, 511), (4096, 2047), (16384, 8191), (65536, 1023),
               (65536, 32767), (100000, 300)]
DRAWS = 10


def mulberry32(length, seed):
    """randomSignal(Float32Array, length, seed) of test/helpers/reference.ts: [-1, 1)."""
    out = np.empty(length, dtype=np.float32)
    state = seed & 0xFFFFFFFF
    mask = 0xFFFFFFFF
    for i in range(length):
        state = (state + 0x6D2B79F5) & mask
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & mask
        t = (t ^ (t + (((t ^ (t >> 7)) * (t | 61)) & mask))) & mask
        out[i] = ((t ^ (t >> 14)) & mask) / 4294967296 * 2 - 1
    return out


def data(kind, rng, length, seed):
    if kind == "unit":  # unitSignal of the test: (v + 1) / 2 in float64, stored as float32
        return ((mulberry32(length, seed).astype(np.float64) + 1) / 2).astype(np.float32)
    if kind == "signed":
        return mulberry32(length, seed)
    return rng.standard_normal(length).astype(np.float32)


def relative_error(y, ref, scale):
    return float(np.max(np.abs(y.astype(np.float64) - ref)) / scale)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261204)
    results = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": {}}
    for kind in ("unit", "signed", "normal"):
        for n, m in CASES:
            name = f"{kind}_{n}x{m}"
            x = data(kind, rng, n, 11)
            h = data(kind, rng, m, 12)
            ref = scipy.signal.fftconvolve(x.astype(np.float64), h.astype(np.float64))
            scale = float(np.linalg.norm(x.astype(np.float64)) * np.linalg.norm(h.astype(np.float64)))
            x.tofile(OUT / f"{name}.x.f32")
            h.tofile(OUT / f"{name}.h.f32")
            ref.tofile(OUT / f"{name}.ref.f64")
            row = {}
            row["auto_picks"] = scipy.signal.choose_conv_method(x, h)
            for method in ("direct", "fft", "auto"):
                if method == "direct" and n * m > DIRECT_LIMIT:
                    continue
                y = scipy.signal.convolve(x, h, method=method)
                assert y.dtype == np.float32, y.dtype
                row[method] = relative_error(y, ref, scale)
            results["cases"][name] = row
            print(name, row, file=sys.stderr)
    (OUT / "scipy.json").write_text(json.dumps(results, indent=1))


def errors(y, ref, scale):
    """max |y - ref| and rms(y - ref), both over ||x||2 ||h||2."""
    e = y.astype(np.float64) - ref
    return float(np.max(np.abs(e)) / scale), float(np.sqrt(np.mean(e * e)) / scale)


def draws():
    out = OUT / "draws"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261205)
    results = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": {}}
    for kind in ("signed", "normal"):
        for n, m in DRAW_SHAPES:
            for draw in range(DRAWS):
                if kind == "signed":
                    x = rng.uniform(-1, 1, n).astype(np.float32)
                    h = rng.uniform(-1, 1, m).astype(np.float32)
                else:
                    x = rng.standard_normal(n).astype(np.float32)
                    h = rng.standard_normal(m).astype(np.float32)
                name = f"{kind}_{n}x{m}_{draw}"
                ref = scipy.signal.fftconvolve(x.astype(np.float64), h.astype(np.float64))
                scale = float(np.linalg.norm(x.astype(np.float64)) * np.linalg.norm(h.astype(np.float64)))
                x.tofile(out / f"{name}.x.f32")
                h.tofile(out / f"{name}.h.f32")
                ref.tofile(out / f"{name}.ref.f64")
                row = {"shape": f"{kind} {n}x{m}", "auto_picks": scipy.signal.choose_conv_method(x, h)}
                for method in ("fft", "auto"):
                    row[method], row[method + "_rms"] = errors(
                        scipy.signal.convolve(x, h, method=method), ref, scale)
                results["cases"][name] = row
    (out / "scipy.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    if "--draws" in sys.argv:
        draws()
    else:
        main()
