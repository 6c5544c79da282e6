import assert from "node:assert/strict";
import { test } from "node:test";
import { createPrior } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { grad, numpy as np, tree } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { createArchitecture } from "../../src/nn/architectures/index.ts";
import { createVae, decoderOutputChannels } from "../../src/nn/vae.ts";

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

test("a per-pixel learned scale (Gaussian, Laplace) is an [H,W,C] parameter that receives gradients", async () => {
  for (const likelihood of [
    { kind: "gaussian", variance: "learned-pixel" },
    { kind: "laplace", scale: "learned-pixel" },
  ] as const) {
    const vae = createVae(arch(), likelihood, createPrior("normal"));
    const params = vae.init(keyFromSeed(4));
    const key = likelihood.kind === "gaussian" ? "logvar" : "logscale";
    assert.deepEqual(params.likelihood[key]?.shape, [8, 8, 1], likelihood.kind);
    const loss = (p: typeof params) => {
      const out = vae.forward(p, np.array(pixels(5), { shape: [2, 8, 8, 1] }), np.zeros([2, 3]));
      out.z.dispose();
      out.posterior.dispose();
      out.prior.dispose();
      return np.sum(out.logPxGivenZ).neg();
    };
    const g = grad(loss)(params);
    const dScale = (await (
      g.likelihood[key] as never as { data(): Promise<Float32Array> }
    ).data()) as Float32Array;
    assert.equal(dScale.length, 64);
    assert.ok(
      dScale.every((v) => Number.isFinite(v)) && dScale.some((v) => Math.abs(v) > 1e-3),
      `${likelihood.kind}: d loss / d log-scale per pixel`,
    );
    tree.dispose([g.encoder, g.decoder] as never);
  }
});

test("the logistic mixture's decoder gives K(1 + 2C) outputs per pixel and its mean is in [0,1]", async () => {
  const likelihood = { kind: "discretised-logistic", components: 3 } as const;
  assert.throws(
    () => createVae(arch(), likelihood, createPrior("normal")),
    /reads 9 decoder outputs per pixel, but conv-small's decoder gives 1/,
  );
  const wide = createArchitecture("conv-small", {
    imageShape: [8, 8, 1],
    latentDim: 3,
    outputChannels: decoderOutputChannels(likelihood, 1),
  });
  const vae = createVae(wide, likelihood, createPrior("normal"));
  const params = vae.init(keyFromSeed(6));
  assert.deepEqual(params.likelihood, {}, "no learned scale outside the decoder");
  const x = Float32Array.from(pixels(7), (v) => Math.round(v * 255) / 255);
  const out = vae.forward(
    tree.ref(params),
    np.array(x, { shape: [2, 8, 8, 1] }),
    np.array([0.1, -0.3, 0.8, 1.2, 0.4, -0.9], { shape: [2, 3] }),
  );
  out.posterior.dispose();
  out.prior.dispose();
  const z = await out.z.data();
  const logPx = await out.logPxGivenZ.data();
  // Independent reference: the decoder's raw outputs, then the mixture of discretised logistics
  // written out per pixel (σ differences, edge bins to ±∞).
  const raw = (await wide
    .decode(tree.ref(params.decoder), np.array(z, { shape: [2, 3] }))
    .data()) as Float32Array;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  for (let b = 0; b < 2; b++) {
    let expected = 0;
    for (let i = 0; i < 64; i++) {
      const o = raw.subarray((b * 64 + i) * 9, (b * 64 + i + 1) * 9);
      const value = x[b * 64 + i];
      const maxLogit = Math.max(o[0], o[1], o[2]);
      const norm = [0, 1, 2].reduce((s, k) => s + Math.exp(o[k] - maxLogit), 0);
      let p = 0;
      for (let k = 0; k < 3; k++) {
        const s = Math.exp(Math.max(o[6 + k], -7));
        const upper = value > 1 - 1 / 510 ? 1 : sigmoid((value + 1 / 510 - o[3 + k]) / s);
        const lower = value < 1 / 510 ? 0 : sigmoid((value - 1 / 510 - o[3 + k]) / s);
        p += (Math.exp(o[k] - maxLogit) / norm) * (upper - lower);
      }
      expected += Math.log(p);
    }
    assert.ok(
      Math.abs(logPx[b] - expected) < 1e-3 * Math.abs(expected),
      `log p(x|z)[${b}] ${logPx[b]} vs ${expected}`,
    );
  }
  const mean = (await vae
    .decodeMean(tree.ref(params.decoder), np.array(z, { shape: [2, 3] }))
    .data()) as Float32Array;
  assert.equal(mean.length, 2 * 64);
  assert.ok(
    mean.every((v) => v >= 0 && v <= 1),
    "the mixture mean is clipped to [0,1]",
  );
  tree.dispose(params);
});
