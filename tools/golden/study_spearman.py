"""Writes test/study/fixtures/spearman.json: Spearman rank correlations from scipy.stats.spearmanr
for src/study/rank-correlation.ts: continuous data, heavy ties (metric values that saturate at 0),
an anti-correlated pair, a monotone but non-linear pair, and a constant column (NaN).
Run by hand: /usr/bin/python3 tools/golden/study_spearman.py (scipy 1.10.1, numpy 1.24.2)"""
import json
import math
import os

import numpy as np
from scipy.stats import spearmanr

rng = np.random.default_rng(14)
cases = []
x = rng.normal(size=18)
cases.append({"name": "continuous", "x": x, "y": 0.6 * x + rng.normal(size=18)})
cases.append({"name": "ties", "x": np.round(rng.random(20) * 4), "y": np.maximum(0, np.round(rng.normal(size=20), 1))})
cases.append({"name": "anti", "x": np.arange(9.0), "y": -np.arange(9.0) ** 3 + rng.normal(size=9) * 5})
cases.append({"name": "monotone", "x": np.linspace(0.1, 3, 12), "y": np.exp(np.linspace(0.1, 3, 12))})
cases.append({"name": "constant", "x": np.arange(6.0), "y": np.full(6, 2.5)})
out = []
for case in cases:
    rho = spearmanr(case["x"], case["y"]).correlation
    out.append({
        "name": case["name"],
        "x": [float(v) for v in case["x"]],
        "y": [float(v) for v in case["y"]],
        "rho": None if math.isnan(rho) else float(rho),
    })
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "study", "fixtures", "spearman.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump({"scipy": "1.10.1", "cases": out}, f, indent=1)
print("wrote", path, len(out))
