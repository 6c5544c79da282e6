import assert from "node:assert/strict";
import { test } from "node:test";
import { createPrior } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { elboDecomposition } from "../../src/metrics/elbo-decomposition.ts";
import { exactExpectations, tinyPosteriors, Z } from "../objectives/tiny-problem.ts";

await initEngine();

const NORMAL = createPrior("normal");

test("dataset ELBO decomposition matches brute-force integration on a tiny problem", async () => {
  const N = 8;
  const { mu, logvar } = tinyPosteriors(N);
  const exact = exactExpectations(mu, logvar);
  const exactMi = exact.logQzGivenX - exact.logQz;
  const exactTc = exact.logQz - exact.logQzProduct;
  const exactDwkl = exact.logQzProduct - exact.logPz;
  const posteriors = {
    count: N,
    latentDim: Z,
    mu: Float32Array.from(mu.flat()),
    logvar: Float32Array.from(logvar.flat()),
  };
  const result = await elboDecomposition(posteriors, { samples: 20_000, seed: 3, prior: NORMAL });
  for (const [name, estimate, truth, se] of [
    ["mi", result.mi, exactMi, result.standardErrors.mi],
    ["tc", result.tc, exactTc, result.standardErrors.tc],
    ["dwkl", result.dwkl, exactDwkl, result.standardErrors.dwkl],
  ] as const) {
    assert.ok(se < 0.05, `${name}: standard error ${se} small enough for the check to bite`);
    assert.ok(
      Math.abs(estimate - truth) < 4 * se + 2e-3,
      `${name}: estimate ${estimate} vs exact ${truth} (se ${se})`,
    );
  }
  // The closed-form KL is exact, and the three terms sum to it (Chen et al. eq. 2).
  let kl = 0;
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < Z; j++) {
      kl += 0.5 * (mu[n][j] ** 2 + Math.exp(logvar[n][j]) - 1 - logvar[n][j]);
    }
  }
  kl /= N;
  assert.ok(Math.abs(result.kl - kl) < 1e-5, `kl ${result.kl} vs ${kl}`);
  const sum = result.mi + result.tc + result.dwkl;
  const seSum = result.standardErrors.mi + result.standardErrors.tc + result.standardErrors.dwkl;
  assert.ok(Math.abs(sum - kl) < 4 * seSum, `mi + tc + dwkl = ${sum} vs KL ${kl}`);
  assert.equal(result.klPerDim.length, Z);
});

test("with a Laplace prior the KL is the closed form against Laplace(0, 1), and the terms sum to it", async () => {
  const N = 8;
  const { mu, logvar } = tinyPosteriors(N);
  const posteriors = {
    count: N,
    latentDim: Z,
    mu: Float32Array.from(mu.flat()),
    logvar: Float32Array.from(logvar.flat()),
  };
  const result = await elboDecomposition(posteriors, {
    samples: 20_000,
    seed: 3,
    prior: createPrior("laplace"),
  });
  assert.equal(result.prior, "laplace");
  assert.equal(result.klEstimator, "closed form");
  // KL(N(m, v) || Laplace(0, 1)) by the midpoint rule, independently of the library.
  const klByQuadrature = (m: number, lv: number) => {
    const sd = Math.exp(lv / 2);
    const cells = 20_000;
    const dx = (16 * sd) / cells;
    let sum = 0;
    for (let i = 0; i < cells; i++) {
      const x = m - 8 * sd + (i + 0.5) * dx;
      const logQ = -0.5 * (Math.log(2 * Math.PI) + lv + ((x - m) / sd) ** 2);
      sum += Math.exp(logQ) * (logQ - (-Math.LN2 - Math.abs(x))) * dx;
    }
    return sum;
  };
  let kl = 0;
  for (let n = 0; n < N; n++)
    for (let j = 0; j < Z; j++) kl += klByQuadrature(mu[n][j], logvar[n][j]);
  kl /= N;
  assert.ok(Math.abs(result.kl - kl) < 1e-4, `kl ${result.kl} vs quadrature ${kl}`);
  const sum = result.mi + result.tc + result.dwkl;
  const seSum = result.standardErrors.mi + result.standardErrors.tc + result.standardErrors.dwkl;
  assert.ok(Math.abs(sum - kl) < 4 * seSum, `mi + tc + dwkl = ${sum} vs KL ${kl}`);
});

test("the decomposition is reproducible from its seed", async () => {
  const { mu, logvar } = tinyPosteriors(6);
  const posteriors = {
    count: 6,
    latentDim: Z,
    mu: Float32Array.from(mu.flat()),
    logvar: Float32Array.from(logvar.flat()),
  };
  const a = await elboDecomposition(posteriors, { samples: 500, seed: 11, prior: NORMAL });
  const b = await elboDecomposition(posteriors, { samples: 500, seed: 11, prior: NORMAL });
  const c = await elboDecomposition(posteriors, { samples: 500, seed: 12, prior: NORMAL });
  assert.deepEqual(a, b);
  assert.notEqual(a.tc, c.tc);
});

test("log q(z) over the dataset does not depend on the chunking (padded last chunk)", async () => {
  const { logAggregatePosterior } = await import(
    "../../src/metrics/dataset-aggregate-posterior.ts"
  );
  const { mu, logvar } = tinyPosteriors(8);
  const posteriors = {
    count: 8,
    latentDim: Z,
    mu: Float32Array.from(mu.flat()),
    logvar: Float32Array.from(logvar.flat()),
  };
  const points = Float32Array.from([0.1, -0.2, 0.3, 1.5, 1.0, -0.5]);
  const whole = await logAggregatePosterior(points, posteriors, 8);
  const chunked = await logAggregatePosterior(points, posteriors, 3);
  for (let i = 0; i < whole.joint.length; i++)
    assert.ok(Math.abs(whole.joint[i] - chunked.joint[i]) < 1e-5);
  for (let i = 0; i < whole.marginal.length; i++)
    assert.ok(Math.abs(whole.marginal[i] - chunked.marginal[i]) < 1e-5);
  // Direct float64 value of log q(z) at the first point.
  let terms = 0;
  for (let n = 0; n < 8; n++) {
    let log = 0;
    for (let j = 0; j < Z; j++) {
      const v = Math.exp(logvar[n][j]);
      log += -0.5 * (Math.log(2 * Math.PI * v) + (points[j] - mu[n][j]) ** 2 / v);
    }
    terms += Math.exp(log);
  }
  assert.ok(Math.abs(whole.joint[0] - Math.log(terms / 8)) < 1e-4);
});
