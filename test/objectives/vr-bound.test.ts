/**
 * The variational Rényi bound (Li & Turner 2016) against its formula in float64 over
 * hand-made batches, its closed-form properties (the exact posterior gives log p(x) at every
 * α; the bound falls as α rises, from IWAE at 0 to the ELBO at 1; it never falls below the
 * ELBO of the same samples), and the task's K copies of each image.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadSprites } from "../../src/data/datasets/sprites.ts";
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import { createPrior } from "../../src/distributions/priors.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import type { LatentBatch } from "../../src/objectives/objective.ts";
import { createObjective } from "../../src/objectives/registry.ts";
import { ImageBatchMaker } from "../../src/train/vae-task.ts";
import { logNormal, logSumExp } from "../distributions/reference.ts";
import { runCli, TINY_SPRITES, trainTinyRun } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";

// Run only in the native pass (NATIVE_PASS_ONLY): the CLI run is device-independent (the bound
// is checked above on both devices): native pass only.

const B = 2;
const K = 3;
const Z = 2;
/** Posterior means and log-variances per row (rows i·K .. i·K + 2 are image i). */
const MU = [0.5, -1, 0.6, -0.9, 0.4, -1.2, 1.5, 0.2, 1.4, 0.1, 1.6, 0.3];
const LOGVAR = [-0.5, 0.3, -0.4, 0.2, -0.6, 0.1, 0, -1.2, 0.1, -1, -0.1, -1.1];
const SAMPLE = [0.7, -0.4, 0.1, -1.5, 0.9, -0.8, 1.1, 0.5, 1.9, 0.2, 1.2, -0.1];
const LOG_PX = [-12.5, -11, -14.2, -20, -18.5, -21.3];

const batch = (logPx = LOG_PX): LatentBatch => ({
  logPxGivenZ: np.array(logPx),
  z: np.array(SAMPLE, { shape: [B * K, Z] }),
  posterior: diagonalGaussian({
    mu: np.array(MU, { shape: [B * K, Z] }),
    logvar: np.array(LOGVAR, { shape: [B * K, Z] }),
  }),
  prior: createPrior("normal").distribution(Z),
});

/** log w per row in float64: log p(x|z) + log N(z; 0, I) − log q(z|x). */
const logWeights = (logPx = LOG_PX) =>
  logPx.map((lp, r) => {
    let w = lp;
    for (let d = 0; d < Z; d++) {
      const i = r * Z + d;
      w += logNormal(SAMPLE[i], 0, 0) - logNormal(SAMPLE[i], MU[i], LOGVAR[i]);
    }
    return w;
  });

/** mean over images of 1/(1−α) log (1/K) Σ_k w_k^(1−α) (the mean of log w at α = 1). */
function referenceBound(alpha: number, logW: number[]): number {
  let total = 0;
  for (let b = 0; b < B; b++) {
    const mine = logW.slice(b * K, (b + 1) * K);
    total +=
      alpha === 1
        ? mine.reduce((a, v) => a + v, 0) / K
        : (logSumExp(mine.map((v) => (1 - alpha) * v)) - Math.log(K)) / (1 - alpha);
  }
  return total / B;
}

const evaluate = (alpha: number, logPx = LOG_PX) => {
  const { loss, terms } = createObjective("vr-bound", { alpha, samples: K }).evaluate(
    batch(logPx),
    {
      datasetSize: 100,
      annealing: np.array(1),
    },
  );
  return { loss: loss.item(), vr: terms.vr.item(), elbo: terms.elbo.item() };
};

test("vr-bound: the bound and loss match the formula in float64 at α 0, 0.5, 0.9 and 1", () => {
  for (const alpha of [0, 0.5, 0.9, 1]) {
    const expected = referenceBound(alpha, logWeights());
    const { loss, vr } = evaluate(alpha);
    assert.ok(
      Math.abs(vr - expected) < 1e-4 * Math.abs(expected),
      `α ${alpha}: ${vr} vs ${expected}`,
    );
    assert.equal(loss, -vr);
  }
});

test("vr-bound: with the exact posterior (constant weights) it is log p(x) at every α", () => {
  // log p(x|z_k) chosen so that every log w_k = -7 (image 0) or -9 (image 1): q is p(z|x).
  const logW = logWeights(LOG_PX.map(() => 0));
  const logPx = logW.map((w, r) => (r < K ? -7 : -9) - w);
  for (const alpha of [0, 0.3, 0.8, 1]) {
    const { vr } = evaluate(alpha, logPx);
    assert.ok(Math.abs(vr - -8) < 1e-4, `α ${alpha}: ${vr}`);
  }
});

test("vr-bound: falls as α rises (Li & Turner 2016, Thm. 1), from IWAE at 0 to the mean log weight (the ELBO's estimate) at 1, continuously", () => {
  const values = [0, 0.25, 0.5, 0.75, 0.999, 1].map((alpha) => evaluate(alpha));
  for (let i = 1; i < values.length; i++) {
    assert.ok(values[i].vr <= values[i - 1].vr + 1e-5, JSON.stringify(values.map((v) => v.vr)));
  }
  assert.ok(Math.abs(values[4].vr - values[5].vr) < 5e-3, "α 0.999 vs 1");
  const logW = logWeights();
  const iwae =
    [0, 1].reduce((a, b) => a + logSumExp(logW.slice(b * K, (b + 1) * K)) - Math.log(K), 0) / B;
  assert.ok(Math.abs(values[0].vr - iwae) < 1e-4, `α 0: ${values[0].vr} vs IWAE ${iwae}`);
  const meanLogWeight = logW.reduce((a, v) => a + v, 0) / (B * K);
  assert.ok(
    Math.abs(values[5].vr - meanLogWeight) < 1e-4,
    `α 1: ${values[5].vr} vs ${meanLogWeight}`,
  );
});

test("vr-bound: the task repeats each image K times with K·B rows of noise", async () => {
  const dataset = loadSprites(TINY_SPRITES);
  const maker = new ImageBatchMaker(
    { dataset, trainIndices: Int32Array.from([0, 5, 9]), batchSize: 3, seed: 1, warmupSteps: 0 },
    4,
    createObjective("vr-bound", { samples: 2 }),
  );
  const { x, eps, annealing } = maker.at(1, keyFromSeed(2));
  annealing.dispose();
  assert.deepEqual(x.shape, [6, 16, 16, 1]);
  assert.deepEqual(eps.shape, [6, 4]);
  const pixels = (await x.data()) as Float32Array;
  const size = 16 * 16;
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(
      pixels.subarray(2 * i * size, (2 * i + 1) * size),
      pixels.subarray((2 * i + 1) * size, (2 * i + 2) * size),
      `image ${i}'s copies`,
    );
  }
  const noise = (await eps.data()) as Float32Array;
  assert.notDeepEqual(noise.subarray(0, 4), noise.subarray(4, 8));
});

test("vr-bound trains from the CLI with its bound logged, and a prior divergence is refused with the reason", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-vr-"));
  const [{ run, result }, refused] = await Promise.all([
    trainTinyRun(dir, [
      "--model",
      "vr-bound",
      "--alpha",
      "0",
      "--samples",
      "3",
      "--z",
      "3",
      "--batch",
      "8",
      "--steps",
      "6",
      "--log-every",
      "2",
    ]),
    runCli(["train", "--model", "vr-bound", "--prior-divergence", "mmd-rbf", "--steps", "1"]),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const rows = readFileSync(join(run, "log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  assert.ok(rows.length >= 3);
  for (const row of rows) {
    assert.ok(Number.isFinite(row.vr) && Number.isFinite(row.elbo), JSON.stringify(row));
    assert.equal(row.loss, -row.vr);
  }
  assert.notEqual(refused.code, 0);
  assert.match(
    refused.stderr,
    /vr-bound takes no priorDivergence: its bound is of p\(x, z\) \/ q\(z\|x\) as a whole/,
  );
});
