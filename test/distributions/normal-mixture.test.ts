import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import { klDivergence } from "../../src/distributions/kl.ts";
import { normalMixture } from "../../src/distributions/normal-mixture.ts";
import { jit, numpy as np, vmap } from "../../src/engine/jax.ts";
import { foldIn, keyFromSeed } from "../../src/engine/prng.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";
import { integrate, normal1d, quadratureGrid } from "./prior-divergences/reference.ts";
import { assertClose, logNormal, logSumExp, meanAndStandardError } from "./reference.ts";

// Three components over two dimensions, unequal weights, one narrow component.
const LOGITS = [0.3, -0.7, 1.1];
const MU = [
  [-1.5, 0.5],
  [2, -1],
  [0.25, 1.75],
];
const LOGVAR = [
  [0, -0.5],
  [-2, 0.4],
  [0.6, -1.2],
];
const WEIGHTS = (() => {
  const e = LOGITS.map(Math.exp);
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
})();

// Run only in the native pass (NATIVE_PASS_ONLY): the integration checks run once, in the
// native pass: the densities they integrate are checked against the formula on both devices
// (the first test).

const mixture = (joint = true) =>
  normalMixture({ logits: np.array(LOGITS), mu: np.array(MU), logvar: np.array(LOGVAR) }, joint);

/** log p(z) in float64, from the formula. */
const logJoint = (z: number[]) =>
  logSumExp(
    WEIGHTS.map(
      (w, k) => Math.log(w) + z.reduce((s, v, j) => s + logNormal(v, MU[k][j], LOGVAR[k][j]), 0),
    ),
  );
/** log p(z_j) in float64. */
const logMarginal = (v: number, j: number) =>
  logSumExp(WEIGHTS.map((w, k) => Math.log(w) + logNormal(v, MU[k][j], LOGVAR[k][j])));

/** Simpson intervals per piece between cuts (the joint mass comes out within 1e-5 of 1 in float64). */
const GRID = 120;

/** The 1-D windows of every component in a dimension (for the integration grid). */
const windows = (j: number) => MU.map((m, k) => normal1d(m[j], Math.exp(LOGVAR[k][j] / 2)));

const POINTS = [
  [0, 0],
  [-1.5, 0.5],
  [2.2, -0.9],
  [5, -4],
  [-30, 12],
];

test("normal mixture: joint and per-dimension log densities match the formula in float64, batch shapes kept", () => {
  const joint = mixture().logProb(np.array(POINTS));
  assert.deepEqual(joint.shape, [POINTS.length, 1]);
  assertClose(joint.dataSync(), POINTS.map(logJoint), 1e-5, 1e-5, "joint");
  const marginal = mixture(false).logProb(np.array(POINTS));
  assert.deepEqual(marginal.shape, [POINTS.length, 2]);
  assertClose(
    marginal.dataSync(),
    POINTS.flatMap((z) => z.map(logMarginal)),
    1e-5,
    1e-5,
    "marginal",
  );
  // A [2, 1, Z] batch keeps its leading axes.
  const batched = mixture().logProb(np.array([[[0, 0]], [[1, 1]]]));
  assert.deepEqual(batched.shape, [2, 1, 1]);
  // marginals() of the joint distribution is the per-dimension one.
  assertClose(
    mixture().marginals().logProb(np.array(POINTS)).dataSync(),
    POINTS.flatMap((z) => z.map(logMarginal)),
    1e-5,
    1e-5,
    "marginals()",
  );
});

test("normal mixture: the joint density integrates to 1, and integrating out one dimension gives the other's marginal", {
  skip: NATIVE_PASS_ONLY,
}, () => {
  const grid = [...windows(0), ...windows(1)];
  const cuts = MU.flat();
  const { points, weights } = quadratureGrid(2, grid, cuts, GRID);
  const logDensities = mixture().logProb(np.array(points)).dataSync();
  const mass = weights.reduce((sum, w, i) => sum + w * Math.exp(logDensities[i]), 0);
  assert.ok(Math.abs(mass - 1) < 3e-5, `∫∫ p = ${mass}`);
  // ∫ p(z1, z2) dz2 at z1 = 0.7, against marginals() in dimension 0.
  const z1 = 0.7;
  const integrated = integrate(
    (z) => Math.exp(logJoint([z1, z[0]])),
    1,
    windows(1),
    MU.map((m) => m[1]),
  );
  const marginal = mixture(false)
    .logProb(np.array([[z1, 0]]))
    .dataSync()[0];
  assert.ok(
    Math.abs(Math.log(integrated) - marginal) < 1e-4,
    `${Math.log(integrated)} vs ${marginal}`,
  );
});

test("normal mixture: with one component it is the diagonal Gaussian (joint = sum over dimensions)", () => {
  const one = normalMixture({
    logits: np.array([0]),
    mu: np.array([MU[0]]),
    logvar: np.array([LOGVAR[0]]),
  });
  const gaussian = diagonalGaussian({ mu: np.array(MU[0]), logvar: np.array(LOGVAR[0]) });
  assertClose(
    one.logProb(np.array(POINTS)).dataSync(),
    np.sum(gaussian.logProb(np.array(POINTS)), -1).dataSync(),
    1e-5,
    1e-5,
    "K = 1",
  );
});

test("normal mixture: samples have the mixture's mean, second moment and CDF (within 4 standard errors); mean() is Σ w μ", () => {
  const n = 40000;
  const draws = mixture().sample(keyFromSeed(11), [n, 2]).dataSync();
  for (let j = 0; j < 2; j++) {
    const column = Array.from({ length: n }, (_, i) => draws[i * 2 + j]);
    const mean = WEIGHTS.reduce((s, w, k) => s + w * MU[k][j], 0);
    const second = WEIGHTS.reduce((s, w, k) => s + w * (Math.exp(LOGVAR[k][j]) + MU[k][j] ** 2), 0);
    const m1 = meanAndStandardError(column);
    assert.ok(Math.abs(m1.mean - mean) < 4 * m1.se, `dim ${j}: mean ${m1.mean} vs ${mean}`);
    const m2 = meanAndStandardError(column.map((x) => x * x));
    assert.ok(Math.abs(m2.mean - second) < 4 * m2.se, `dim ${j}: E z² ${m2.mean} vs ${second}`);
    // P(z_j < 0) = Σ_k w_k Φ(-μ_kj / σ_kj), by integrating the marginal.
    const below = integrate((z) => (z[0] < 0 ? Math.exp(logMarginal(z[0], j)) : 0), 1, windows(j), [
      0,
      ...MU.map((m) => m[j]),
    ]);
    const frequency = meanAndStandardError(column.map((x) => (x < 0 ? 1 : 0)));
    assert.ok(
      Math.abs(frequency.mean - below) < 4 * frequency.se + 1e-4,
      `dim ${j}: P(z < 0) ${frequency.mean} vs ${below}`,
    );
  }
  assertClose(
    mixture().mean().dataSync(),
    [0, 1].map((j) => WEIGHTS.reduce((s, w, k) => s + w * MU[k][j], 0)),
    1e-6,
    1e-6,
    "mean()",
  );
});

test("normal mixture: the Monte Carlo KL(q || p) and KL(p || q) with a Gaussian q match 2-D integration (within 4 standard errors)", {
  skip: NATIVE_PASS_ONLY,
}, () => {
  const qMu = [0.4, -0.2];
  const qLogvar = [-0.3, 0.2];
  const q = () => diagonalGaussian({ mu: np.array(qMu), logvar: np.array(qLogvar) });
  const qDensity = qMu.map((m, j) => normal1d(m, Math.exp(qLogvar[j] / 2)));
  const logQ = (z: number[]) => z.reduce((s, v, j) => s + qDensity[j].log(v), 0);
  const grid = [...qDensity, ...windows(0), ...windows(1)];
  const cuts = [...qMu, ...MU.flat()];
  const forward = integrate(
    (z) => Math.exp(logQ(z)) * (logQ(z) - logJoint(z)),
    2,
    grid,
    cuts,
    GRID,
  );
  const reverse = integrate(
    (z) => Math.exp(logJoint(z)) * (logJoint(z) - logQ(z)),
    2,
    grid,
    cuts,
    GRID,
  );
  const n = 20000;
  const estimates = jit(
    vmap((key) => {
      const [qKey, pKey] = [foldIn(key.ref, 0), foldIn(key, 1)];
      const forwardEstimate = klDivergence(q(), mixture(), q().sample(qKey, [2]));
      const reverseEstimate = klDivergence(mixture(), q(), mixture().sample(pKey, [2]));
      return np.concatenate([forwardEstimate, reverseEstimate], -1);
    }),
  );
  const keys = vmap((i) => foldIn(keyFromSeed(5), i))(np.arange(n));
  const values = estimates(keys).dataSync();
  const f = meanAndStandardError(Array.from({ length: n }, (_, i) => values[2 * i]));
  const r = meanAndStandardError(Array.from({ length: n }, (_, i) => values[2 * i + 1]));
  assert.ok(Math.abs(f.mean - forward) < 4 * f.se, `KL(q||p) ${f.mean} ± ${f.se} vs ${forward}`);
  assert.ok(Math.abs(r.mean - reverse) < 4 * r.se, `KL(p||q) ${r.mean} ± ${r.se} vs ${reverse}`);
});

test("normal mixture: parameters of the wrong shapes are refused with what was expected", () => {
  assert.throws(
    () => normalMixture({ logits: np.zeros([2]), mu: np.zeros([3, 2]), logvar: np.zeros([3, 2]) }),
    /logits must be \[K\] with K = 3 components, got \[2\]/,
  );
  assert.throws(
    () => normalMixture({ logits: np.zeros([3]), mu: np.zeros([3, 2]), logvar: np.zeros([3]) }),
    /mu and logvar must both be \[K, Z\]/,
  );
});
