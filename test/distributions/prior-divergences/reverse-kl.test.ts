import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../../src/distributions/diagonal-gaussian.ts";
import { reverseKl } from "../../../src/distributions/prior-divergences/reverse-kl.ts";
import { createPrior } from "../../../src/distributions/priors.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { numpy as np } from "../../../src/engine/jax.ts";
import { keyFromSeed } from "../../../src/engine/prng.ts";
import { meanAndStandardError } from "../reference.ts";
import { integrate, laplace1d, logProduct, normal1d, type Product } from "./reference.ts";

await initEngine();

/** [N, Z] posterior rows, all equal to N(mu, sigma²) per dimension. */
function posterior(mu: number[], sigma: number[], rows = 1) {
  const tile = (v: number[]) => np.tile(np.array(Float32Array.from(v)), [rows, 1]);
  return diagonalGaussian({ mu: tile(mu), logvar: tile(sigma.map((s) => 2 * Math.log(s))) });
}

/** KL(p || q) = ∫ p log(p / q) by Simpson integration in 1-D or 2-D. */
function reverseKlByIntegration(q: Product, p: Product, cuts: number[]): number {
  const dims = q.length as 1 | 2;
  return integrate(
    (z) => {
      const logP = logProduct(p, z);
      return Math.exp(logP) * (logP - logProduct(q, z));
    },
    dims,
    [...q, ...p],
    cuts,
    dims === 1 ? 2000 : 200,
  );
}

const cases = [
  { mu: [0.7], sigma: [0.3] },
  { mu: [-1.5], sigma: [2.2] },
  { mu: [1.2, -0.4], sigma: [0.25, 1.6] },
];

test("reverse KL to N(0, I) in closed form matches numerical integration in 1-D and 2-D", async () => {
  for (const { mu, sigma } of cases) {
    const value = reverseKl(
      posterior(mu, sigma),
      createPrior("normal").distribution(mu.length),
      np.zeros([1, mu.length]),
    );
    const got = (await np.sum(value, -1).data())[0];
    const q = mu.map((m, i) => normal1d(m, sigma[i]));
    const p = mu.map(() => normal1d(0, 1));
    const expected = reverseKlByIntegration(q, p, [...mu, 0]);
    assert.ok(
      Math.abs(got - expected) < 1e-4 * Math.max(1, expected),
      `${mu}: ${got} vs ${expected}`,
    );
  }
});

test("reverse KL to the Laplace prior by Monte Carlo is unbiased: mean within 4 standard errors of numerical integration (1-D, 2-D)", async () => {
  const N = 40000;
  for (const [c, { mu, sigma }] of cases.entries()) {
    const Z = mu.length;
    const prior = createPrior("laplace").distribution(Z);
    const y = prior.ref().sample(keyFromSeed(10 + c), [N, Z]);
    const value = np.sum(reverseKl(posterior(mu, sigma, N), prior, y), -1);
    const { mean, se } = meanAndStandardError((await value.data()) as Float32Array);
    const q = mu.map((m, i) => normal1d(m, sigma[i]));
    const p = mu.map(() => laplace1d(0, 1));
    const expected = reverseKlByIntegration(q, p, [...mu, 0]);
    assert.ok(Math.abs(mean - expected) < 4 * se + 1e-4, `${mu}: ${mean} ± ${se} vs ${expected}`);
    // The spread of one estimate, for the README's bias/variance notes: well above 0.
    assert.ok(se * Math.sqrt(N) > 0.1, `standard deviation ${se * Math.sqrt(N)}`);
  }
});
