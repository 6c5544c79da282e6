import assert from "node:assert/strict";
import { test } from "node:test";
import { numpy as np } from "../../src/engine/jax.ts";
import { OBJECTIVE_NAMES } from "../../src/objectives/objective.ts";
import { createObjective, objectiveRegistry } from "../../src/objectives/registry.ts";
import { assertClose, logNormal } from "../distributions/reference.ts";

// Two examples, two latent dimensions.
const MU = [
  [0.5, -1],
  [1.5, 0.2],
];
const LOGVAR = [
  [-0.5, 0.3],
  [0, -1.2],
];
const Z_SAMPLE = [
  [0.7, -0.4],
  [1.1, 0.5],
];
const LOG_PX = [-12.5, -20];
const rec = -(LOG_PX[0] + LOG_PX[1]) / 2;
const kl =
  MU.flat().reduce(
    (s, m, k) => s + 0.5 * (Math.exp(LOGVAR.flat()[k]) + m * m - 1 - LOGVAR.flat()[k]),
    0,
  ) / 2;

const batch = () => ({
  logPxGivenZ: np.array(LOG_PX),
  z: np.array(Z_SAMPLE),
  mu: np.array(MU),
  logvar: np.array(LOGVAR),
});
const values = (r: {
  loss: { item(): number };
  terms: Record<string, { item(): number }>;
}): Record<string, number> => ({
  loss: r.loss.item(),
  ...Object.fromEntries(Object.entries(r.terms).map(([k, v]) => [k, v.item()])),
});

test("the registry has one factory per objective name", () => {
  assert.deepEqual(Object.keys(objectiveRegistry).sort(), [...OBJECTIVE_NAMES].sort());
  for (const name of OBJECTIVE_NAMES) assert.equal(createObjective(name).name, name);
});

test("VAE: loss = reconstruction + a·KL, terms reconstruction, kl, elbo = -(rec + kl)", () => {
  const r = values(
    createObjective("vae").evaluate(batch(), { datasetSize: 10, annealing: np.array(1) }),
  );
  assertClose(
    [r.loss, r.reconstruction, r.kl, r.elbo],
    [rec + kl, rec, kl, -(rec + kl)],
    1e-6,
    1e-5,
    "vae",
  );
  const warm = values(
    createObjective("vae").evaluate(batch(), { datasetSize: 10, annealing: np.array(0.25) }),
  );
  assertClose([warm.loss, warm.elbo], [rec + 0.25 * kl, -(rec + kl)], 1e-6, 1e-5, "vae annealed");
});

test("beta-VAE: loss = reconstruction + beta·a·KL (beta annealed from 0)", () => {
  const objective = objectiveRegistry["beta-vae"]({ beta: 4 });
  const r = values(objective.evaluate(batch(), { datasetSize: 10, annealing: np.array(1) }));
  assertClose([r.loss, r.kl, r.elbo], [rec + 4 * kl, kl, -(rec + kl)], 1e-6, 1e-5, "beta-vae");
  const warm = values(objective.evaluate(batch(), { datasetSize: 10, annealing: np.array(0.5) }));
  assert.ok(Math.abs(warm.loss - (rec + 2 * kl)) < 1e-4);
});

test("beta-TCVAE: loss = rec + alpha·mi + beta·a·tc + gamma·dwkl; terms reported unweighted", () => {
  const objective = createObjective("beta-tcvae", {
    alpha: 2,
    beta: 6,
    gamma: 0.5,
    estimator: "mss",
  });
  const r = values(objective.evaluate(batch(), { datasetSize: 10, annealing: np.array(0.5) }));
  assert.deepEqual(Object.keys(r).sort(), [
    "dwkl",
    "elbo",
    "kl",
    "loss",
    "mi",
    "reconstruction",
    "tc",
  ]);
  assert.ok(Math.abs(r.loss - (r.reconstruction + 2 * r.mi + 3 * r.tc + 0.5 * r.dwkl)) < 1e-4);
  // mi + tc + dwkl = mean log q(z|x) - log p(z) at the given samples.
  const oneSample =
    Z_SAMPLE.reduce(
      (s, z, i) =>
        s +
        z.reduce((u, zd, d) => u + logNormal(zd, MU[i][d], LOGVAR[i][d]) - logNormal(zd, 0, 0), 0),
      0,
    ) / 2;
  assert.ok(Math.abs(r.mi + r.tc + r.dwkl - oneSample) < 1e-5);
  assertClose([r.reconstruction, r.kl], [rec, kl], 1e-6, 1e-5, "shared terms");
});

test("bad hyperparameters are rejected with the field and value named", () => {
  assert.throws(
    () => createObjective("beta-vae", { beta: -1 }),
    /beta-vae: beta is -1, expected a finite number >= 0/,
  );
  assert.throws(
    () => createObjective("beta-tcvae", { gamma: Number.NaN }),
    /beta-tcvae: gamma is NaN/,
  );
  assert.throws(
    () => createObjective("beta-tcvae", { estimator: "mc" as never }),
    /estimator "mc", expected one of mws, mss/,
  );
  assert.throws(
    () => createObjective("vae", { beta: 4 }),
    /vae: beta is 4, the plain VAE has beta = 1/,
  );
  assert.throws(
    () => createObjective("vq-vae" as never),
    /objective "vq-vae": expected one of vae, beta-vae, beta-tcvae/,
  );
  const tcvae = createObjective("beta-tcvae", { estimator: "mss" });
  assert.throws(
    () => tcvae.evaluate(batch(), { datasetSize: 1, annealing: np.array(1) }),
    /datasetSize 1, expected a whole number >= the batch size 2/,
  );
});
