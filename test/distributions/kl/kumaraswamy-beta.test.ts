import assert from "node:assert/strict";
import { test } from "node:test";
import { betaDistribution } from "../../../src/distributions/beta.ts";
import { klKumaraswamyBeta } from "../../../src/distributions/kl/kumaraswamy-beta.ts";
import { klDivergence, klEstimator } from "../../../src/distributions/kl.ts";
import { kumaraswamy } from "../../../src/distributions/kumaraswamy.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { numpy as np } from "../../../src/engine/jax.ts";
import { STICK_BREAKING } from "../stick-breaking-fixture.ts";

await initEngine();

test("KL(Kumaraswamy || Beta): the series with its tail matches quadrature within 5e-3·|β - 1| nats (float32), where 10 plain terms are off by up to 11 nats", async () => {
  for (const row of STICK_BREAKING.kl) {
    const q = kumaraswamy({ a: np.array([row.a]), b: np.array([row.b]) });
    const got = (await klKumaraswamyBeta(q, betaDistribution(row.alpha, row.beta, 1)).data())[0];
    const bound = 5e-3 * Math.abs(row.beta - 1) + 2e-3 * Math.max(1, row.exact);
    assert.ok(
      Math.abs(got - row.exact) < bound,
      `a=${row.a} b=${row.b} β=${row.beta}: ${got} vs ${row.exact}`,
    );
    // The references agree with each other (the series summed to 10^6 terms and SciPy's quad).
    assert.ok(Math.abs(row.exact - row.quadrature) < 1e-6 * Math.max(1, row.exact));
  }
  const worstPlainCut = Math.max(...STICK_BREAKING.kl.map((r) => Math.abs(r.exact - r.series10)));
  assert.ok(worstPlainCut > 10, `10 plain terms are off by ${worstPlainCut}`);
});

test("the KL registry has Kumaraswamy || Beta in closed form, and it is 0 for Kumaraswamy(1, β) = Beta(1, β)", async () => {
  assert.equal(klEstimator("kumaraswamy", "beta"), "closed form");
  const q = kumaraswamy({ a: np.array([1, 1]), b: np.array([5, 2]) });
  const kl = klDivergence(q, betaDistribution(1, 5, 2), np.zeros([2]));
  const [same, different] = (await kl.data()) as Float32Array;
  assert.ok(Math.abs(same) < 1e-4, `${same}`);
  assert.ok(different > 0.1, `${different}`);
});
