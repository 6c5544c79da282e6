/**
 * The learned priors in the model (Tomczak & Welling 2018): their parameters live in the
 * model's tree, the VampPrior's components are the encoder's posteriors at its pseudo-inputs
 * (checked against encoding them separately), the KL's gradient reaches the prior's
 * parameters (checked against central differences), and a run trains, resumes bit for bit and
 * is scored, with the metrics that need a factorised prior refusing it.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createPrior, type PriorName } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { grad, nn, numpy as np, tree } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { evaluateRun } from "../../src/metrics/evaluate-run.ts";
import { createArchitecture } from "../../src/nn/architectures/index.ts";
import { createVae, type VaeParams } from "../../src/nn/vae.ts";
import { klTerm } from "../../src/objectives/kl-term.ts";
import { loadCheckpoint } from "../../src/run/checkpoint.ts";
import { parseTrainConfig } from "../../src/run/config.ts";
import { loadTrainedRun } from "../../src/run/load-trained-run.ts";
import { readLog } from "../../src/run/log.ts";
import { TINY_SPRITES } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";
import { checkpointLeafData, trainStraightAndResumed } from "../helpers/resume.ts";

await initEngine();

// Run only in the native pass (NATIVE_PASS_ONLY): the run layer is device-independent: checked
// once, in the native pass.

const arch = () => createArchitecture("mlp-chen", { imageShape: [4, 4, 1], latentDim: 3 });
const vaeWith = (prior: PriorName, components?: number) =>
  createVae(arch(), { kind: "bernoulli" }, createPrior(prior, components));
const images = (n: number, seed: number) =>
  np.array(
    Float32Array.from({ length: n * 16 }, (_, i) => (Math.sin(i * 1.3 + seed) + 1) / 2),
    { shape: [n, 4, 4, 1] },
  );
const noise = (n: number, seed: number) =>
  np.array(
    Float32Array.from({ length: n * 3 }, (_, i) => Math.cos(i * 2.1 + seed)),
    { shape: [n, 3] },
  );

test("learned priors: parameters in the model's tree with K components, fixed priors have none", () => {
  const mixture = vaeWith("gaussian-mixture").init(keyFromSeed(1));
  assert.deepEqual(
    Object.fromEntries(Object.entries(mixture.prior).map(([k, v]) => [k, v.shape])),
    { logits: [10], mu: [10, 3], logvar: [10, 3] },
  );
  const vamp = vaeWith("vampprior", 4).init(keyFromSeed(1));
  assert.deepEqual(vamp.prior.pseudoInputLogits.shape, [4, 4, 4, 1]);
  assert.deepEqual(vaeWith("normal").init(keyFromSeed(1)).prior, {});
  for (const params of [mixture, vamp]) tree.dispose(params);
  assert.throws(() => createPrior("laplace", 3), /prior laplace has no components \(got 3\)/);
  assert.throws(() => createPrior("vampprior", 0), /whole number >= 1, got 0/);
  assert.throws(
    () => createPrior("gaussian-mixture").distribution(3),
    /the gaussian-mixture prior is learned with the model/,
  );
});

test("VampPrior: the prior's components are q(z|u_k) at the sigmoid pseudo-inputs, and the batch's posteriors are unchanged by encoding them together", async () => {
  const vae = vaeWith("vampprior", 5);
  const params = vae.init(keyFromSeed(2));
  const out = vae.forward(tree.ref(params), images(2, 0), noise(2, 0));
  assert.equal(out.prior.family, "normal-mixture");
  assert.ok(out.prior.joint);
  const pseudo = nn.sigmoid(params.prior.pseudoInputLogits.ref);
  const separately = arch().encode(tree.ref(params.encoder), pseudo);
  const alone = arch().encode(tree.ref(params.encoder), images(2, 0));
  const close = async (a: np.Array, b: np.Array, what: string) => {
    const [x, y] = [await a.data(), await b.data()];
    assert.equal(x.length, y.length, what);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) < 1e-5, `${what}[${i}]`);
  };
  await close(out.prior.params.mu.ref, separately.mu, "component means");
  await close(out.prior.params.logvar.ref, separately.logvar, "component log-variances");
  await close(out.prior.params.logits.ref, np.zeros([5]), "equal weights");
  await close(out.posterior.params.mu.ref, alone.mu, "posterior means");
  await close(out.posterior.params.logvar.ref, alone.logvar, "posterior log-variances");
  out.prior.dispose();
  out.posterior.dispose();
  out.z.dispose();
  out.logPxGivenZ.dispose();
  tree.dispose(params);
});

/** The batch's Monte Carlo KL as a function of the prior's parameters (encoder and noise fixed). */
const klOfPrior =
  (vae: ReturnType<typeof vaeWith>, params: VaeParams) => (prior: VaeParams["prior"]) => {
    const { encoder, decoder, likelihood } = tree.ref({
      encoder: params.encoder,
      decoder: params.decoder,
      likelihood: params.likelihood,
    });
    const out = vae.forward({ encoder, decoder, likelihood, prior }, images(3, 1), noise(3, 1));
    out.logPxGivenZ.dispose();
    return klTerm(out.posterior, out.prior, out.z);
  };

for (const [name, leaf, index] of [
  ["gaussian-mixture", "mu", 4],
  ["gaussian-mixture", "logits", 1],
  ["vampprior", "pseudoInputLogits", 7],
] as const) {
  test(`${name}: the KL's gradient in the prior's ${leaf} matches central differences`, async () => {
    const vae = vaeWith(name, 3);
    const params = vae.init(keyFromSeed(3));
    const f = klOfPrior(vae, params);
    const gradient = grad(f)(tree.ref(params.prior)) as Record<string, np.Array>;
    const analytic = ((await gradient[leaf].ref.data()) as Float32Array)[index];
    tree.dispose(gradient);
    const h = 1e-2;
    const shifted = async (delta: number) => {
      const values = Float32Array.from((await params.prior[leaf].ref.data()) as Float32Array);
      values[index] += delta;
      const prior = tree.ref(params.prior);
      prior[leaf].dispose();
      prior[leaf] = np.array(values, { shape: params.prior[leaf].shape });
      return f(prior).item();
    };
    const numeric = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
    assert.ok(Math.abs(analytic) > 1e-4, `gradient ${analytic} reaches the prior`);
    assert.ok(
      Math.abs(analytic - numeric) < 0.02 * Math.abs(numeric) + 1e-5,
      `analytic ${analytic} vs central difference ${numeric}`,
    );
    tree.dispose(params);
  });
}

const runConfig = (out: string, steps: number, prior: PriorName) =>
  parseTrainConfig(
    {
      model: "vae",
      prior,
      priorComponents: 3,
      dataOptions: TINY_SPRITES,
      z: 4,
      batch: 8,
      steps,
      logEvery: 3,
      checkpointEvery: 3,
      seed: 5,
      out,
    },
    "test",
  );

test("a VampPrior run trains, resumes bit for bit, keeps its pseudo-inputs in the checkpoint, and is scored; the decomposition refuses it", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-vamp-"));
  const config = (out: string, steps: number) => runConfig(out, steps, "vampprior");
  const { straight, resumed } = await trainStraightAndResumed(dir, config, 6);
  const rows = readLog(join(straight, "log.jsonl"));
  assert.ok(
    rows.every((row) => Number.isFinite(row.kl)),
    JSON.stringify(rows),
  );
  const { params } = loadCheckpoint(straight);
  assert.deepEqual(
    (params as { vae: VaeParams }).vae.prior.pseudoInputLogits.shape,
    [3, 16, 16, 1],
  );
  tree.dispose(params as never);
  assert.deepEqual(await checkpointLeafData(resumed), await checkpointLeafData(straight));

  const run = await loadTrainedRun(straight);
  const report = await evaluateRun(run, { metrics: ["active-dims"], rows: 64 });
  const active = report.metrics["active-dims"];
  assert.ok(Number.isInteger(active.values.active) && (active.values.active ?? -1) <= 4);
  assert.equal(active.values.kl, null);
  assert.equal(active.options.klEstimator, "monte carlo");
  await assert.rejects(
    evaluateRun(run, { metrics: ["decomposition"], rows: 64 }),
    /decomposition.*the vampprior prior does not factorise over dimensions/s,
  );
});

test("config: beta-TCVAE refuses a learned mixture prior, and a fixed prior refuses components, each with the reason", () => {
  assert.throws(
    () => parseTrainConfig({ model: "beta-tcvae", prior: "gaussian-mixture" }, "command line"),
    /the gaussian-mixture prior does not factorise over dimensions, and beta-tcvae: its dimension-wise KL is Σ_d KL\(q\(z_d\) \|\| p\(z_d\)\).*choose a factorised prior: normal, laplace, student-t, stick-breaking/s,
  );
  assert.throws(
    () => parseTrainConfig({ model: "vae", prior: "normal", priorComponents: 4 }, "command line"),
    /priorComponents.*prior normal has no components \(got 4\); only learned priors do: gaussian-mixture, vampprior/s,
  );
  assert.throws(
    () =>
      parseTrainConfig(
        { model: "beta-vae", prior: "vampprior", priorDivergence: "renyi" },
        "command line",
      ),
    /renyi with prior vampprior: its closed form needs the normal prior/,
  );
});
