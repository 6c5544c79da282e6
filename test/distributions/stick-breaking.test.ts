import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  standardisedStickWeights,
  stickWeightPriorMoments,
  stickWeights,
} from "../../src/distributions/stick-breaking.ts";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { meanAndStandardError, normalSampler } from "./reference.ts";

await initEngine();

test("stick weights: π_k = v_k Π_{j<k} (1 - v_j), summing to 1 - Π_k (1 - v_k)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 12 }),
      async (v) => {
        const got = (await stickWeights(np.array(Float32Array.from(v))).data()) as Float32Array;
        let rest = 1;
        v.forEach((vk, k) => {
          const expected = vk * rest;
          assert.ok(
            Math.abs(got[k] - expected) < 1e-5 + 1e-4 * expected,
            `π_${k}: ${got[k]} vs ${expected}`,
          );
          rest *= 1 - vk;
        });
        const total = got.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - (1 - rest)) < 1e-4);
      },
    ),
    { numRuns: 50 },
  );
});

test("stick weights keep fractions at the ends finite (traversals sweep past them)", async () => {
  const got = (await stickWeights(np.array([0, 1, 0.5, -2, 3])).data()) as Float32Array;
  assert.ok(
    got.every((x) => Number.isFinite(x) && x >= 0 && x <= 1),
    `${got}`,
  );
});

test("GEM(α₀) stick-weight moments match float64 Monte Carlo of Beta(1, α₀) sticks (within 4 standard errors)", () => {
  const alpha = 5;
  const sticks = 6;
  const n = 40000;
  const { mean, fractionSd } = stickWeightPriorMoments(sticks, alpha);
  // v by the inverse CDF of Beta(1, α₀) from seeded uniforms: u = exp(−(x² + y²)/2) with x, y
  // standard normal is uniform on (0, 1) (the Box–Muller radius).
  const normal = normalSampler(7);
  const draws = Array.from({ length: n }, () => {
    const v = Array.from({ length: sticks }, () => {
      const u = Math.exp(-(normal() ** 2 + normal() ** 2) / 2);
      return 1 - (1 - u) ** (1 / alpha);
    });
    let rest = 1;
    return v.map((vk) => {
      const pi = vk * rest;
      rest *= 1 - vk;
      return { v: vk, pi };
    });
  });
  for (let k = 0; k < sticks; k++) {
    const m = meanAndStandardError(draws.map((d) => d[k].pi));
    assert.ok(Math.abs(m.mean - mean[k]) < 4 * m.se, `E[π_${k}] ${m.mean} vs ${mean[k]}`);
  }
  const v = draws.map((d) => d[0].v);
  const vMean = v.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - vMean) ** 2, 0) / (n - 1));
  assert.ok(Math.abs(sd - fractionSd) < 0.02 * fractionSd, `sd(v) ${sd} vs ${fractionSd}`);
});

test("standardised stick weights are (π − E[π]) / sd(v), as written out in float64", async () => {
  const v = [0.3, 0.05, 0.6, 0.2];
  const { mean, fractionSd } = stickWeightPriorMoments(4, 5);
  const got = (await standardisedStickWeights(np.array(v), 5).data()) as Float32Array;
  let rest = 1;
  v.forEach((vk, k) => {
    const expected = (vk * rest - mean[k]) / fractionSd;
    rest *= 1 - vk;
    assert.ok(Math.abs(got[k] - expected) < 1e-5, `π̃_${k}: ${got[k]} vs ${expected}`);
  });
  assert.ok(Math.abs(fractionSd - Math.sqrt(5 / (36 * 7))) < 1e-12);
});
