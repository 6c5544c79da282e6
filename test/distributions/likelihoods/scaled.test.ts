/**
 * The Gaussian and Laplace likelihoods with a fixed, per-channel or per-pixel scale: values and
 * gradients against torch.distributions.Normal / Laplace in float64 (fixtures by
 * tools/golden/distributions_likelihoods.py), and the learned scales' shapes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gaussian } from "../../../src/distributions/likelihoods/gaussian.ts";
import { laplace } from "../../../src/distributions/likelihoods/laplace.ts";
import type { PixelLikelihood } from "../../../src/distributions/likelihoods/pixel-likelihood.ts";
import { type Array, grad, numpy as np } from "../../../src/engine/jax.ts";
import { assertClose, LOG_2PI } from "../reference.ts";

interface ScaleCase {
  shape: number[];
  mean: number[];
  x: number[];
  logscale: number[];
  logProb: number[];
  gradMean: number[];
  gradLogscale: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/likelihoods.json", import.meta.url), "utf8"),
) as { gaussianPerPixel: ScaleCase; laplacePerPixel: ScaleCase };

const cases: [string, PixelLikelihood, ScaleCase, "logvar" | "logscale"][] = [
  [
    "gaussian",
    gaussian.create({ kind: "gaussian", variance: "learned-pixel" }, [2, 3, 2]),
    fixture.gaussianPerPixel,
    "logvar",
  ],
  [
    "laplace",
    laplace.create({ kind: "laplace", scale: "learned-pixel" }, [2, 3, 2]),
    fixture.laplacePerPixel,
    "logscale",
  ],
];

for (const [name, likelihood, c, key] of cases) {
  test(`${name} with a per-pixel scale matches torch.distributions, values and gradients`, () => {
    const [, h, w, channels] = c.shape;
    const initial = likelihood.init();
    assert.deepEqual(initial[key]?.shape, [h, w, channels], "one log-scale per pixel and channel");
    initial[key]?.dispose();
    const logProb = (mean: Array, logscale: Array) =>
      likelihood.logProb({ [key]: logscale }, mean, np.array(c.x, { shape: c.shape }));
    assertClose(
      logProb(
        np.array(c.mean, { shape: c.shape }),
        np.array(c.logscale, { shape: [h, w, channels] }),
      ).dataSync(),
      c.logProb,
      1e-5,
      1e-4,
      `${name} log p`,
    );
    const [gMean, gScale] = grad(
      (mean: Array, logscale: Array) => np.sum(logProb(mean, logscale)),
      {
        argnums: [0, 1],
      },
    )(np.array(c.mean, { shape: c.shape }), np.array(c.logscale, { shape: [h, w, channels] }));
    assertClose(gMean.dataSync(), c.gradMean, 1e-4, 1e-4, `${name} d/d mean`);
    assertClose(gScale.dataSync(), c.gradLogscale, 1e-4, 1e-4, `${name} d/d log-scale`);
  });
}

test("a fixed Laplace scale b: -Σ (log 2b + |x - loc| / b), by hand", () => {
  const likelihood = laplace.create({ kind: "laplace", scale: 0.25 }, [1, 2, 1]);
  assert.deepEqual(likelihood.init(), {}, "a fixed scale is no parameter");
  const got = likelihood
    .logProb(
      {},
      np.array([0.2, 0.9], { shape: [1, 1, 2, 1] }),
      np.array([0, 1], { shape: [1, 1, 2, 1] }),
    )
    .dataSync();
  const want = -(2 * Math.log(0.5) + (0.2 + 0.1) / 0.25);
  assertClose(got, [want], 1e-6, 1e-6, "fixed b");
});

test("a per-channel learned Gaussian variance keeps its [C] shape and old meaning", () => {
  const likelihood = gaussian.create({ kind: "gaussian", variance: "learned" }, [1, 1, 2]);
  const { logvar } = likelihood.init();
  assert.deepEqual(logvar?.shape, [2]);
  logvar?.dispose();
  const got = likelihood
    .logProb(
      { logvar: np.array([0, Math.log(0.5)]) },
      np.array([0.5, 0.5], { shape: [1, 1, 1, 2] }),
      np.array([0, 1], { shape: [1, 1, 1, 2] }),
    )
    .dataSync();
  const want = -0.5 * (LOG_2PI + 0.25) - 0.5 * (LOG_2PI + Math.log(0.5) + 0.25 / 0.5);
  assertClose(got, [want], 1e-6, 1e-6, "per channel");
  assert.throws(
    () => likelihood.logProb({}, np.zeros([1, 1, 1, 2]), np.zeros([1, 1, 1, 2])),
    /logvar: the scale is learned but the parameters hold no logvar/,
  );
});
