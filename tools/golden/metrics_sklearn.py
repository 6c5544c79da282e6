"""Writes test/metrics/fixtures/linear-svc.json and sap-dci.json: scikit-learn references for
src/metrics/linear-svm.ts, the `sap` metric (disentanglement_lib's sap_score.py) and DCI
(disentanglement_lib's dci.py with GradientBoostingClassifier defaults).

- linear-svc.json: LinearSVC(C=0.01, class_weight="balanced") (sklearn defaults otherwise:
  squared hinge, L2, dual coordinate descent, tol 1e-4, intercept_scaling 1, one-vs-rest) on
  small 1-D and 2-D problems: coef_, intercept_, predictions on test points; and the same model
  solved tightly (tol 1e-12) for the optimum's coefficients.
- sap-dci.json: 2000 rows of 5 discrete factors and 6 code dimensions (noisy, mixed functions of
  the factors; codes rounded to float32, as sklearn's trees see them), a fixed 1400/600 split,
  the SAP score matrix and score, and DCI's importance matrix, disentanglement, completeness and
  train/test informativeness.
Run by hand: /usr/bin/python3 tools/golden/metrics_sklearn.py (sklearn 1.2.1, numpy 1.24)."""
import json
import os

import numpy as np
import scipy.stats
import sklearn
from sklearn import ensemble, svm

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "metrics", "fixtures")


def f32(a):
    """float32 values as the shortest decimal strings that round-trip to them."""
    return [float(repr(np.float32(v))) for v in np.asarray(a, dtype=np.float32).ravel()]


def f64(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def svc(tol=1e-4, max_iter=1000):
    return svm.LinearSVC(C=0.01, class_weight="balanced", tol=tol, max_iter=max_iter, random_state=0)


# (a) LinearSVC on small problems
rng = np.random.RandomState(0)


def blobs(centers, counts, scale, dims):
    xs, ys = [], []
    for c, (m, n) in enumerate(zip(centers, counts)):
        if n == 0:
            continue
        xs.append(np.asarray(m, dtype=np.float64) + scale * rng.randn(n, dims))
        ys.append(np.full(n, c))
    return np.concatenate(xs), np.concatenate(ys)


cases = []


def case(name, centers, counts, scale, dims, test_scale=1.0):
    x, y = blobs(centers, counts, scale, dims)
    x = np.asarray(f32(x), dtype=np.float64).reshape(-1, dims)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    x_test = lo - 0.2 * span + 1.4 * span * rng.rand(300, dims) * test_scale
    x_test = np.asarray(f32(x_test), dtype=np.float64).reshape(-1, dims)
    model = svc().fit(x, y)
    exact = svc(tol=1e-12, max_iter=1_000_000).fit(x, y)
    cases.append({
        "name": name,
        "dims": dims,
        "x": f64(x),
        "y": [int(v) for v in y],
        "classes": [int(v) for v in model.classes_],
        "coef": f64(model.coef_),
        "intercept": f64(model.intercept_),
        "coefExact": f64(exact.coef_),
        "interceptExact": f64(exact.intercept_),
        "xTest": f64(x_test),
        "predicted": [int(v) for v in model.predict(x_test)],
        "predictedExact": [int(v) for v in exact.predict(x_test)],
    })


case("1-D, 2 classes, separable, balanced", [[0.0], [4.0]], [30, 30], 0.5, 1)
case("1-D, 2 classes, overlapping, 80/20", [[0.0], [1.0]], [240, 60], 1.0, 1)
case("1-D, 2 classes, large scale, 10/90", [[0.0], [30.0]], [20, 180], 20.0, 1)
case("1-D, 4 classes, ordered, unbalanced", [[0.0], [1.0], [2.0], [3.0]], [50, 150, 100, 200], 0.6, 1)
case("1-D, 5 labels with label 2 absent", [[0], [1], [2], [3], [4]], [80, 40, 0, 120, 60], 0.5, 1)
case("1-D, 6 classes, 2000 points", [[v] for v in range(6)], [500, 100, 400, 300, 200, 500], 1.0, 1)
case("2-D, 2 classes, not separable", [[0.0, 0.0], [1.0, 0.5]], [120, 80], 1.0, 2)
case("2-D, 4 classes, blobs, unbalanced", [[0, 0], [3, 0], [0, 3], [3, 3]], [40, 160, 80, 120], 0.8, 2)

with open(os.path.join(OUT, "linear-svc.json"), "w") as f:
    json.dump({"sklearn": sklearn.__version__, "cases": cases}, f)

# (b), (c) SAP and DCI on one synthetic set
rng = np.random.RandomState(1)
n = 2000
sizes = [2, 3, 4, 5, 6]
factors = np.stack([rng.randint(s, size=n) for s in sizes], axis=1)  # [n, 5]
v = factors / (np.asarray(sizes) - 1.0)  # in [0, 1]
noise = rng.randn(n, 6)
codes = np.stack([
    v[:, 0] + 0.3 * noise[:, 0],
    0.8 * v[:, 1] + 0.3 * v[:, 2] + 0.1 * noise[:, 1],
    np.sin(3.0 * v[:, 2]) + 0.15 * noise[:, 2],
    (v[:, 3] - 0.5) ** 2 + 0.3 * v[:, 4] + 0.05 * noise[:, 3],
    noise[:, 4],
    2.0 * v[:, 4] - 0.5 * v[:, 0] + 0.2 * noise[:, 5],
], axis=1)
codes = np.asarray(f32(codes), dtype=np.float32).reshape(n, 6)
perm = rng.permutation(n)
train, test = perm[:1400], perm[1400:]

# disentanglement_lib layout: mus [codes, points], ys [factors, points]
mus, ys = codes[train].T.astype(np.float64), factors[train].T
mus_test, ys_test = codes[test].T.astype(np.float64), factors[test].T

# sap_score.compute_score_matrix (continuous_factors=False) and compute_avg_diff_top_two
score = np.zeros([mus.shape[0], ys.shape[0]])
for i in range(mus.shape[0]):
    for j in range(ys.shape[0]):
        classifier = svm.LinearSVC(C=0.01, class_weight="balanced", random_state=0)
        classifier.fit(mus[i, :][:, np.newaxis], ys[j, :])
        pred = classifier.predict(mus_test[i, :][:, np.newaxis])
        score[i, j] = np.mean(pred == ys_test[j, :])
sorted_score = np.sort(score, axis=0)
sap = float(np.mean(sorted_score[-1, :] - sorted_score[-2, :]))

# dci.compute_importance_gbt, disentanglement, completeness
importance = np.zeros([mus.shape[0], ys.shape[0]])
info_train, info_test = [], []
for j in range(ys.shape[0]):
    model = ensemble.GradientBoostingClassifier(random_state=0)
    model.fit(mus.T, ys[j, :])
    importance[:, j] = np.abs(model.feature_importances_)
    info_train.append(np.mean(model.predict(mus.T) == ys[j, :]))
    info_test.append(np.mean(model.predict(mus_test.T) == ys_test[j, :]))
per_code = 1.0 - scipy.stats.entropy(importance.T + 1e-11, base=importance.shape[1])
code_weight = importance.sum(axis=1) / importance.sum()
disentanglement = float(np.sum(per_code * code_weight))
per_factor = 1.0 - scipy.stats.entropy(importance + 1e-11, base=importance.shape[0])
factor_weight = importance.sum(axis=0) / importance.sum()
completeness = float(np.sum(per_factor * factor_weight))

with open(os.path.join(OUT, "sap-dci.json"), "w") as f:
    json.dump({
        "sklearn": sklearn.__version__,
        "count": n,
        "dims": 6,
        "factors": len(sizes),
        "codes": f32(codes),
        "factorValues": [int(x) for x in factors.ravel()],
        "train": [int(i) for i in train],
        "test": [int(i) for i in test],
        "sap": {"score": sap, "scores": score.tolist()},
        "dci": {
            "importance": importance.tolist(),
            "disentanglement": disentanglement,
            "completeness": completeness,
            "informativenessTrain": float(np.mean(info_train)),
            "informativenessTest": float(np.mean(info_test)),
            "perFactorTest": [float(x) for x in info_test],
        },
    }, f)
print("sap", sap)
print("dci", disentanglement, completeness, np.mean(info_train), np.mean(info_test))
