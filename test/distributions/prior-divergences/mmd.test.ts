import assert from "node:assert/strict";
import { test } from "node:test";
import { type MmdKernel, mmdSquared } from "../../../src/distributions/prior-divergences/mmd.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { type Array as JaxArray, jit, numpy as np, random, vmap } from "../../../src/engine/jax.ts";
import { keyFromSeed, splitKey } from "../../../src/engine/prng.ts";
import { meanAndStandardError } from "../reference.ts";
import { logProduct, normal1d, quadratureGrid } from "./reference.ts";

await initEngine();

const n = 32;
const REPEATS = 1000;

/** k(a, b) from the kernel's formula, C = 2·Z·s². */
function kernel(name: MmdKernel, a: number[], b: number[], scale: number): number {
  const c = 2 * a.length * scale * scale;
  const d2 = a.reduce((sum, ai, i) => sum + (ai - b[i]) ** 2, 0);
  return name === "rbf" ? Math.exp(-d2 / c) : c / (c + d2);
}

/**
 * REPEATS estimates from n rows z_i = mu_i + sigma_i·ε (q's components, one draw each) and
 * n draws y ~ N(0, I).
 */
async function estimates(name: MmdKernel, mu: number[][], sigma: number[][], scale: number) {
  const Z = mu[0].length;
  const muArray = np.array(Float32Array.from(mu.flat())).reshape([n, Z]);
  const sigmaArray = np.array(Float32Array.from(sigma.flat())).reshape([n, Z]);
  // All repeats in one jitted vmap: REPEATS independent batches [n, Z] of z and y.
  const [zKey, yKey] = splitKey(keyFromSeed(5), 2);
  const z: JaxArray = muArray.add(sigmaArray.mul(random.normal(zKey, [REPEATS, n, Z])));
  const y = random.normal(yKey, [REPEATS, n, Z]);
  const batched = jit(vmap((zi: JaxArray, yi: JaxArray) => mmdSquared(name, zi, yi, scale)));
  const values = (await batched(z, y).data()) as Float32Array;
  batched.dispose();
  return meanAndStandardError(values);
}

/**
 * MMD²(q, p) = ∫∫ k(a, b) (q(a) - p(a)) (q(b) - p(b)) da db by the tensor-product Simpson rule
 * over R^D × R^D (D = 1 or 2), q = N(mu, sigma²) and p = N(0, I).
 */
function mmdByIntegration(name: MmdKernel, mu: number[], sigma: number[], scale: number): number {
  const dims = mu.length as 1 | 2;
  // Windows of ±8 standard deviations (mass outside below 1e-15) keep the 2-D grid small.
  const narrow = (m: number, s: number) => ({ ...normal1d(m, s), lo: m - 8 * s, hi: m + 8 * s });
  const q = mu.map((m, i) => narrow(m, sigma[i]));
  const p = mu.map(() => narrow(0, 1));
  const { points, weights } = quadratureGrid(dims, [...q, ...p], [...mu, 0], dims === 1 ? 300 : 20);
  const weighted = points.map(
    (z, i) => weights[i] * (Math.exp(logProduct(q, z)) - Math.exp(logProduct(p, z))),
  );
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    for (let j = 0; j < points.length; j++) {
      total += weighted[i] * weighted[j] * kernel(name, points[i], points[j], scale);
    }
  }
  return total;
}

test("MMD² U-statistic is unbiased: with every row from the same q, its mean is MMD²(q, N(0, I)) by numerical integration, RBF and IMQ, 1-D and 2-D", async () => {
  const cases = [
    { mu: [0.8], sigma: [0.5], scale: 1 },
    { mu: [-1.5], sigma: [1.5], scale: 0.5 },
    { mu: [1.0, -0.5], sigma: [0.6, 1.3], scale: 1 },
  ];
  for (const name of ["rbf", "imq"] as const) {
    for (const { mu, sigma, scale } of cases) {
      const rows = (v: number[]) => Array.from({ length: n }, () => v);
      const { mean, se } = await estimates(name, rows(mu), rows(sigma), scale);
      const expected = mmdByIntegration(name, mu, sigma, scale);
      if (name === "rbf") {
        // The integration itself against the RBF's closed form (see the next test).
        const c = 2 * mu.length * scale * scale;
        const zero = mu.map(() => 0);
        const one = mu.map(() => 1);
        const closed =
          rbfExpectation(mu, sigma, mu, sigma, c) +
          rbfExpectation(zero, one, zero, one, c) -
          2 * rbfExpectation(mu, sigma, zero, one, c);
        assert.ok(
          Math.abs(expected - closed) < 5e-4,
          `${mu}: integration ${expected}, closed form ${closed}`,
        );
      }
      assert.ok(expected > 0.005, `${name} ${mu}: MMD² ${expected}`);
      assert.ok(
        Math.abs(mean - expected) < 4 * se + 2e-4,
        `${name} ${mu}: ${mean} ± ${se} vs ${expected}`,
      );
    }
  }
});

/**
 * E k(a, b) for a ~ N(ma, sa²), b ~ N(mb, sb²) per dimension with the RBF kernel, in closed
 * form: a - b ~ N(ma - mb, sa² + sb²) and E exp(-u²/C) = (1 + 2v/C)^(-1/2) exp(-m²/(C + 2v)).
 */
function rbfExpectation(ma: number[], sa: number[], mb: number[], sb: number[], c: number): number {
  let value = 1;
  for (let d = 0; d < ma.length; d++) {
    const v = sa[d] ** 2 + sb[d] ** 2;
    value *= Math.exp(-((ma[d] - mb[d]) ** 2) / (c + 2 * v)) / Math.sqrt(1 + (2 * v) / c);
  }
  return value;
}

test("MMD² RBF of a batch of distinct posteriors: its mean is the distinct-pairs expectation in closed form (one draw per posterior)", async () => {
  const Z = 2;
  const scale = 1;
  const c = 2 * Z * scale * scale;
  const mu = Array.from({ length: n }, (_, i) => [Math.sin(i) * 1.5, Math.cos(1.3 * i)]);
  const sigma = Array.from({ length: n }, (_, i) => [0.3 + 0.02 * i, 0.5]);
  const zero = [0, 0];
  const one = [1, 1];
  let withinQ = 0;
  let across = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++)
      if (i !== j) withinQ += rbfExpectation(mu[i], sigma[i], mu[j], sigma[j], c);
    across += rbfExpectation(mu[i], sigma[i], zero, one, c);
  }
  const expected =
    withinQ / (n * (n - 1)) + rbfExpectation(zero, one, zero, one, c) - (2 * across) / n;
  const { mean, se } = await estimates("rbf", mu, sigma, scale);
  assert.ok(Math.abs(mean - expected) < 4 * se + 2e-4, `${mean} ± ${se} vs ${expected}`);
});

test("MMD² refuses fewer than 2 samples or a non-positive scale, naming the values", () => {
  assert.throws(
    () => mmdSquared("rbf", np.zeros([1, 2]), np.zeros([4, 2]), 1),
    /got 1 and 4 samples, scale 1/,
  );
  assert.throws(() => mmdSquared("imq", np.zeros([3, 2]), np.zeros([4, 2]), 0), /scale 0/);
});
