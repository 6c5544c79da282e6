/**
 * The triplet term's metric losses against PyTorch 1.13 (tools/golden/objectives_metric_losses.py):
 * the margin loss as torch.nn.TripletMarginWithDistanceLoss computes it, InfoNCE as one
 * cross-entropy per anchor over its query's candidates, each with the gradient of the mean
 * with respect to all six posterior parameters; and InfoNCE's closed-form reduction to the
 * Bernoulli triplet likelihood with one triplet per query.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { createDivergence } from "../../src/distributions/divergences/divergence.ts";
import { initEngine } from "../../src/engine/device.ts";
import { type Array, grad, numpy as np } from "../../src/engine/jax.ts";
import {
  masksPerTriplet,
  type TripletPosteriors,
  tripletDistances,
  tripletLogLikelihood,
} from "../../src/objectives/triplet-likelihood.ts";
import {
  checkTripletLoss,
  type TripletLossConfig,
  tripletLossOf,
} from "../../src/objectives/triplet-loss.ts";

await initEngine();

type Matrix = number[][];
interface Case {
  loss: "margin" | "infonce";
  margin?: number;
  temperature?: number;
  divergence: "mean-squared" | "symmetric-kl";
  posteriors: Record<"anchor" | "positive" | "negative", { mu: Matrix; logvar: Matrix }>;
  perTriplet: number[];
  gradOfMean: Record<string, Matrix>;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/metric-losses.json", import.meta.url), "utf8"),
) as { query: number[]; masks: Matrix; cases: Case[] };

const ROLES = ["anchor", "positive", "negative"] as const;
const mat = (rows: Matrix) =>
  np.array(Float32Array.from(rows.flat())).reshape([rows.length, rows[0].length]);
const ints = (v: number[]) => np.array(Int32Array.from(v));

function configOf(c: Case): TripletLossConfig {
  return c.loss === "margin"
    ? { name: "margin", margin: c.margin as number }
    : { name: "infonce", temperature: c.temperature as number };
}

/** The mean loss as a function of the six posterior arrays, as tripletVaeObjective composes it. */
function meanLoss(
  config: TripletLossConfig,
  c: Case,
  query: number[],
  masks: Matrix,
  perTriplet = false,
) {
  const divergence = createDivergence({ name: c.divergence });
  return (...params: Array[]): Array => {
    const [aMu, aLv, pMu, pLv, nMu, nLv] = params;
    const posteriors: TripletPosteriors = {
      anchor: { mu: aMu, logvar: aLv },
      positive: { mu: pMu, logvar: pLv },
      negative: { mu: nMu, logvar: nLv },
    };
    const copy = (g: { mu: Array; logvar: Array }) => ({ mu: g.mu.ref, logvar: g.logvar.ref });
    const rows = masksPerTriplet(mat(masks), ints(query));
    const distances = tripletDistances(
      divergence,
      {
        anchor: copy(posteriors.anchor),
        positive: copy(posteriors.positive),
        negative: copy(posteriors.negative),
      },
      rows.ref,
    );
    const loss = tripletLossOf(config, divergence, {
      distances,
      posteriors,
      masks: rows,
      query: ints(query),
    });
    return perTriplet ? loss : np.mean(loss);
  };
}

const inputs = (c: Case) =>
  ROLES.flatMap((r) => [mat(c.posteriors[r].mu), mat(c.posteriors[r].logvar)]);

function assertClose(
  actual: ArrayLike<number>,
  expected: number[],
  tolerance: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance * scale,
      `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`,
    );
  }
}

for (const c of fixture.cases) {
  const setting = c.loss === "margin" ? `margin ${c.margin}` : `temperature ${c.temperature}`;
  test(`${c.loss} (${setting}, ${c.divergence}) matches PyTorch per triplet and in its gradient`, async () => {
    const config = configOf(c);
    const perTriplet = meanLoss(config, c, fixture.query, fixture.masks, true)(...inputs(c));
    assertClose(await perTriplet.data(), c.perTriplet, 2e-5, "loss");
    const gradients = grad(meanLoss(config, c, fixture.query, fixture.masks), {
      argnums: [0, 1, 2, 3, 4, 5],
    })(...inputs(c)) as Array[];
    const names = ROLES.flatMap((r) => [`${r}.mu`, `${r}.logvar`]);
    for (let i = 0; i < names.length; i++) {
      assertClose(
        await gradients[i].data(),
        c.gradOfMean[names[i]].flat(),
        2e-5,
        `d mean / d ${names[i]}`,
      );
    }
  });
}

test("infonce with one triplet per query is softplus((d+ - d-)/τ): at τ = 1 the triplet likelihood's -log p(t)", async () => {
  const c = fixture.cases.find((k) => k.divergence === "symmetric-kl") as Case;
  // Keep the first triplet of each query: the candidates are its own positive and negative.
  const keep = [0, 1];
  const one: Case = {
    ...c,
    posteriors: Object.fromEntries(
      ROLES.map((r) => [
        r,
        {
          mu: keep.map((i) => c.posteriors[r].mu[i]),
          logvar: keep.map((i) => c.posteriors[r].logvar[i]),
        },
      ]),
    ) as Case["posteriors"],
  };
  const query = keep.map((i) => fixture.query[i]);
  assert.deepEqual(query, [0, 1]);
  for (const temperature of [1, 0.25]) {
    const infoNce = await meanLoss(
      { name: "infonce", temperature },
      one,
      query,
      fixture.masks,
      true,
    )(...inputs(one)).data();
    const divergence = createDivergence({ name: "symmetric-kl" });
    const [aMu, aLv, pMu, pLv, nMu, nLv] = inputs(one);
    const d = tripletDistances(
      divergence,
      {
        anchor: { mu: aMu, logvar: aLv },
        positive: { mu: pMu, logvar: pLv },
        negative: { mu: nMu, logvar: nLv },
      },
      masksPerTriplet(mat(fixture.masks), ints(query)),
    );
    const scaled = {
      positive: d.positive.mul(1 / temperature),
      negative: d.negative.mul(1 / temperature),
    };
    const expected = globalThis.Array.from(await tripletLogLikelihood(scaled).neg().data(), Number);
    assertClose(infoNce, expected, 1e-5, `τ = ${temperature}`);
  }
});

test("infonce refuses a divergence it cannot score pairwise, naming the ones it can", () => {
  const config: TripletLossConfig = { name: "infonce", temperature: 1 };
  for (const divergence of [
    createDivergence({ name: "jensen-shannon-joint" }),
    createDivergence({ name: "jensen-shannon-per-dim", estimator: "monte-carlo", samples: 4 }),
  ]) {
    assert.throws(
      () => checkTripletLoss(config, divergence),
      /infonce: needs a deterministic per-dimension divergence .* got jensen-shannon-(joint|per-dim \(monte-carlo\)); use jensen-shannon-per-dim with the gauss-hermite estimator, symmetric-kl or mean-squared/,
    );
  }
  checkTripletLoss(config, createDivergence({ name: "mean-squared" }));
  checkTripletLoss(
    { name: "margin", margin: 1 },
    createDivergence({ name: "jensen-shannon-joint" }),
  );
});

test("the margin loss and infonce refuse a negative margin and a non-positive temperature", async () => {
  const c = fixture.cases[0];
  assert.throws(
    () => meanLoss({ name: "margin", margin: -1 }, c, fixture.query, fixture.masks)(...inputs(c)),
    /margin is -1, expected a finite number >= 0/,
  );
  assert.throws(
    () =>
      meanLoss({ name: "infonce", temperature: 0 }, c, fixture.query, fixture.masks)(...inputs(c)),
    /temperature is 0, expected a finite number > 0/,
  );
});
