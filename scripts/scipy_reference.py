"""Writes test/fixtures/scipy_reference.json: inputs and scipy.signal outputs.

The TypeScript tests compare convpool against these outputs on every runtime,
so the test suite does not need Python. Re-run after changing the cases:

    python3 scripts/scipy_reference.py
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.signal

SIZES = [(1, 1), (1, 4), (4, 1), (5, 3), (3, 5), (8, 2), (2, 8), (7, 7), (16, 6), (6, 16),
         (100, 15), (15, 100), (257, 64), (64, 257), (1000, 31), (600, 200)]
DTYPES = {"float32": np.float32, "float64": np.float64}


def main():
    rng = np.random.default_rng(20261125)
    cases = []
    for n, m in SIZES:
        for signal_dtype in DTYPES:
            for kernel_dtype in DTYPES:
                if signal_dtype != kernel_dtype and (n, m) not in [(5, 3), (3, 5), (100, 15)]:
                    continue
                x = rng.standard_normal(n).astype(DTYPES[signal_dtype])
                h = rng.standard_normal(m).astype(DTYPES[kernel_dtype])
                for op in ("convolve", "correlate"):
                    fn = getattr(scipy.signal, op)
                    for mode in ("full", "same", "valid"):
                        y = fn(x, h, mode=mode, method="direct")
                        cases.append({
                            "op": op, "mode": mode,
                            "signalType": signal_dtype, "kernelType": kernel_dtype,
                            "signal": [float(v) for v in x], "kernel": [float(v) for v in h],
                            "expected": [float(v) for v in y],
                        })
    out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "scipy_reference.json"
    out.write_text(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}))
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
