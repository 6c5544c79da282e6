import assert from "node:assert/strict";
import { test } from "node:test";
import { bernoulliLogLikelihood } from "../../src/distributions/bernoulli.ts";
import { grad, numpy as np } from "../../src/engine/jax.ts";
import { assertClose, softplusRef } from "./reference.ts";

const LOGITS = [-1e4, -200, -30, -3, -1e-3, 0, 1e-3, 3, 30, 200, 1e4, 0.7];
const TARGETS = [1, 0, 1, 0.3, 1, 0, 0.5, 1, 0, 1, 0, 1];

test("Bernoulli log-likelihood sums x·l - softplus(l) over pixels, exact at extreme logits", () => {
  // [2, 2, 3] images: per-example sums over six pixels.
  const got = bernoulliLogLikelihood(
    np.array(LOGITS, { shape: [2, 2, 3] }),
    np.array(TARGETS, { shape: [2, 2, 3] }),
  ).dataSync();
  const perPixel = LOGITS.map((l, i) => TARGETS[i] * l - softplusRef(l));
  const want = [0, 1].map((b) => perPixel.slice(6 * b, 6 * b + 6).reduce((s, v) => s + v, 0));
  assertClose(got, want, 1e-6, 1e-4, "log p(x|l)");
  // Pixelwise extremes, by hand: a confident right answer costs 0, a wrong one |l|.
  const edge = bernoulliLogLikelihood(
    np.array([1e4, 1e4, -1e4, -1e4], { shape: [4, 1] }),
    np.array([1, 0, 0, 1], { shape: [4, 1] }),
  ).dataSync();
  assert.deepEqual([...edge], [0, -1e4, 0, -1e4]);
});

test("Bernoulli log-likelihood equals x log σ(l) + (1-x) log(1-σ(l)) for moderate logits", () => {
  const logits = [-4, -0.5, 0, 0.25, 2, 6];
  const x = [0, 1, 0.5, 1, 0.2, 0];
  const got = bernoulliLogLikelihood(
    np.array(logits, { shape: [6, 1] }),
    np.array(x, { shape: [6, 1] }),
  ).dataSync();
  const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
  const want = logits.map(
    (l, i) => x[i] * Math.log(sigmoid(l)) + (1 - x[i]) * Math.log(1 - sigmoid(l)),
  );
  assertClose(got, want, 1e-5, 1e-6, "direct formula");
});

test("Bernoulli log-likelihood gradient is x - sigmoid(l), finite at extreme logits", () => {
  const g = grad((l: ReturnType<typeof np.array>) =>
    np.sum(bernoulliLogLikelihood(l, np.array(TARGETS, { shape: [1, 12] }))),
  )(np.array(LOGITS, { shape: [1, 12] })).dataSync();
  const want = LOGITS.map((l, i) => TARGETS[i] - 1 / (1 + Math.exp(-l)));
  assertClose(g, want, 1e-5, 1e-6, "d/dl");
});
