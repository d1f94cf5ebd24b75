"""SciPy and numpy on convpool's benchmark grid, for the side-by-side README table.

Times scipy.signal.convolve (method "auto"), scipy.signal.oaconvolve and
numpy.convolve on the grid of bench/convolve.bench.ts (256x15, 4096x63, 65536x1023,
1048576x4095), float32 inputs, full mode, and writes bench/results/scipy.json with
the median time per call in nanoseconds (same row layout as the mitata results).

    /usr/bin/python3 bench/scipy_side_by_side.py      # Debian's python3-scipy
    node scripts/bench_all.mjs                        # runs it after the JS runtimes

Method: timeit. Each repeat times a loop sized so that it lasts at least 20 ms (one
call for slow cases), and the reported figure is the median over repeats of the
per-call time, like mitata's p50 (one sample there is one call or a batch of calls).
numpy.convolve is a direct sum: it is skipped above 2e8 multiply-adds, as the
direct JavaScript peers are.

BLAS: none of these functions calls BLAS (scipy.signal's FFT paths use pocketfft
through scipy.fft, numpy.convolve uses numpy's own correlate loop), so the
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE variables that some machines set do not change
these numbers; the script records their values in the output anyway.
"""
import json
import os
import pathlib
import platform
import statistics
import sys
import timeit
from datetime import datetime, timezone

import numpy as np
import scipy
import scipy.signal

GRID = [(256, 15), (4096, 63), (65536, 1023), (1048576, 4095)]
DIRECT_LIMIT = 2e8
MIN_REPEAT_SECONDS = 0.02
BUDGET_SECONDS = 2.0
MAX_REPEATS = 200
MIN_REPEATS = 7


def median_ns(fn):
    """Median per-call time of fn in nanoseconds, and the number of repeats."""
    fn()  # warm caches and pocketfft's plan cache, as mitata's warm-up does
    timer = timeit.Timer(fn)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= MIN_REPEAT_SECONDS:
            break
        number *= 2 if elapsed <= 0 else max(2, int(MIN_REPEAT_SECONDS / elapsed * 1.2))
    per_repeat = elapsed
    repeats = int(min(MAX_REPEATS, max(MIN_REPEATS, BUDGET_SECONDS / per_repeat)))
    times = [t / number for t in timer.repeat(repeat=repeats, number=number)]
    return statistics.median(times) * 1e9, min(times) * 1e9, repeats


def main():
    rng = np.random.default_rng(1)
    rows = []
    for n, m in GRID:
        x = rng.uniform(-1, 1, n).astype(np.float32)
        h = rng.uniform(-1, 1, m).astype(np.float32)
        group = f"{n}x{m}"
        cases = [
            ("scipy.signal.convolve auto", lambda: scipy.signal.convolve(x, h, mode="full", method="auto")),
            ("scipy.signal.oaconvolve", lambda: scipy.signal.oaconvolve(x, h, mode="full")),
        ]
        if n * m <= DIRECT_LIMIT:
            cases.append(("numpy.convolve", lambda: np.convolve(x, h, mode="full")))
        chosen = scipy.signal.choose_conv_method(x, h, mode="full")
        for name, fn in cases:
            assert fn().dtype == np.float32, name
            p50, fastest, samples = median_ns(fn)
            rows.append({"group": group, "name": name, "p50": p50, "min": fastest,
                         "samples": samples, **({"method": chosen} if "auto" in name else {})})
            print(f"{group:<14} {name:<28} p50 {p50 / 1e3:12.2f} us", flush=True)
    report = {
        "runtime": f"python {platform.python_version()} ({sys.executable}), "
                   f"scipy {scipy.__version__}, numpy {np.__version__}",
        "date": datetime.now(timezone.utc).isoformat(),
        "cpu": platform.processor() or platform.machine(),
        "dtype": "float32",
        "mode": "full",
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "rows": rows,
    }
    out = pathlib.Path(__file__).resolve().parent / "results" / "scipy.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
