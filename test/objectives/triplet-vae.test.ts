import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import { createDivergence } from "../../src/distributions/divergences/divergence.ts";
import { createPrior } from "../../src/distributions/priors.ts";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { createObjective } from "../../src/objectives/registry.ts";
import { tripletVaeObjective } from "../../src/objectives/triplet-vae.ts";

await initEngine();

const mat = (rows: number[][]) =>
  np.array(Float32Array.from(rows.flat())).reshape([rows.length, rows[0].length]);

/** Two images with log p(x|z) = -10, -20 and posteriors N(0, 1) except mu[1] = (2, 0):
 * reconstruction 15, KL = mean(0, 0.5·4) = 1. */
const images = () => ({
  logPxGivenZ: np.array([-10, -20]),
  z: np.zeros([2, 2]),
  posterior: diagonalGaussian({
    mu: mat([
      [0, 0],
      [2, 0],
    ]),
    logvar: np.zeros([2, 2]),
  }),
  prior: createPrior("normal").distribution(2),
});

/** The hand case of triplet-likelihood.test.ts, Z = 2: query 0 owns dim 0, query 1 dim 1.
 * Triplet 0 (query 0): d = 1, 4 -> -log p = 0.0485873515, right.
 * Triplet 1 (query 1): d = 4, 0 -> -log p = 4.0181499279, wrong. Mean NLL 2.0333686397. */
const triplets = (masks: number[][]) => ({
  anchor: {
    mu: mat([
      [0, 0],
      [0, 0],
    ]),
    logvar: np.zeros([2, 2]),
  },
  positive: {
    mu: mat([
      [1, 2],
      [1, 2],
    ]),
    logvar: np.zeros([2, 2]),
  },
  negative: {
    mu: mat([
      [2, 0],
      [2, 0],
    ]),
    logvar: np.zeros([2, 2]),
  },
  query: np.array(Int32Array.from([0, 1])),
  masks: mat(masks),
});

/** The hand case through `objective`: query 0 owns dim 0, query 1 dim 1, annealing `a`. */
const onHandCase = (objective: ReturnType<typeof tripletVaeObjective>, a: number) =>
  objective.evaluate(
    images(),
    triplets([
      [1, 0],
      [0, 1],
    ]),
    { datasetSize: 100, annealing: np.array(a) },
  );

test("triplet VAE loss = base loss + λ·triplet NLL + w·Σ mask, with the base's terms kept", async () => {
  const objective = tripletVaeObjective({
    base: createObjective("vae"),
    divergence: createDivergence({ name: "mean-squared" }),
    loss: { name: "likelihood" },
    weight: 3,
    maskL1: 0.1,
  });
  const result = onHandCase(objective, 1);
  const terms = Object.fromEntries(
    await Promise.all(Object.entries(result.terms).map(async ([k, v]) => [k, (await v.data())[0]])),
  );
  assert.deepEqual(Object.keys(terms).sort(), [
    "elbo",
    "kl",
    "maskL1",
    "reconstruction",
    "triplet",
    "tripletAccuracy",
  ]);
  assert.ok(Math.abs(terms.reconstruction - 15) < 1e-5);
  assert.ok(Math.abs(terms.kl - 1) < 1e-6);
  assert.ok(Math.abs(terms.triplet - 2.0333686397) < 1e-5, `${terms.triplet}`);
  assert.equal(terms.tripletAccuracy, 0.5);
  assert.equal(terms.maskL1, 2);
  const loss = (await result.loss.data())[0];
  assert.ok(Math.abs(loss - (16 + 3 * 2.0333686397 + 0.1 * 2)) < 1e-4, `${loss}`);
});

test("with a metric loss in the triplet slot: loss = base + λ·mean loss, accuracy unchanged", async () => {
  // The hand case above: d = (1, 4) for triplet 0 and (4, 0) for triplet 1.
  // margin α = 2: max(0, 1 - 4 + 2) = 0 and max(0, 4 - 0 + 2) = 6 -> mean 3.
  // infonce τ = 1, one triplet per query: softplus(d₊ - d₋), the likelihood's mean 2.0333686397.
  const cases = [
    { loss: { name: "margin", margin: 2 }, triplet: 3 },
    { loss: { name: "infonce", temperature: 1 }, triplet: 2.0333686397 },
  ] as const;
  for (const { loss, triplet } of cases) {
    const objective = tripletVaeObjective({
      base: createObjective("vae"),
      divergence: createDivergence({ name: "mean-squared" }),
      loss,
      weight: 3,
      maskL1: 0,
    });
    const result = onHandCase(objective, 1);
    const value = async (a: { data(): Promise<ArrayLike<number>> }) => (await a.data())[0];
    assert.ok(Math.abs((await value(result.terms.triplet)) - triplet) < 1e-5, loss.name);
    assert.equal(await value(result.terms.tripletAccuracy), 0.5, loss.name);
    assert.ok(Math.abs((await value(result.loss)) - (16 + 3 * triplet)) < 1e-4, loss.name);
    for (const [k, v] of Object.entries(result.terms)) {
      if (k !== "triplet" && k !== "tripletAccuracy") v.dispose();
    }
  }
});

test("triplet VAE composes with beta-VAE (annealed beta on the KL only)", async () => {
  const objective = tripletVaeObjective({
    base: createObjective("beta-vae", { beta: 4 }),
    divergence: createDivergence({ name: "mean-squared" }),
    loss: { name: "likelihood" },
    weight: 1,
    maskL1: 0,
  });
  const result = onHandCase(objective, 0.5);
  const loss = (await result.loss.data())[0];
  // 15 + 4·0.5·1 + 2.0333686397
  assert.ok(Math.abs(loss - 19.0333686397) < 1e-4, `${loss}`);
  for (const v of Object.values(result.terms)) v.dispose();
});

test("triplet VAE rejects bad weights and misshapen triplet batches", () => {
  const base = createObjective("vae");
  const divergence = createDivergence({ name: "mean-squared" });
  assert.throws(
    () =>
      tripletVaeObjective({
        base,
        divergence,
        loss: { name: "likelihood" },
        weight: -1,
        maskL1: 0,
      }),
    /weight is -1/,
  );
  assert.throws(
    () =>
      tripletVaeObjective({
        base,
        divergence,
        loss: { name: "likelihood" },
        weight: 1,
        maskL1: Number.NaN,
      }),
    /maskL1 is NaN/,
  );
  const objective = tripletVaeObjective({
    base,
    divergence,
    loss: { name: "likelihood" },
    weight: 1,
    maskL1: 0,
  });
  assert.throws(
    () =>
      objective.evaluate(images(), triplets([[1, 0, 0]]), {
        datasetSize: 10,
        annealing: np.array(1),
      }),
    /triplets.masks has shape \[1,3\], expected \[queries, 2\]/,
  );
  assert.equal(objective.noiseShape(4, 2), null);
});
