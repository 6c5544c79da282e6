import assert from "node:assert/strict";
import { test } from "node:test";
import { betaDistribution } from "../../src/distributions/beta.ts";
import { kumaraswamy } from "../../src/distributions/kumaraswamy.ts";
import { initEngine } from "../../src/engine/device.ts";
import { grad, type Array as JaxArray, numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { assertClose, logGammaRef, meanAndStandardError } from "./reference.ts";
import { STICK_BREAKING } from "./stick-breaking-fixture.ts";

await initEngine();

const scalar = (v: number) => np.array(v);
const ofCase = (a: number, b: number) => kumaraswamy({ a: scalar(a), b: scalar(b) });

test("Kumaraswamy and Beta log densities and the Kumaraswamy mean match PyTorch", async () => {
  for (const row of STICK_BREAKING.density) {
    const x = np.array(Float32Array.from(row.x));
    assertClose(
      await ofCase(row.a, row.b).logProb(x.ref).data(),
      row.kumaraswamy,
      1e-5,
      2e-5,
      `Kumaraswamy(${row.a}, ${row.b})`,
    );
    assertClose(
      await betaDistribution(row.alpha, row.beta, 1).logProb(x).data(),
      row.betaLogDensity,
      1e-5,
      2e-5,
      `Beta(${row.alpha}, ${row.beta})`,
    );
    assertClose(
      await ofCase(row.a, row.b).mean().data(),
      [row.kumaraswamyMean],
      1e-5,
      1e-6,
      "mean",
    );
  }
});

test("the Kumaraswamy density integrates to 1 (Simpson), and its reparameterised samples have the PyTorch mean within 4 standard errors", async () => {
  const N = 40000;
  for (const [c, row] of STICK_BREAKING.density.entries()) {
    // Composite Simpson over 4000 intervals of [ε, 1 - ε], on the jax log density.
    const n = 4000;
    const [lo, hi] = [1e-7, 1 - 1e-7];
    const h = (hi - lo) / n;
    const grid = Float32Array.from({ length: n + 1 }, (_, i) => lo + i * h);
    const logp = (await ofCase(row.a, row.b).logProb(np.array(grid)).data()) as Float32Array;
    let mass = 0;
    for (let i = 0; i <= n; i++) {
      mass += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * Math.exp(logp[i]);
    }
    mass *= h / 3;
    // Densities that blow up at an edge (a < 1 or b < 1) lose mass to the grid; only well-behaved ones are checked.
    if (row.a >= 1 && row.b >= 1)
      assert.ok(Math.abs(mass - 1) < 2e-3, `a=${row.a} b=${row.b}: mass ${mass}`);
    const draws = (await ofCase(row.a, row.b).sample(keyFromSeed(c), [N]).data()) as Float32Array;
    const { mean, se } = meanAndStandardError(draws);
    assert.ok(
      Math.abs(mean - row.kumaraswamyMean) < 4 * se,
      `a=${row.a} b=${row.b}: ${mean} ± ${se} vs ${row.kumaraswamyMean}`,
    );
  }
});

test("Kumaraswamy samples are differentiable in a and b: d E[x]/da by the reparameterisation matches the PyTorch means' finite difference", async () => {
  const { a, b } = { a: 2, b: 3 };
  const meanOf = (row: { a: number; b: number }) =>
    STICK_BREAKING.density.find((d) => d.a === row.a && d.b === row.b)?.kumaraswamyMean;
  assert.ok(meanOf({ a, b }) !== undefined);
  const N = 40000;
  const sampleMean = (aa: JaxArray) =>
    np.mean(kumaraswamy({ a: aa, b: scalar(b) }).sample(keyFromSeed(9), [N]));
  const slope = (await grad(sampleMean)(scalar(a)).data())[0];
  // E[x] = b B(1 + 1/a, b): a central difference of the closed form, in float64.
  const mean = (aa: number) =>
    b * Math.exp(logGammaRef(1 + 1 / aa) + logGammaRef(b) - logGammaRef(1 + 1 / aa + b));
  const expected = (mean(a + 1e-4) - mean(a - 1e-4)) / 2e-4;
  assert.ok(
    Math.abs(mean(a) - (meanOf({ a, b }) ?? 0)) < 1e-6,
    "the float64 mean formula agrees with PyTorch",
  );
  assert.ok(
    Math.abs(slope - expected) < 0.05 * Math.abs(expected) + 2e-3,
    `${slope} vs ${expected}`,
  );
});

test("Beta(1, β) samples by the inverse CDF have mean 1/(1 + β); other Beta samples are refused", async () => {
  const N = 40000;
  const draws = (await betaDistribution(1, 5, 1)
    .sample(keyFromSeed(3), [N])
    .data()) as Float32Array;
  const { mean, se } = meanAndStandardError(draws);
  assert.ok(Math.abs(mean - 1 / 6) < 4 * se, `${mean} ± ${se}`);
  assert.throws(
    () => betaDistribution(2, 2, 1).sample(keyFromSeed(1)),
    /sampling Beta\(2, 2\) needs α = 1 or β = 1/,
  );
  assert.throws(() => betaDistribution(0, 2, 1), /α and β must be finite numbers > 0, got α = 0/);
});
