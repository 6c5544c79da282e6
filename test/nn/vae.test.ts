import assert from "node:assert/strict";
import { test } from "node:test";
import { createPrior } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { grad, numpy as np, tree } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { createArchitecture } from "../../src/nn/architectures/index.ts";
import { createVae } from "../../src/nn/vae.ts";

await initEngine();

const arch = () => createArchitecture("conv-small", { imageShape: [8, 8, 1], latentDim: 3 });
const pixels = (seed: number) =>
  Float32Array.from({ length: 2 * 64 }, (_, i) => (Math.sin(i * 1.7 + seed) + 1) / 2);

test("forward: z = mu + exp(logvar/2) eps and a Bernoulli log p(x|z) summed over pixels", async () => {
  const vae = createVae(arch(), { kind: "bernoulli" }, createPrior("normal"));
  const params = vae.init(keyFromSeed(1));
  const x = pixels(0);
  const eps = [0.3, -1.2, 0.7, 1.1, 0.05, -0.4];
  const out = vae.forward(
    tree.ref(params),
    np.array(x, { shape: [2, 8, 8, 1] }),
    np.array(eps, { shape: [2, 3] }),
  );
  assert.equal(out.posterior.family, "normal");
  assert.equal(out.prior.family, "normal");
  out.prior.dispose();
  const [mu, logvar, z, logPx] = await Promise.all([
    out.posterior.params.mu.data(),
    out.posterior.params.logvar.data(),
    out.z.data(),
    out.logPxGivenZ.data(),
  ]);
  for (let i = 0; i < 6; i++) {
    assert.ok(Math.abs(z[i] - (mu[i] + Math.exp(logvar[i] / 2) * eps[i])) < 1e-5, `z[${i}]`);
  }
  // Independent reference: decode z with the architecture, then Σ x log σ(l) + (1-x) log(1-σ(l)).
  const logits = (await arch()
    .decode(tree.ref(params.decoder), np.array(z, { shape: [2, 3] }))
    .data()) as Float32Array;
  for (let b = 0; b < 2; b++) {
    let expected = 0;
    for (let i = 0; i < 64; i++) {
      const l = logits[b * 64 + i];
      const p = 1 / (1 + Math.exp(-l));
      expected += x[b * 64 + i] * Math.log(p) + (1 - x[b * 64 + i]) * Math.log(1 - p);
    }
    assert.ok(
      Math.abs(logPx[b] - expected) < 1e-3 * Math.abs(expected),
      `log p(x|z)[${b}] ${logPx[b]} vs ${expected}`,
    );
  }
  tree.dispose(params);
});

test("a learned Gaussian variance is a parameter that receives gradients", async () => {
  const vae = createVae(arch(), { kind: "gaussian", variance: "learned" }, createPrior("normal"));
  const params = vae.init(keyFromSeed(2));
  assert.deepEqual(params.likelihood.logvar?.shape, [1]);
  const loss = (p: typeof params) => {
    const out = vae.forward(p, np.array(pixels(3), { shape: [2, 8, 8, 1] }), np.zeros([2, 3]));
    out.z.dispose();
    out.posterior.dispose();
    out.prior.dispose();
    return np.sum(out.logPxGivenZ).neg();
  };
  const g = grad(loss)(params);
  const dLogvar = (
    await (g.likelihood.logvar as never as { data(): Promise<Float32Array> }).data()
  )[0];
  assert.ok(Number.isFinite(dLogvar) && Math.abs(dLogvar) > 1e-3, `d loss / d logvar = ${dLogvar}`);
  tree.dispose([g.encoder, g.decoder] as never);
});
