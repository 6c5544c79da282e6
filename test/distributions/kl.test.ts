/**
 * KL(q || p) by the registry: every closed form against numerical integration of
 * ∫ q (log q - log p) in float64; the Monte Carlo fallback's mean against the same integral
 * within standard errors; which estimator each pair gets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import type { Distribution } from "../../src/distributions/distribution.ts";
import { klDivergence, klEstimator, klMonteCarlo } from "../../src/distributions/kl.ts";
import { laplace } from "../../src/distributions/laplace.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { logNormal, meanAndStandardError } from "./reference.ts";

type Family = "normal" | "laplace";
/** [location, log-variance (normal) or log-scale (laplace)] */
type Params = [number, number];

function logDensity(family: Family, [loc, log]: Params, x: number): number {
  return family === "normal"
    ? logNormal(x, loc, log)
    : -Math.LN2 - log - Math.abs(x - loc) / Math.exp(log);
}

/** ∫ q (log q - log p) by the midpoint rule on a wide grid. */
function klByIntegration(qf: Family, q: Params, pf: Family, p: Params): number {
  const n = 1_000_000;
  const lo = -200;
  const dx = 400 / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = lo + (i + 0.5) * dx;
    const lq = logDensity(qf, q, x);
    if (lq < -700) continue;
    sum += Math.exp(lq) * (lq - logDensity(pf, p, x)) * dx;
  }
  return sum;
}

function make(family: Family, params: Params[]): Distribution {
  const loc = np.array(params.map((p) => p[0]));
  const log = np.array(params.map((p) => p[1]));
  return family === "normal"
    ? diagonalGaussian({ mu: loc, logvar: log })
    : laplace({ loc, logscale: log });
}

const CASES: Params[] = [
  [0, 0],
  [1.5, -1],
  [-0.7, 0.8],
  [3, -2.5],
  [0.01, 1.6],
];

for (const [qf, pf] of [
  ["normal", "normal"],
  ["laplace", "laplace"],
  ["normal", "laplace"],
] as [Family, Family][]) {
  test(`KL(${qf} || ${pf}) has a closed form that matches numerical integration`, () => {
    assert.equal(klEstimator(qf, pf), "closed form");
    const pParams: Params[] = CASES.map((_, i) => [0.3 * i - 0.5, 0.2 * i - 0.4]);
    const got = klDivergence(
      make(qf, CASES),
      make(pf, pParams),
      np.zeros([CASES.length]),
    ).dataSync();
    CASES.forEach((q, i) => {
      const want = klByIntegration(qf, q, pf, pParams[i]);
      assert.ok(
        Math.abs(got[i] - want) < 1e-4 * Math.max(1, Math.abs(want)),
        `${qf}||${pf} case ${i}: ${got[i]} vs ${want}`,
      );
    });
  });
}

test("a pair without a closed form (laplace || normal) falls back to Monte Carlo, unbiased", () => {
  assert.equal(klEstimator("laplace", "normal"), "monte carlo");
  const q: Params = [0.8, Math.log(0.7)];
  const p: Params = [-0.2, Math.log(1.5)];
  const n = 40_000;
  const qDist = make("laplace", [q]);
  const z = qDist.ref().sample(keyFromSeed(11), [n, 1]);
  const estimates = klDivergence(qDist, make("normal", [p]), z).dataSync();
  const { mean, se } = meanAndStandardError(estimates);
  const want = klByIntegration("laplace", q, "normal", p);
  assert.ok(Math.abs(mean - want) < 4 * se, `MC ${mean} ± ${se} vs ${want}`);
});

test("the Monte Carlo estimator agrees with a closed form in expectation (normal || laplace)", () => {
  const q: Params = [1.2, -0.6];
  const p: Params = [0, 0];
  const n = 40_000;
  const qDist = make("normal", [q]);
  const z = qDist.ref().sample(keyFromSeed(5), [n, 1]);
  const { mean, se } = meanAndStandardError(
    klMonteCarlo(qDist, make("laplace", [p]), z).dataSync(),
  );
  const closed = klDivergence(make("normal", [q]), make("laplace", [p]), np.zeros([1])).item();
  assert.ok(Math.abs(mean - closed) < 4 * se, `MC ${mean} ± ${se} vs closed form ${closed}`);
});
