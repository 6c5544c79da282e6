import assert from "node:assert/strict";
import { test } from "node:test";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np, random } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { posteriorFamily } from "../../src/nn/posterior-family.ts";
import { meanAndStandardError, softplusRef } from "../distributions/reference.ts";
import { STICK_BREAKING } from "../distributions/stick-breaking-fixture.ts";

await initEngine();

/** The head values whose softplus + 0.01 is `target` (the family's a = softplus(h₁) + 0.01). */
const headFor = (target: number) => Math.log(Math.expm1(target - 0.01));

test("normal family: the posterior is N(h₁, e^h₂), z = h₁ + e^(h₂/2) ε, the decoder reads z, the summary is the head", async () => {
  const family = posteriorFamily("normal");
  const head = () => ({ mu: np.array([[0.5, -1]]), logvar: np.array([[0.2, -0.4]]) });
  const eps = [0.3, -1.2];
  const z = (await family.sample(family.posterior(head()), np.array([eps])).data()) as Float32Array;
  assert.ok(Math.abs(z[0] - (0.5 + Math.exp(0.1) * 0.3)) < 1e-6);
  assert.ok(Math.abs(z[1] - (-1 + Math.exp(-0.2) * -1.2)) < 1e-6);
  const summary = family.summary(family.posterior(head()));
  assert.deepEqual(Array.from((await summary.mu.data()) as Float32Array), [0.5, -1]);
  assert.deepEqual(Array.from(await family.decoderInput(np.array([1, 2])).data()), [1, 2]);
});

test("kumaraswamy family: a, b = softplus(head) + 0.01; z = F⁻¹(Φ(ε)) has PyTorch's Kumaraswamy mean; the summary is its mean and variance", async () => {
  const family = posteriorFamily("kumaraswamy");
  const N = 40000;
  for (const row of STICK_BREAKING.density.slice(0, 4)) {
    const head = () => ({
      mu: np.full([N, 1], headFor(row.a)),
      logvar: np.full([N, 1], headFor(row.b)),
    });
    const posterior = family.posterior(head());
    const a = (await posterior.ref().params.a.data())[0];
    assert.ok(
      Math.abs(a - (softplusRef(headFor(row.a)) + 0.01)) < 1e-5 && Math.abs(a - row.a) < 1e-4,
    );
    const eps = random.normal(keyFromSeed(2), [N, 1]);
    const draws = (await family.sample(posterior, eps).data()) as Float32Array;
    const { mean, se } = meanAndStandardError(draws);
    assert.ok(
      Math.abs(mean - row.kumaraswamyMean) < 4 * se,
      `a=${row.a} b=${row.b}: ${mean} ± ${se}`,
    );
    // The summary's variance against the draws' sample variance (within 5%: 40000 draws).
    const sampleVariance = se * se * N;
    const summary = family.summary(family.posterior(head()));
    const [m, lv] = await Promise.all([summary.mu.data(), summary.logvar.data()]);
    assert.ok(Math.abs(m[0] - row.kumaraswamyMean) < 1e-4, `mean ${m[0]}`);
    assert.ok(
      Math.abs(Math.exp(lv[0]) / sampleVariance - 1) < 0.05,
      `${Math.exp(lv[0])} vs ${sampleVariance}`,
    );
  }
});
