"""Writes test/data/fixtures/npy.json: .npy files saved by numpy itself (base64) with their
values, as an independent reference for src/data/formats/npy.ts. Run by hand:
/usr/bin/python3 tools/golden/data_npy.py"""
import base64
import io
import json
import os

import numpy as np

cases = []


def add(name, array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, array, version=version)
    cases.append(
        {
            "name": name,
            "bytes": base64.b64encode(buf.getvalue()).decode(),
            "dtype": array.dtype.name,
            "shape": list(array.shape),
            "fortranOrder": bool(array.flags.f_contiguous and not array.flags.c_contiguous),
            # values in storage order (C order unless Fortran)
            "values": [float(v) if np.isfinite(v) else str(v) for v in np.asarray(array).ravel(order="K").astype(np.float64)],
        }
    )


rng = np.random.default_rng(0)
add("float32 2x3", rng.standard_normal((2, 3)).astype("<f4"))
add("float64 big-endian", rng.standard_normal((4,)).astype(">f8"))
add("int64 latents", np.array([[0, 2, 5], [1, 39, 31]], dtype="<i8"))
add("uint8 3d", rng.integers(0, 256, (2, 2, 3)).astype(np.uint8))
add("bool", np.array([True, False, True]))
add("int16 big-endian", np.array([-300, 7, 32767], dtype=">i2"))
add("uint32", np.array([4000000000, 1], dtype="<u4"))
add("float16", np.array([0.5, -2.0, 65504.0, 6e-8], dtype="<f2"))
add("scalar", np.array(3.25, dtype="<f8"))
add("empty", np.zeros((0, 4), dtype="<f4"))
add("fortran", np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3)))
add("version 2", np.arange(5, dtype="<f4"), version=(2, 0))
add("int8", np.array([-128, 0, 127], dtype="i1"))

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "data", "fixtures", "npy.json")
with open(out, "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
print("wrote", out, len(cases), "cases")
