/**
 * active-dims counts the dimensions whose mean KL to the prior reaches the threshold, in the
 * posterior's own family: checked on Gaussian posteriors against the closed-form KL written
 * out here, on the constant code (every posterior the prior: none active), and on Kumaraswamy
 * posteriors against the stick-breaking fixture's reference KL.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalMixture } from "../../src/distributions/normal-mixture.ts";
import { createPrior } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { activeDimsMetric } from "../../src/metrics/active-dims.ts";
import { STICK_BREAKING } from "../distributions/stick-breaking-fixture.ts";

await initEngine();

const N = 50;
const seed = 0;

/** [N, 3] Gaussian posteriors: dim 0 informative, dim 1 exactly the prior, dim 2 nearly. */
function gaussianInput() {
  const codes = new Float32Array(N * 3);
  const logvars = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) {
    codes[i * 3] = -2 + (4 * i) / (N - 1);
    logvars[i * 3] = Math.log(0.01);
    logvars[i * 3 + 2] = Math.log(0.95);
  }
  return { codes: { data: codes, count: N, dims: 3 }, logvars };
}

/** KL(N(μ, σ²) || N(0, 1)). */
const kl = (mu: number, variance: number) => 0.5 * (variance + mu * mu - 1 - Math.log(variance));

test("Gaussian posteriors: the informative dimension is active, the prior-like ones are not; the KLs are the closed form's", async () => {
  const report = await activeDimsMetric.compute(
    { ...gaussianInput(), prior: createPrior("normal") },
    { threshold: 0.01, unitThreshold: 0.01, seed },
  );
  assert.equal(report.values.active, 1);
  // Burda et al.'s count: only dim 0's mean varies, Var of the N-point grid on [-2, 2].
  assert.equal(report.values.activeUnits, 1);
  const gridVariance = (4 ** 2 / 12) * ((N + 1) / (N - 1));
  const variances = report.details?.meanVariance as number[];
  assert.ok(Math.abs(variances[0] - gridVariance) < 1e-5, `${variances[0]} vs ${gridVariance}`);
  assert.deepEqual(variances.slice(1), [0, 0]);
  let dim0 = 0;
  for (let i = 0; i < N; i++) dim0 += kl(-2 + (4 * i) / (N - 1), 0.01) / N;
  const perDim = report.details?.klPerDim as number[];
  assert.ok(Math.abs(perDim[0] - dim0) < 1e-4 * dim0, `${perDim[0]} vs ${dim0}`);
  assert.ok(Math.abs(perDim[1]) < 1e-6);
  assert.ok(Math.abs(perDim[2] - kl(0, 0.95)) < 1e-5 && perDim[2] < 0.01);
  // A threshold below dim 2's KL counts it too.
  const lower = await activeDimsMetric.compute(
    { ...gaussianInput(), prior: createPrior("normal") },
    { threshold: 5e-4, unitThreshold: 0.01, seed },
  );
  assert.equal(lower.values.active, 2);
});

test("Kumaraswamy posteriors (stick-breaking prior): sticks equal to the prior are inactive, the others carry the fixture's KL", async () => {
  const row = STICK_BREAKING.kl.find((r) => r.a === 2 && r.b === 3 && r.beta === 5);
  assert.ok(row);
  const a = new Float32Array(N * 2);
  const b = new Float32Array(N * 2);
  for (let i = 0; i < N; i++) {
    [a[i * 2], b[i * 2]] = [1, 5]; // Kumaraswamy(1, 5) = Beta(1, 5), the prior
    [a[i * 2 + 1], b[i * 2 + 1]] = [row.a, row.b];
  }
  const report = await activeDimsMetric.compute(
    {
      codes: { data: new Float32Array(N * 2), count: N, dims: 2 },
      logvars: new Float32Array(N * 2),
      posterior: { family: "kumaraswamy", params: { a, b } },
      prior: createPrior("stick-breaking"),
    },
    { threshold: 0.01, unitThreshold: 0.01, seed },
  );
  const perDim = report.details?.klPerDim as number[];
  assert.equal(report.values.active, 1);
  assert.ok(Math.abs(perDim[0]) < 1e-4, `${perDim[0]}`);
  assert.ok(
    Math.abs(perDim[1] - row.exact) < 0.02 + 2e-3 * row.exact,
    `${perDim[1]} vs ${row.exact}`,
  );
  assert.equal(report.options.klEstimator, "closed form");
  assert.equal((report.details?.meanStickWeights as number[] | undefined)?.length, 2);
});

test("a learned mixture prior: an unused dimension keeps KL to the mixture marginal (the KL count runs high), Burda's active units do not", async () => {
  // Two components at ±1.5 in each of 3 dimensions; posteriors N(0, 1) in every dimension
  // for every image except dim 0's means, which spread over [-2, 2].
  const prior = {
    ...createPrior("gaussian-mixture"),
    distribution: () =>
      normalMixture({
        logits: np.zeros([2]),
        mu: np.array([
          [-1.5, -1.5, -1.5],
          [1.5, 1.5, 1.5],
        ]),
        logvar: np.zeros([2, 3]),
      }),
  };
  const codes = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) codes[i * 3] = -2 + (4 * i) / (N - 1);
  const report = await activeDimsMetric.compute(
    { codes: { data: codes, count: N, dims: 3 }, logvars: new Float32Array(N * 3), prior },
    { threshold: 0.01, unitThreshold: 0.01, seed },
  );
  const perDim = report.details?.klPerDim as number[];
  assert.ok(perDim[1] > 0.05 && perDim[2] > 0.05, `unused dims' KL ${perDim}`);
  assert.equal(report.values.active, 3);
  assert.equal(report.values.activeUnits, 1);
  assert.equal(report.values.kl, null);
  assert.equal(report.options.klEstimator, "monte carlo");
});
