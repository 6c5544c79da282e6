import assert from "node:assert/strict";
import { test } from "node:test";
import { gaussianLogLikelihood } from "../../src/distributions/gaussian-likelihood.ts";
import { grad, numpy as np } from "../../src/engine/jax.ts";
import { assertClose, LOG_2PI, logNormal } from "./reference.ts";

// Two 1x2 images with 2 channels (NHWC), flattened.
const MEAN = [0.1, 0.9, 0.4, 0.2, 0.5, 0.5, 1, 0];
const X = [0, 1, 0.5, 0.3, 0.2, 0.9, 1, 0.1];
const SHAPE = [2, 1, 2, 2];

test("Gaussian likelihood with fixed variance sums log N(x; mean, σ²) over pixels", () => {
  const lv = Math.log(0.1);
  const got = gaussianLogLikelihood(
    np.array(MEAN, { shape: SHAPE }),
    np.array(X, { shape: SHAPE }),
    lv,
  );
  const per = X.map((x, i) => logNormal(x, MEAN[i], lv));
  assertClose(
    got.dataSync(),
    [0, 1].map((b) => per.slice(4 * b, 4 * b + 4).reduce((s, v) => s + v)),
    1e-6,
    1e-5,
    "σ² = 0.1",
  );
  // σ² = 1: -0.5 Σ ((x - m)² + log 2π), by hand for the first image.
  const unit = gaussianLogLikelihood(
    np.array(MEAN, { shape: SHAPE }),
    np.array(X, { shape: SHAPE }),
    0,
  ).dataSync();
  const sq = [0.01, 0.01, 0.01, 0.01].reduce((s, v) => s + v);
  assert.ok(Math.abs(unit[0] - -0.5 * (sq + 4 * LOG_2PI)) < 1e-5);
  assert.throws(
    () => gaussianLogLikelihood(np.array([0]), np.array([0]), Number.NaN),
    /logvar is NaN/,
  );
});

test("Gaussian likelihood with a learned per-channel log-variance, and its gradient", () => {
  const lv = [-1, 0.5];
  const f = (logvar: ReturnType<typeof np.array>) =>
    gaussianLogLikelihood(np.array(MEAN, { shape: SHAPE }), np.array(X, { shape: SHAPE }), logvar);
  const per = X.map((x, i) => logNormal(x, MEAN[i], lv[i % 2]));
  assertClose(
    f(np.array(lv)).dataSync(),
    [0, 1].map((b) => per.slice(4 * b, 4 * b + 4).reduce((s, v) => s + v)),
    1e-6,
    1e-5,
    "learned",
  );
  // d/dlv of Σ -0.5 (lv + r² e^{-lv}) = Σ -0.5 (1 - r² e^{-lv}) per channel.
  const g = grad((logvar: ReturnType<typeof np.array>) => np.sum(f(logvar)))(
    np.array(lv),
  ).dataSync();
  const want = [0, 1].map((c) =>
    X.reduce(
      (s, x, i) => (i % 2 === c ? s - 0.5 * (1 - (x - MEAN[i]) ** 2 * Math.exp(-lv[c])) : s),
      0,
    ),
  );
  assertClose(g, want, 1e-5, 1e-6, "d/dlogvar");
});
