/**
 * The perceptual likelihood: at mean = x every Gaussian sits at its mode, so log p̃ is the closed
 * form -½ Σ_terms N (log 2π + log σ²) over the pixel term and each feature map; the feature net
 * is fixed by its seed, holds no parameter, and passes gradients to the mean (checked against
 * central differences).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { perceptual } from "../../../src/distributions/likelihoods/perceptual.ts";
import { FEATURE_CHANNELS } from "../../../src/distributions/likelihoods/random-conv-features.ts";
import { type Array, grad, numpy as np } from "../../../src/engine/jax.ts";
import { LOG_2PI } from "../reference.ts";

const SHAPE = [2, 8, 8, 3] as const;
const image = (seed: number) =>
  Float32Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => (Math.sin(i * 0.37 + seed) + 1) / 2);
const config = (pixelVariance: number | "none", featureSeed = 0) =>
  perceptual.config({ featureVariance: 0.2, pixelVariance, featureSeed });

function logProb(pixelVariance: number | "none", mean: Float32Array, x: Float32Array, seed = 0) {
  const likelihood = perceptual.create(config(pixelVariance, seed), [8, 8, 3]);
  return likelihood
    .logProb({}, np.array(mean, { shape: [...SHAPE] }), np.array(x, { shape: [...SHAPE] }))
    .dataSync();
}

test("at mean = x each term is its Gaussian's mode: -½ N (log 2π + log σ²)", () => {
  const mode = (count: number, variance: number) => -0.5 * count * (LOG_2PI + Math.log(variance));
  // Two k4/s2/p1 stages: 4x4 maps of 16 channels, then 2x2 of 32.
  const features = mode(4 * 4 * FEATURE_CHANNELS[0], 0.2) + mode(2 * 2 * FEATURE_CHANNELS[1], 0.2);
  const x = image(1);
  for (const [pixelVariance, want] of [
    [0.1, features + mode(8 * 8 * 3, 0.1)],
    ["none", features],
  ] as const) {
    const got = logProb(pixelVariance, x, x);
    for (const v of got) assert.ok(Math.abs(v - want) < 1e-3 * Math.abs(want), `${v} vs ${want}`);
    const away = logProb(pixelVariance, image(2), x);
    for (const v of away) assert.ok(v < want - 1, `a mean away from x scores lower: ${v}`);
  }
});

test("the features are fixed by their seed and hold no parameter", () => {
  const likelihood = perceptual.create(config("none"), [8, 8, 3]);
  assert.deepEqual(likelihood.init(), {}, "nothing to train");
  const [a, b] = [image(3), image(4)];
  assert.deepEqual(logProb("none", a, b), logProb("none", a, b), "same seed, same value");
  assert.notDeepEqual(
    logProb("none", a, b, 0),
    logProb("none", a, b, 1),
    "another seed, another net",
  );
});

test("its gradient in the mean matches central differences", () => {
  const x = image(5);
  const mean = image(6);
  const likelihood = perceptual.create(config(0.1), [8, 8, 3]);
  const f = (m: Array) => np.sum(likelihood.logProb({}, m, np.array(x, { shape: [...SHAPE] })));
  const g = grad(f)(np.array(mean, { shape: [...SHAPE] })).dataSync();
  const h = 1e-2;
  for (const i of [0, 17, 100, 250, 383]) {
    const plus = Float32Array.from(mean);
    const minus = Float32Array.from(mean);
    plus[i] += h;
    minus[i] -= h;
    const numeric =
      (f(np.array(plus, { shape: [...SHAPE] })).dataSync()[0] -
        f(np.array(minus, { shape: [...SHAPE] })).dataSync()[0]) /
      (2 * h);
    assert.ok(
      Math.abs(g[i] - numeric) < 0.02 * Math.abs(numeric) + 0.05,
      `d/d mean[${i}]: ${g[i]} vs central difference ${numeric}`,
    );
  }
});
