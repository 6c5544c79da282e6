/**
 * The Student-t family and prior: the log density against a float64 reference written from
 * the formula (log Γ by Stirling's series, independent of the Lanczos code under test), its
 * normalisation, samples' mean and tail mass against the exact t₃ values, KL(normal ||
 * student-t) by the registry's Monte Carlo fallback against numerical integration, and the
 * config accepting `prior: "student-t"`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import { klDivergence, klEstimator } from "../../src/distributions/kl.ts";
import { createPrior } from "../../src/distributions/priors.ts";
import { logGamma, studentT, studentTLogDensity } from "../../src/distributions/student-t.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { assertClose, logNormal, meanAndStandardError } from "./reference.ts";

/** log Γ(x), x > 0: shift to x + 12 by Γ(x+1) = xΓ(x), then Stirling's series to 1/x⁷. */
function logGammaRef(x: number): number {
  let shift = 0;
  while (x < 12) {
    shift += Math.log(x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/** log t_ν(x; loc, b) in float64, from the formula. */
function logStudentTRef(x: number, df: number, loc: number, scale: number): number {
  const u = (x - loc) / scale;
  return (
    logGammaRef((df + 1) / 2) -
    logGammaRef(df / 2) -
    0.5 * Math.log(df * Math.PI) -
    Math.log(scale) -
    ((df + 1) / 2) * Math.log1p((u * u) / df)
  );
}

/** P(|T| > t) for T ~ t₃: the CDF is ½ + (1/π)(s/(1 + s²) + atan s), s = t/√3. */
function t3TwoSidedTail(t: number): number {
  const s = t / Math.sqrt(3);
  return 1 - (2 / Math.PI) * (s / (1 + s * s) + Math.atan(s));
}

test("log Γ: the Lanczos value matches Stirling's series and exact values", () => {
  for (const x of [0.1, 0.5, 1, 1.5, 2, 2.5, 3.7, 10, 50.5]) {
    assert.ok(Math.abs(logGamma(x) - logGammaRef(x)) < 1e-12, `log Γ(${x}) = ${logGamma(x)}`);
  }
  assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-14);
  assert.ok(Math.abs(logGamma(5) - Math.log(24)) < 1e-13);
});

test("Student-t log density: float64 reference and normalisation (ν = 3)", () => {
  // jax-js 0.1.25's elementwise log/log1p on arrays (Wasm backend) has an absolute error of
  // about 1.2e-5, times (ν+1)/2 here: hence atol 5e-5 (a wrong formula is off by far more).
  const x = [-40, -3, -0.5, 0, 0.25, 2, 7.5];
  for (const [df, loc, scale] of [
    [3, 0, 1],
    [1, 0.5, 2],
    [2.5, -1, 0.3],
    [7, 2, 1.7],
    [30, 0, 1],
  ]) {
    assertClose(
      studentTLogDensity(np.array(x), df, np.array(loc), np.array(Math.log(scale))).dataSync(),
      x.map((v) => logStudentTRef(v, df, loc, scale)),
      1e-5,
      5e-5,
      `log t_${df}(x; ${loc}, ${scale})`,
    );
  }
  // The standard t₃ at 0 is 2 / (π√3).
  assert.ok(
    Math.abs(
      studentTLogDensity(np.array([0]), 3, np.array(0), np.array(0)).item() -
        Math.log(2 / (Math.PI * Math.sqrt(3))),
    ) < 1e-5,
  );
  // ∫ p = 1 (midpoint rule on [-200, 200] around loc 1, scale 1.5; the t₃ tails beyond
  // hold about 2.2 (1.5/200)³ ≈ 1e-6 of the mass).
  const n = 80000;
  const dx = 400 / n;
  const grid = Array.from({ length: n }, (_, i) => 1 - 200 + (i + 0.5) * dx);
  const density = studentT({ df: 3, loc: np.array(1), logscale: np.array(Math.log(1.5)) });
  const mass = np.sum(np.exp(density.logProb(np.array(grid)))).item() * dx;
  assert.ok(Math.abs(mass - 1) < 1e-4, `mass ${mass}`);
});

test("Student-t samples (ν = 3): mean loc and P(|x - loc| > 3b) exact (within 4 standard errors)", () => {
  const loc = [0.5, -2];
  const scale = [1, 0.25];
  const n = 40000;
  const dist = studentT({ df: 3, loc: np.array(loc), logscale: np.log(np.array(scale)) });
  const draws = dist.sample(keyFromSeed(7), [n, 2]).dataSync();
  const tail = t3TwoSidedTail(3);
  assert.ok(Math.abs(tail - 0.05767) < 1e-5, `exact tail ${tail}`);
  for (let j = 0; j < 2; j++) {
    const column = Array.from({ length: n }, (_, i) => draws[i * 2 + j]);
    const mean = meanAndStandardError(column);
    assert.ok(Math.abs(mean.mean - loc[j]) < 4 * mean.se, `dim ${j} mean ${mean.mean}`);
    const beyond = meanAndStandardError(
      column.map((x) => (Math.abs(x - loc[j]) > 3 * scale[j] ? 1 : 0)),
    );
    const se = Math.sqrt((tail * (1 - tail)) / n);
    assert.ok(
      Math.abs(beyond.mean - tail) < 4 * se,
      `dim ${j} P(|x - loc| > 3b) ${beyond.mean} vs ${tail} ± ${se}`,
    );
  }
});

test("Student-t: mean, map and ref; errors for ν ≤ 1 means, non-integer sampling, bad ν", () => {
  const dist = studentT({ df: 3, loc: np.array([1, 2]), logscale: np.array([0, 0]) });
  const reshaped = dist.ref().map((p) => p.reshape([1, 2]));
  assert.equal(reshaped.family, "student-t");
  assert.deepEqual(reshaped.params.loc.shape, [1, 2]);
  assert.deepEqual(reshaped.sample(keyFromSeed(1)).shape, [1, 2]);
  assert.deepEqual(Array.from(dist.mean().dataSync()), [1, 2]);
  const cauchy = studentT({ df: 1, loc: np.array([0]), logscale: np.array([0]) });
  assert.throws(() => cauchy.mean(), /mean is undefined for ν ≤ 1/);
  const fractional = studentT({ df: 2.5, loc: np.array([0]), logscale: np.array([0]) });
  assert.throws(() => fractional.sample(keyFromSeed(2), [4, 1]), /integer number of degrees/);
  assert.throws(
    () => studentT({ df: 0, loc: np.array([0]), logscale: np.array([0]) }),
    /degrees of freedom must be a finite number > 0/,
  );
});

test("the student-t prior: ν = 3 over d dimensions, KL from a normal by Monte Carlo only", () => {
  const prior = createPrior("student-t").distribution(4);
  assert.equal(prior.family, "student-t");
  assert.deepEqual(prior.params.loc.shape, [4]);
  assertClose(
    prior.logProb(np.array([0, 1, -2, 10])).dataSync(),
    [0, 1, -2, 10].map((v) => logStudentTRef(v, 3, 0, 1)),
    1e-5,
    5e-5,
    "prior log density",
  );
  assert.equal(klEstimator("normal", "student-t"), "monte carlo");
  assert.equal(klEstimator("student-t", "student-t"), "monte carlo");
});

/** ∫ q (log q - log p) for q = N(mu, exp(logvar)), p = t₃(0, 1), by the midpoint rule. */
function klNormalT3ByIntegration(mu: number, logvar: number): number {
  const n = 400_000;
  const sigma = Math.exp(logvar / 2);
  const lo = mu - 40 * sigma;
  const dx = (80 * sigma) / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = lo + (i + 0.5) * dx;
    const lq = logNormal(x, mu, logvar);
    sum += Math.exp(lq) * (lq - logStudentTRef(x, 3, 0, 1)) * dx;
  }
  return sum;
}

test("KL(N(μ, σ²) || t₃) by the registry's Monte Carlo fallback matches numerical integration", () => {
  const cases: [number, number][] = [
    [0, 0],
    [1.5, -1],
    [-2.5, 0.8],
    [0.3, -3],
  ];
  const n = 40_000;
  const q = diagonalGaussian({
    mu: np.array(cases.map((c) => c[0])),
    logvar: np.array(cases.map((c) => c[1])),
  });
  const z = q.ref().sample(keyFromSeed(13), [n, cases.length]);
  const prior = createPrior("student-t").distribution(cases.length);
  const estimates = klDivergence(q, prior, z).dataSync();
  cases.forEach(([mu, logvar], j) => {
    const column = Array.from({ length: n }, (_, i) => estimates[i * cases.length + j]);
    const { mean, se } = meanAndStandardError(column);
    const want = klNormalT3ByIntegration(mu, logvar);
    assert.ok(Math.abs(mean - want) < 4 * se, `case ${j}: MC ${mean} ± ${se} vs ${want}`);
  });
});

test("the train config accepts prior: student-t", () => {
  const config = parseTrainConfig({ prior: "student-t" }, "x");
  assert.equal(config.prior, "student-t");
  assert.throws(() => parseTrainConfig({ prior: "student" }, "x"));
});
