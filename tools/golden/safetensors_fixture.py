"""Python-written safetensors fixtures for test/engine/safetensors.test.ts.

Run by hand:
  /usr/bin/python3 tools/golden/safetensors_fixture.py
      writes test/engine/fixtures/python.safetensors and python.safetensors.json (below);
  python3 tools/golden/safetensors_fixture.py --library [OUT_DIR]
      writes python-library.safetensors with the reference `safetensors` package itself
      (`safetensors.numpy.save_file`), same tensors and metadata. The package is not on
      Debian and PyPI is out of reach here; the committed file was written on a machine that
      has safetensors 0.8.0 installed.

Without --library, this script does NOT use the reference library: it is an independent
minimal writer that follows the published format
(https://github.com/huggingface/safetensors#format) with struct + json + numpy:
  - 8 bytes: unsigned little-endian 64-bit header size N;
  - N bytes: UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
    padded with trailing spaces (0x20) so the byte buffer starts 8-byte aligned;
  - the byte buffer: little-endian, C-order tensor data, offsets relative to its start.
To exercise the reader beyond its own writer's habits, the header lists tensors in sorted name
order with "__metadata__" last and Python's default JSON separators, while the data buffer stores
the tensors in a different order (by descending dtype width, then name, as the reference library
does). The sidecar JSON records each tensor's dtype, shape and raw bytes (hex), and the metadata.
"""
import json
import os
import struct
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "engine", "fixtures")

DTYPE_NAMES = {np.float64: "F64", np.float32: "F32", np.int32: "I32", np.uint8: "U8"}

tensors = {
    # A multi-dim float32 tensor with -0.0, a subnormal, inf and NaN.
    "encoder.w": np.array(
        [[0.5, -1.25, 3.0e38], [-0.0, 1e-40, np.inf], [np.nan, 7.0, -2.5], [0.1, 0.2, 0.3]],
        dtype=np.float32,
    ),
    "encoder.b": np.linspace(-1.0, 1.0, 3, dtype=np.float32),
    "decoder.weights.0": np.array([1 / 3, -2 / 7, 1e-300, 6.02214076e23], dtype=np.float64),
    "counts": np.arange(-4, 4, dtype=np.int32).reshape(2, 2, 2) * 1000003,
    "pixels": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
    "temperature": np.array(0.75, dtype=np.float32),  # a scalar: shape []
    "empty": np.zeros((0, 3), dtype=np.float32),  # zero elements: begin == end
}
metadata = {"format": "python-fixture", "note": "written without the safetensors package"}

if "--library" in sys.argv:
    from safetensors.numpy import save_file

    args = [a for a in sys.argv[1:] if a != "--library"]
    out_dir = args[0] if args else OUT
    path = os.path.join(out_dir, "python-library.safetensors")
    library_metadata = {"format": "python-fixture", "note": "written by the safetensors package"}
    save_file(dict(tensors), path, metadata=library_metadata)
    import safetensors

    print("wrote", os.path.getsize(path), "bytes to", path, "with safetensors", safetensors.__version__)
    sys.exit(0)

storage_order = sorted(tensors, key=lambda n: (-tensors[n].dtype.itemsize, n))
offsets, buffer = {}, b""
for name in storage_order:
    raw = tensors[name].astype(tensors[name].dtype.newbyteorder("<")).tobytes(order="C")
    offsets[name] = [len(buffer), len(buffer) + len(raw)]
    buffer += raw

header = {
    name: {
        "dtype": DTYPE_NAMES[tensors[name].dtype.type],
        "shape": list(tensors[name].shape),
        "data_offsets": offsets[name],
    }
    for name in sorted(tensors)
}
header["__metadata__"] = metadata
header_bytes = json.dumps(header).encode("utf-8")
header_bytes += b" " * ((8 - (8 + len(header_bytes)) % 8) % 8)
blob = struct.pack("<Q", len(header_bytes)) + header_bytes + buffer

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "python.safetensors"), "wb") as f:
    f.write(blob)
expected = {
    "metadata": metadata,
    "tensors": {
        name: {
            "dtype": DTYPE_NAMES[t.dtype.type],
            "shape": list(t.shape),
            "hex": t.astype(t.dtype.newbyteorder("<")).tobytes(order="C").hex(),
        }
        for name, t in tensors.items()
    },
}
with open(os.path.join(OUT, "python.safetensors.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", len(blob), "bytes to", os.path.join(OUT, "python.safetensors"))
