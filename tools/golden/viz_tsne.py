"""Writes test/viz/fixtures/tsne.json: scikit-learn references for src/viz/tsne.ts and
src/viz/trustworthiness.ts.

- points: 300 rows in 10-D, five Gaussian clusters of different spreads and sizes (seeded),
  rounded to float32 so both sides read the same numbers.
- affinities: for a few rows, sklearn's conditional P (`_binary_search_perplexity` on the
  float32 squared distances, perplexity 30) and every row sum of the joint P
  (`_joint_probabilities`, condensed form expanded to a square matrix).
- tsne: TSNE(n_components=2, perplexity=30, early_exaggeration=12, learning_rate="auto",
  n_iter/max_iter=1000, init="pca", method="exact", random_state=0): final `kl_divergence_`,
  `n_iter_`, and trustworthiness(points, embedding, n_neighbors=5) of its embedding.
- trustworthiness: sklearn.manifold.trustworthiness of fixed embeddings (sklearn's t-SNE
  embedding, a PCA projection, seeded Gaussian noise, a one-cluster-per-corner embedding)
  at n_neighbors 5 and 12, embeddings included.
Run by hand: /usr/bin/python3 tools/golden/viz_tsne.py (sklearn 1.2.1, numpy 1.24)."""
import inspect
import json
import os

import numpy as np
import sklearn
from sklearn.manifold import TSNE, _t_sne, _utils, trustworthiness
from sklearn.metrics import pairwise_distances

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "viz", "fixtures")


def f32(a):
    """float32 values as the shortest decimal strings that round-trip to them."""
    return [float(repr(np.float32(v))) for v in np.asarray(a, dtype=np.float32).ravel()]


def f64(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


rng = np.random.RandomState(0)
DIMS = 10
sizes = [80, 70, 60, 50, 40]
spreads = [1.0, 0.5, 1.5, 0.8, 1.2]
centers = rng.randn(len(sizes), DIMS) * 4.0
x = np.concatenate(
    [c + s * rng.randn(n, DIMS) for c, s, n in zip(centers, spreads, sizes)]
)
labels = np.concatenate([np.full(n, k) for k, n in enumerate(sizes)])
order = rng.permutation(len(x))
x, labels = x[order], labels[order]
x = np.asarray(f32(x), dtype=np.float32).reshape(-1, DIMS)
n = len(x)

# Input affinities exactly as TSNE(method="exact") builds them.
PERPLEXITY = 30.0
distances = pairwise_distances(x, metric="euclidean", squared=True)
conditional = _utils._binary_search_perplexity(
    distances.astype(np.float32, copy=False), PERPLEXITY, 0
)
joint = _t_sne._joint_probabilities(distances, PERPLEXITY, 0)
joint_square = _t_sne.squareform(joint)
rows = [0, 1, 17, 150, 299]

params = dict(
    n_components=2,
    perplexity=PERPLEXITY,
    early_exaggeration=12.0,
    learning_rate="auto",
    init="pca",
    method="exact",
    random_state=0,
)
iter_name = "max_iter" if "max_iter" in inspect.signature(TSNE).parameters else "n_iter"
params[iter_name] = 1000
model = TSNE(**params)
embedding = model.fit_transform(x)

pca = x @ np.linalg.svd(x - x.mean(0), full_matrices=False)[2][:2].T
noise = np.random.RandomState(1).randn(n, 2)
corners = np.array([[0, 0], [10, 0], [0, 10], [10, 10], [5, 5]])[labels] + 0.3 * np.random.RandomState(2).randn(n, 2)
fixed = {"tsne": embedding, "pca": pca, "noise": noise, "corners": corners}
trust = []
for name, emb in fixed.items():
    emb = np.asarray(f32(emb), dtype=np.float64).reshape(-1, 2)
    for k in (5, 12):
        trust.append(
            {"embedding": name, "nNeighbors": k, "value": float(trustworthiness(x, emb, n_neighbors=k))}
        )

fixture = {
    "sklearn": sklearn.__version__,
    "n": n,
    "dims": DIMS,
    "points": f32(x),
    "labels": [int(v) for v in labels],
    "perplexity": PERPLEXITY,
    "affinities": {
        "rows": rows,
        "conditional": [f64(conditional[r]) for r in rows],
        "jointRowSums": f64(joint_square.sum(1)),
        "jointRows": [f64(joint_square[r]) for r in rows[:2]],
    },
    "tsne": {
        "params": {k: v for k, v in params.items()},
        "kl": float(model.kl_divergence_),
        "nIter": int(model.n_iter_),
        "learningRate": float(model.learning_rate_),
        "trustworthiness5": float(trustworthiness(x, embedding, n_neighbors=5)),
    },
    "embeddings": {name: f32(emb) for name, emb in fixed.items()},
    "trustworthiness": trust,
}
os.makedirs(OUT, exist_ok=True)
path = os.path.join(OUT, "tsne.json")
with open(path, "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
print(path, os.path.getsize(path), "bytes; kl", model.kl_divergence_, "n_iter", model.n_iter_, fixture["tsne"]["trustworthiness5"])
