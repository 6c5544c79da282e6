"""Writes test/data/fixtures/resample.json: reference resizes for src/data/resample.ts.
Area downsampling by brute force (repeat every pixel oh x ow times, then average blocks:
exact pixel overlap, as OpenCV INTER_AREA), and
bilinear upsampling from torch.nn.functional.interpolate(align_corners=False).
Run by hand: /usr/bin/python3 tools/golden/data_resample.py"""
import json
import os

import numpy as np
import torch

rng = np.random.default_rng(1)
cases = []
for (h, w, oh, ow) in [(8, 8, 4, 4), (7, 5, 3, 2), (24, 24, 10, 10), (5, 6, 5, 3)]:
    img = rng.random((h, w)).astype(np.float32)
    big = np.repeat(np.repeat(img.astype(np.float64), oh, axis=0), ow, axis=1)  # [h*oh, w*ow]
    out = big.reshape(oh, h, ow, w).mean(axis=(1, 3))
    cases.append({"mode": "area", "in": [h, w], "out": [oh, ow], "src": img.ravel().tolist(), "expected": out.ravel().tolist()})
for (h, w, oh, ow) in [(3, 4, 6, 8), (2, 3, 5, 7), (4, 4, 9, 4)]:
    img = rng.random((h, w)).astype(np.float32)
    t = torch.from_numpy(img)[None, None]
    out = torch.nn.functional.interpolate(t.double(), size=(oh, ow), mode="bilinear", align_corners=False)[0, 0].numpy()
    cases.append({"mode": "bilinear", "in": [h, w], "out": [oh, ow], "src": img.ravel().tolist(), "expected": out.ravel().tolist()})
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "data", "fixtures", "resample.json")
with open(path, "w") as f:
    json.dump({"cases": cases}, f)
print("wrote", path, len(cases))
