"""SciPy's float32 convolution error, and the data for convpool's, on the same inputs.

For each case (float32 data, uniform in [0, 1) or standard normal, at the shapes of
bench/f32_accuracy.ts) writes to .tmp/f32_accuracy/: the signal and kernel as raw
little-endian float32 (`<case>.x.f32`, `<case>.h.f32`), the float64 reference (the
full convolution of the same float32 values, by float64 FFT) as `<case>.ref.f64`, and
`scipy.json` with max|y - ref| / (||x||2 ||h||2) for scipy.signal.convolve on the float32
inputs, method "direct" and "fft". bench/f32_accuracy.ts reads these files and prints
convpool's errors next to SciPy's.

    python3 bench/f32_accuracy.py
    node --import tsx bench/f32_accuracy.ts
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


def data(kind, rng, length):
    if kind == "unit":
        return rng.random(length).astype(np.float32)
    return rng.standard_normal(length).astype(np.float32)


def relative_error(y, ref, scale):
    return float(np.max(np.abs(y.astype(np.float64) - ref)) / scale)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261204)
    results = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": {}}
    for kind in ("unit", "normal"):
        for n, m in CASES:
            name = f"{kind}_{n}x{m}"
            x = data(kind, rng, n)
            h = data(kind, rng, m)
            ref = scipy.signal.fftconvolve(x.astype(np.float64), h.astype(np.float64))
            scale = float(np.linalg.norm(x.astype(np.float64)) * np.linalg.norm(h.astype(np.float64)))
            x.tofile(OUT / f"{name}.x.f32")
            h.tofile(OUT / f"{name}.h.f32")
            ref.tofile(OUT / f"{name}.ref.f64")
            row = {}
            for method in ("direct", "fft"):
                if method == "direct" and n * m > DIRECT_LIMIT:
                    continue
                y = scipy.signal.convolve(x, h, method=method)
                assert y.dtype == np.float32, y.dtype
                row[method] = relative_error(y, ref, scale)
            results["cases"][name] = row
            print(name, row, file=sys.stderr)
    (OUT / "scipy.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
