/**
 * The capacity-controlled beta-VAE (src/objectives/capacity-vae.ts; Burgess et al. 2018,
 * eq. 8): loss = reconstruction + gamma · |KL − C|, C = capacity · a.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { grad, type Array as JaxArray, numpy as np } from "../../src/engine/jax.ts";
import type { LatentBatch } from "../../src/objectives/objective.ts";
import { createObjective, OBJECTIVES } from "../../src/objectives/registry.ts";
import { ConfigError, objectiveOptions, parseTrainConfig } from "../../src/run/config.ts";
import { readLog } from "../../src/run/log.ts";
import { assertClose } from "../distributions/reference.ts";
import { trainTinyRun } from "../helpers/cli.ts";
import { KL, LOGVAR, MU, REC, referenceKl, twoExampleBatch } from "./two-examples.ts";

/** The prior term's documented defaults (the KL, as in Burgess et al.). */
const PRIOR_TERM_DEFAULTS = { priorDivergence: "kl", renyiAlpha: 0.5, mmdScale: 1 };

function batch(mu?: JaxArray, logPx?: JaxArray): LatentBatch {
  return twoExampleBatch({ mu, logPx });
}

test("descriptor: defaults gamma 1000 and capacity 25 (Burgess et al. 2018, dSprites)", () => {
  assert.deepEqual(OBJECTIVES["capacity-vae"].schema.parse({}), {
    gamma: 1000,
    capacity: 25,
    ...PRIOR_TERM_DEFAULTS,
  });
  assert.throws(() => createObjective("capacity-vae", { capacity: -1 }), /capacity is -1/);
});

test("loss = reconstruction + gamma·|KL − C|, C = capacity·a, at a = 0, 0.5, 1", () => {
  const gamma = 10;
  // KL ≈ 1.05 nats: C = 0, 1.5, 3 puts the KL above, below and well below the target.
  const capacity = 3;
  const objective = createObjective("capacity-vae", { gamma, capacity });
  for (const a of [0, 0.5, 1]) {
    const out = objective.evaluate(batch(), { datasetSize: 10, annealing: np.array(a) });
    const got = [out.loss, out.terms.reconstruction, out.terms.kl, out.terms.elbo];
    const c = capacity * a;
    assertClose(
      [...got.map((x) => x.item()), out.terms.capacity.item()],
      [REC + gamma * Math.abs(KL - c), REC, KL, -(REC + KL), c],
      1e-5,
      1e-5,
      `a = ${a}`,
    );
    assert.deepEqual(Object.keys(out.terms).sort(), ["capacity", "elbo", "kl", "reconstruction"]);
  }
});

test("d loss / d mu changes sign when the KL crosses C", () => {
  const gamma = 7;
  const capacity = 4;
  const a = 0.5; // C = 2
  const objective = createObjective("capacity-vae", { gamma, capacity });
  const loss = (mu: JaxArray) => {
    const out = objective.evaluate(batch(mu), { datasetSize: 10, annealing: np.array(a) });
    for (const t of Object.values(out.terms)) t.dispose();
    return out.loss;
  };
  // mu = s · MU: the KL grows with s² (logvar fixed); logPx does not depend on mu here.
  const { crossing, rows } = crossingScale(capacity * a);
  for (const [s, side] of [
    [0.8 * crossing, -1],
    [1.25 * crossing, 1],
  ] as const) {
    const mu = MU.map((row) => row.map((v) => s * v));
    const kl = referenceKl(mu, LOGVAR);
    assert.equal(Math.sign(kl - capacity * a), side, `s = ${s}: KL ${kl} vs C ${capacity * a}`);
    const g = grad(loss)(np.array(mu)).dataSync();
    // d/dmu of gamma·|KL − C| = gamma·sign(KL − C)·mu / B (the KL's mean over B = rows).
    const want = mu.flat().map((v) => (gamma * side * v) / rows);
    assertClose(g, want, 1e-4, 1e-5, `gradient at s = ${s}`);
    for (let k = 0; k < want.length; k++) {
      assert.equal(Math.sign(g[k]), side * Math.sign(mu.flat()[k]), `sign of component ${k}`);
    }
  }
});

/** The scale s at which KL(s · MU, LOGVAR) = C (bisection on the closed form). */
function crossingScale(c: number): { crossing: number; rows: number } {
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    const kl = referenceKl(
      MU.map((row) => row.map((v) => mid * v)),
      LOGVAR,
    );
    if (kl < c) lo = mid;
    else hi = mid;
  }
  assert.ok(lo > 0.1 && lo < 99, `no crossing for C = ${c}`);
  return { crossing: lo, rows: MU.length };
}

test("config: capacity-vae takes gamma and capacity, not beta", () => {
  const config = parseTrainConfig({ model: "capacity-vae", gamma: 100, capacity: 5 }, "test");
  assert.equal(config.model, "capacity-vae");
  assert.deepEqual(objectiveOptions(config), { gamma: 100, capacity: 5, ...PRIOR_TERM_DEFAULTS });
  // Its own defaults, not beta-TCVAE's gamma = 1.
  assert.deepEqual(objectiveOptions(parseTrainConfig({ model: "capacity-vae" }, "test")), {
    gamma: 1000,
    capacity: 25,
    ...PRIOR_TERM_DEFAULTS,
  });
  assert.throws(
    () => parseTrainConfig({ model: "capacity-vae", beta: 2 }, "test"),
    (error: unknown) =>
      error instanceof ConfigError && /capacity-vae takes no beta/.test(error.message),
  );
});

test("CLI: a 30-step capacity-vae run raises C over --beta-warmup 20 to --capacity 5", async () => {
  const dir = mkdtempSync(join(tmpdir(), "disentangle-capacity-"));
  const { run, result } = await trainTinyRun(dir, [
    "--model",
    "capacity-vae",
    "--capacity",
    "5",
    "--beta-warmup",
    "20",
    "--z",
    "4",
    "--batch",
    "16",
    "--steps",
    "30",
    "--log-every",
    "10",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const rows = readLog(join(run, "log.jsonl"));
  assert.deepEqual(
    rows.map((row) => row.step),
    [10, 20, 30],
  );
  for (const row of rows) {
    for (const term of ["loss", "reconstruction", "kl", "elbo", "capacity"]) {
      assert.ok(Number.isFinite(row[term]), `step ${row.step}: ${term} = ${row[term]}`);
    }
  }
  const at = (step: number) => rows.find((row) => row.step === step)?.capacity as number;
  assert.ok(at(10) < 5, `C at step 10 is ${at(10)}`);
  assert.ok(Math.abs(at(10) - 2.5) < 1e-6, `C at step 10 is ${at(10)}, want 5 · 10/20`);
  assert.equal(at(30), 5);
});
