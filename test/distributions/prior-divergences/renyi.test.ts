import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../../src/distributions/diagonal-gaussian.ts";
import { klDivergence } from "../../../src/distributions/kl.ts";
import { renyiNormalNormal } from "../../../src/distributions/prior-divergences/renyi.ts";
import { createPrior } from "../../../src/distributions/priors.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { numpy as np } from "../../../src/engine/jax.ts";
import { integrate, logProduct, normal1d } from "./reference.ts";

await initEngine();

const posterior = (mu: number[], sigma: number[]) =>
  diagonalGaussian({
    mu: np.array(Float32Array.from(mu)).reshape([1, mu.length]),
    logvar: np.array(Float32Array.from(sigma, (s) => 2 * Math.log(s))).reshape([1, mu.length]),
  });

async function renyi(mu: number[], sigma: number[], alpha: number): Promise<number> {
  const value = renyiNormalNormal(
    posterior(mu, sigma),
    createPrior("normal").distribution(mu.length),
    alpha,
  );
  return (await np.sum(value, -1).data())[0];
}

/** D_α(q || p) = log(∫ q^α p^(1-α)) / (α - 1) by Simpson integration in 1-D or 2-D. */
function renyiByIntegration(mu: number[], sigma: number[], alpha: number): number {
  const q = mu.map((m, i) => normal1d(m, sigma[i]));
  const p = mu.map(() => normal1d(0, 1));
  const dims = mu.length as 1 | 2;
  const mass = integrate(
    (z) => Math.exp(alpha * logProduct(q, z) + (1 - alpha) * logProduct(p, z)),
    dims,
    [...q, ...p],
    [...mu, 0],
    dims === 1 ? 2000 : 200,
  );
  return Math.log(mass) / (alpha - 1);
}

const cases = [
  { mu: [0.7], sigma: [0.3] },
  { mu: [-2.5], sigma: [1.8] },
  { mu: [1.2, -0.4], sigma: [0.25, 1.6] },
];

test("Rényi divergence to N(0, I) matches numerical integration in 1-D and 2-D for several α", async () => {
  for (const { mu, sigma } of cases) {
    for (const alpha of [0.1, 0.5, 0.9]) {
      const got = await renyi(mu, sigma, alpha);
      const expected = renyiByIntegration(mu, sigma, alpha);
      assert.ok(
        Math.abs(got - expected) < 1e-4 * Math.max(1, expected),
        `${mu} α=${alpha}: ${got} vs ${expected}`,
      );
    }
  }
});

test("Rényi divergence grows with α and tends to the KL as α → 1", async () => {
  for (const { mu, sigma } of cases) {
    const values: number[] = [];
    for (const alpha of [0.2, 0.5, 0.8, 0.999]) values.push(await renyi(mu, sigma, alpha));
    for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `${values}`);
    const kl = klDivergence(
      posterior(mu, sigma),
      createPrior("normal").distribution(mu.length),
      np.zeros([1, mu.length]),
    );
    const expected = (await np.sum(kl, -1).data())[0];
    // D_α - KL is O(1 - α): at α = 0.999 a 0.3% gap (the 2-D case) is the divergence's, not rounding.
    const gap = (alpha: number) =>
      Math.abs(values[[0.2, 0.5, 0.8, 0.999].indexOf(alpha)] - expected);
    assert.ok(gap(0.999) < 5e-3 * Math.max(1, expected), `${values[3]} vs KL ${expected}`);
    assert.ok(gap(0.999) < gap(0.8) / 50, `gaps ${gap(0.8)}, ${gap(0.999)}`);
  }
});

test("Rényi refuses α outside (0, 1) and a non-Gaussian prior, naming the value", () => {
  assert.throws(
    () => renyiNormalNormal(posterior([0], [1]), createPrior("normal").distribution(1), 1),
    /alpha is 1, expected a number in \(0, 1\)/,
  );
  assert.throws(
    () => renyiNormalNormal(posterior([0], [1]), createPrior("laplace").distribution(1), 0.5),
    /closed form between Gaussians only, got normal \|\| laplace/,
  );
});
