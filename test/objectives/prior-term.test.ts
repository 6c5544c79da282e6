/**
 * The prior term of beta-vae and capacity-vae: each prior divergence takes the KL's place in
 * the loss (the values themselves are checked against integration in
 * test/distributions/prior-divergences/), the logged kl and elbo stay the ELBO's, the PRNG key
 * is asked for exactly by the divergences that sample the prior, and a run config refuses the
 * combinations that make no sense. A tiny run trains through the task layer and resumes.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import {
  PRIOR_DIVERGENCE_NAMES,
  PRIOR_DIVERGENCES,
  samplesPrior,
} from "../../src/objectives/prior-term.ts";
import { createObjective } from "../../src/objectives/registry.ts";
import { ConfigError, parseTrainConfig } from "../../src/run/config.ts";
import { readLog } from "../../src/run/log.ts";
import { TINY_SPRITES } from "../helpers/cli.ts";
import { NATIVE_PASS_ONLY } from "../helpers/native-pass.ts";
import { checkpointLeafData, trainStraightAndResumed } from "../helpers/resume.ts";
import { KL, LOGVAR, MU, REC, twoExampleBatch } from "./two-examples.ts";

// Run only in the native pass (NATIVE_PASS_ONLY):
// the task layer is device-independent; resume on Wasm is tested in test/run/resume.test.ts.

const values = (terms: Record<string, { item(): number }>): Record<string, number> =>
  Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, v.item()]));

/** KL(N(0, 1) || N(mu, e^logvar)) summed over dimensions, mean over the two examples. */
const REVERSE_KL =
  MU.flatMap((row, i) =>
    row.map((mu, d) => 0.5 * (LOGVAR[i][d] + (1 + mu * mu) * Math.exp(-LOGVAR[i][d]) - 1)),
  ).reduce((a, b) => a + b, 0) / MU.length;

test("beta-vae: loss = reconstruction + beta·a·D for every prior divergence, with kl and elbo still the ELBO's", () => {
  for (const priorDivergence of PRIOR_DIVERGENCE_NAMES) {
    const objective = createObjective("beta-vae", { beta: 3, priorDivergence });
    assert.equal(objective.needsKey, samplesPrior(priorDivergence), priorDivergence);
    const { loss, terms } = objective.evaluate(twoExampleBatch(), {
      datasetSize: 10,
      annealing: np.array(0.5),
      ...(objective.needsKey ? { key: keyFromSeed(3) } : {}),
    });
    const got: Record<string, number> = { loss: loss.item(), ...values(terms) };
    const divergence = priorDivergence === "kl" ? got.kl : got[priorDivergence];
    assert.ok(Number.isFinite(divergence), `${priorDivergence}: ${JSON.stringify(got)}`);
    assert.ok(Math.abs(got.loss - (REC + 1.5 * divergence)) < 1e-4, priorDivergence);
    assert.ok(Math.abs(got.kl - KL) < 1e-5, `${priorDivergence}: kl ${got.kl} vs ${KL}`);
    assert.ok(Math.abs(got.elbo + REC + KL) < 1e-4, priorDivergence);
    if (priorDivergence === "reverse-kl") {
      assert.ok(Math.abs(divergence - REVERSE_KL) < 1e-5, `${divergence} vs ${REVERSE_KL}`);
    }
  }
});

test("capacity-vae with a prior divergence: loss = reconstruction + gamma·|D − a·C|", () => {
  const objective = createObjective("capacity-vae", {
    gamma: 10,
    capacity: 4,
    priorDivergence: "renyi",
  });
  const { loss, terms } = objective.evaluate(twoExampleBatch(), {
    datasetSize: 10,
    annealing: np.array(0.25),
  });
  const got: Record<string, number> = { loss: loss.item(), ...values(terms) };
  assert.ok(got.renyi > 0 && got.renyi < got.kl, `renyi ${got.renyi} below kl ${got.kl}`);
  assert.ok(Math.abs(got.loss - (REC + 10 * Math.abs(got.renyi - 1))) < 1e-3);
  assert.equal(got.capacity, 1);
});

test("the key is required by the divergences that sample the prior, refused by the others", () => {
  const sampling = createObjective("beta-vae", { priorDivergence: "mmd-imq" });
  assert.throws(
    () => sampling.evaluate(twoExampleBatch(), { datasetSize: 10, annealing: np.array(1) }),
    /prior divergence mmd-imq: draws from the prior and needs a PRNG key/,
  );
  const closed = createObjective("beta-vae", { priorDivergence: "renyi" });
  assert.throws(
    () =>
      closed.evaluate(twoExampleBatch(), {
        datasetSize: 10,
        annealing: np.array(1),
        key: keyFromSeed(1),
      }),
    /prior divergence renyi: takes no PRNG key/,
  );
  for (const name of PRIOR_DIVERGENCE_NAMES) {
    assert.ok(PRIOR_DIVERGENCES[name].summary.length > 0);
  }
});

test("a run config refuses a prior divergence that makes no sense, saying why", () => {
  const refused = (input: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(
      () => parseTrainConfig(input, "test"),
      (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
    );
  refused(
    { model: "beta-tcvae", priorDivergence: "mmd-rbf" },
    /beta-tcvae takes no priorDivergence: its mi \+ tc \+ dwkl decomposition is of the KL/,
  );
  refused(
    { model: "beta-vae", priorDivergence: "renyi", prior: "laplace" },
    /renyi with prior laplace: its closed form needs the normal prior, not laplace/,
  );
  refused({ model: "vae", priorDivergence: "jensen-shannon" }, /vae takes no priorDivergence/);
  refused({ model: "beta-vae", renyiAlpha: 1 }, /renyiAlpha/);
  const ok = parseTrainConfig(
    { model: "triplet-vae", base: "beta-vae", priorDivergence: "mmd-rbf", queries: ["shape"] },
    "test",
  );
  assert.equal(ok.priorDivergence, "mmd-rbf");
});

test("beta-vae with MMD trains through the task layer, logs its term, and resumes bit for bit", {
  skip: NATIVE_PASS_ONLY,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-prior-term-"));
  const config = (out: string, steps: number) =>
    parseTrainConfig(
      {
        model: "beta-vae",
        beta: 50,
        priorDivergence: "mmd-rbf",
        dataOptions: TINY_SPRITES,
        z: 3,
        batch: 8,
        steps,
        logEvery: 3,
        checkpointEvery: 3,
        seed: 2,
        out,
      },
      "test",
    );
  const { straight, resumed } = await trainStraightAndResumed(dir, config, 6);
  const rows = readLog(join(straight, "log.jsonl"));
  assert.ok(rows.every((row) => Number.isFinite(row["mmd-rbf"]) && Number.isFinite(row.kl)));
  assert.deepEqual(await checkpointLeafData(resumed), await checkpointLeafData(straight));
});
