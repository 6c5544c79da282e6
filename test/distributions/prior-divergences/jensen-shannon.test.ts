import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian, reparameterize } from "../../../src/distributions/diagonal-gaussian.ts";
import { jensenShannonToPrior } from "../../../src/distributions/prior-divergences/jensen-shannon.ts";
import { createPrior } from "../../../src/distributions/priors.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { grad, type Array as JaxArray, numpy as np, random } from "../../../src/engine/jax.ts";
import { keyFromSeed, splitKey } from "../../../src/engine/prng.ts";
import { meanAndStandardError } from "../reference.ts";
import { type Density1d, integrate, laplace1d, logProduct, normal1d } from "./reference.ts";

await initEngine();

const N = 40000;

/** The one-sample estimates of N copies of q = N(mu, sigma²) against the prior `prior`. */
async function estimates(mu: number[], sigma: number[], prior: "normal" | "laplace", seed: number) {
  const Z = mu.length;
  const tile = (v: number[]) => np.tile(np.array(Float32Array.from(v)), [N, 1]);
  const [zKey, yKey] = splitKey(keyFromSeed(seed), 2);
  const logvar = sigma.map((s) => 2 * Math.log(s));
  const z = reparameterize(tile(mu), tile(logvar), random.normal(zKey, [N, Z]));
  const p = createPrior(prior).distribution(Z);
  const y = p.ref().sample(yKey, [N, Z]);
  const q = diagonalGaussian({ mu: tile(mu), logvar: tile(logvar) });
  return (await jensenShannonToPrior(q, p, z, y).data()) as Float32Array;
}

/** JS(q, p) = ∫ ½ q log(q/m) + ½ p log(p/m), m = (q + p)/2, by Simpson integration. */
function jensenShannonByIntegration(q: Density1d[], p: Density1d[], cuts: number[]): number {
  const dims = q.length as 1 | 2;
  const term = (a: number, m: number) => (a > 0 ? a * Math.log(a / m) : 0);
  return integrate(
    (z) => {
      const a = Math.exp(logProduct(q, z));
      const b = Math.exp(logProduct(p, z));
      const m = 0.5 * (a + b);
      return 0.5 * term(a, m) + 0.5 * term(b, m);
    },
    dims,
    [...q, ...p],
    cuts,
    dims === 1 ? 2000 : 200,
  );
}

const cases = [
  { mu: [0.7], sigma: [0.3], prior: "normal" as const },
  { mu: [-2.5], sigma: [0.05], prior: "normal" as const },
  { mu: [1.2, -0.4], sigma: [0.25, 1.6], prior: "normal" as const },
  { mu: [0.5, 0.9], sigma: [0.4, 0.2], prior: "laplace" as const },
];

test("Jensen-Shannon to the prior by Monte Carlo: unbiased, mean within 4 standard errors of numerical integration in 1-D and 2-D", async () => {
  for (const [c, { mu, sigma, prior }] of cases.entries()) {
    const { mean, se } = meanAndStandardError(await estimates(mu, sigma, prior, 30 + c));
    const q = mu.map((m, i) => normal1d(m, sigma[i]));
    const p = mu.map(() => (prior === "normal" ? normal1d(0, 1) : laplace1d(0, 1)));
    const expected = jensenShannonByIntegration(q, p, [...mu, 0]);
    assert.ok(expected > 0 && expected < Math.LN2);
    assert.ok(
      Math.abs(mean - expected) < 4 * se + 1e-4,
      `${mu} (${prior}): ${mean} ± ${se} vs ${expected}`,
    );
  }
});

test("Jensen-Shannon's one-sample estimate: standard deviation below log 2 here, near 0 where q = p", async () => {
  const spread = async (mu: number[], sigma: number[]) => {
    const { se } = meanAndStandardError(await estimates(mu, sigma, "normal", 7));
    return se * Math.sqrt(N);
  };
  // q = p: every log ratio is 0, so each estimate is exactly log 2 - log 2 = 0.
  assert.ok((await spread([0], [1])) < 1e-5);
  for (const { mu, sigma } of cases.slice(0, 3)) {
    const sd = await spread(mu, sigma);
    assert.ok(sd > 0.01 && sd < Math.LN2, `${mu}: sd ${sd}`);
  }
});

test("Jensen-Shannon stays finite, value and gradient, for a collapsed posterior (log-variance -100)", async () => {
  const loss = (logvar: JaxArray) => {
    const mu = np.array([[0.5, -0.2]]);
    const q = diagonalGaussian({ mu: mu.ref, logvar: logvar.ref });
    const z = reparameterize(mu, logvar, np.array([[0.3, 0.1]]));
    const p = createPrior("normal").distribution(2);
    return np.sum(jensenShannonToPrior(q, p, z, np.array([[1.2, -0.7]])));
  };
  const collapsed = np.array([[-100, -95]]);
  const value = (await loss(collapsed.ref).data())[0];
  assert.ok(Math.abs(value - Math.LN2) < 1e-5, `${value}`);
  const slope = (await grad(loss)(collapsed).data()) as Float32Array;
  assert.ok(slope.every(Number.isFinite), `${slope}`);
});
