import assert from "node:assert/strict";
import { test } from "node:test";
import { createDivergence } from "../../src/distributions/divergences/divergence.ts";
import { initEngine } from "../../src/engine/device.ts";
import { numpy as np, random } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import {
  masksPerTriplet,
  tripletAccuracyOf,
  tripletDistances,
  tripletLogLikelihood,
  tripletNoiseShape,
} from "../../src/objectives/triplet-likelihood.ts";
import {
  jensenShannonReference,
  jensenShannonReference2d,
} from "../distributions/divergences/reference.ts";

await initEngine();

const mat = (rows: number[][]) =>
  np.array(Float32Array.from(rows.flat())).reshape([rows.length, rows[0].length]);
const ints = (v: number[]) => np.array(Int32Array.from(v));
const gauss = (mu: number[][], logvar: number[][]) => ({ mu: mat(mu), logvar: mat(logvar) });
const zeros = (t: number, z: number) =>
  Array.from({ length: t }, () => new Array<number>(z).fill(0));

test("triplet likelihood with the mean-squared divergence equals a hand computation", async () => {
  // Masks: query 0 owns dims {0, 1}, query 1 dim {2}. Both triplets: anchor (0,0,0),
  // positive (1,0,2), negative (0,2,0).
  // Query 0: d(i,j) = 1² + 0² = 1, d(i,k) = 0² + 2² = 4 -> log p = -log(1 + e^(1-4)) = -0.0485873515.
  // Query 1: d(i,j) = 2² = 4, d(i,k) = 0 -> log p = -log(1 + e^4) = -4.0181499279; wrong way round.
  const d = createDivergence({ name: "mean-squared" });
  const masks = masksPerTriplet(
    mat([
      [1, 1, 0],
      [0, 0, 1],
    ]),
    ints([0, 1]),
  );
  const triplets = {
    anchor: gauss(zeros(2, 3), zeros(2, 3)),
    positive: gauss(
      [
        [1, 0, 2],
        [1, 0, 2],
      ],
      zeros(2, 3),
    ),
    negative: gauss(
      [
        [0, 2, 0],
        [0, 2, 0],
      ],
      zeros(2, 3),
    ),
  };
  const distances = tripletDistances(d, triplets, masks);
  assert.deepEqual(Array.from(await distances.positive.ref.data()), [1, 4]);
  assert.deepEqual(Array.from(await distances.negative.ref.data()), [4, 0]);
  const accuracy = await tripletAccuracyOf({
    positive: distances.positive.ref,
    negative: distances.negative.ref,
  }).data();
  assert.equal(accuracy[0], 0.5);
  const logp = await tripletLogLikelihood(distances).data();
  assert.ok(Math.abs(logp[0] - -0.0485873515) < 1e-6, `${logp[0]}`);
  assert.ok(Math.abs(logp[1] - -4.0181499279) < 1e-5, `${logp[1]}`);
});

test("triplet likelihood with symmetric KL and a non-binary mask equals a hand computation", async () => {
  // One dim, mask weight 2. anchor N(0,1), positive N(1,1): J = 0.5(2 + 2) - 1 = 1;
  // negative N(0,4): J = 0.5(1/4 + 4) - 1 = 1.125. d = 2, 2.25 -> log p = -log(1 + e^-0.25) = -0.5759394.
  const d = createDivergence({ name: "symmetric-kl" });
  const distances = tripletDistances(
    d,
    {
      anchor: gauss([[0]], [[0]]),
      positive: gauss([[1]], [[0]]),
      negative: gauss([[0]], [[Math.log(4)]]),
    },
    masksPerTriplet(mat([[2]]), ints([0])),
  );
  const logp = await tripletLogLikelihood(distances).data();
  assert.ok(Math.abs(logp[0] - -0.5759394) < 1e-5, `${logp[0]}`);
});

test("triplet likelihood with Jensen-Shannon matches the Simpson reference, and Monte Carlo agrees", async () => {
  const a = [[0.1, -0.4]];
  const al = [[-0.5, 0.2]];
  const p = [[0.6, 0.3]];
  const pl = [[-0.2, -0.6]];
  const n = [[-1.1, -0.2]];
  const nl = [[0.4, 0.0]];
  const mask = [0.7, 1.3];
  const js1 = (m1: number, l1: number, m2: number, l2: number) =>
    jensenShannonReference(
      { mu: Math.fround(m1), sigma: Math.exp(Math.fround(l1) / 2) },
      { mu: Math.fround(m2), sigma: Math.exp(Math.fround(l2) / 2) },
    );
  const dPos = mask.reduce((s, m, h) => s + m * js1(a[0][h], al[0][h], p[0][h], pl[0][h]), 0);
  const dNeg = mask.reduce((s, m, h) => s + m * js1(a[0][h], al[0][h], n[0][h], nl[0][h]), 0);
  const expected = -Math.log1p(Math.exp(dPos - dNeg));
  const make = () => ({ anchor: gauss(a, al), positive: gauss(p, pl), negative: gauss(n, nl) });
  const gh = createDivergence({ name: "jensen-shannon-per-dim", estimator: "gauss-hermite" });
  const logp = await tripletLogLikelihood(tripletDistances(gh, make(), mat([mask]))).data();
  assert.ok(Math.abs(logp[0] - expected) < 2e-5, `GH ${logp[0]} vs reference ${expected}`);

  const mc = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "monte-carlo",
    samples: 20000,
  });
  const shape = tripletNoiseShape(mc, 1, 2);
  assert.deepEqual(shape, [2, 2, 20000, 1, 2]);
  assert.equal(tripletNoiseShape(gh, 1, 2), null);
  const noise = random.normal(keyFromSeed(5), shape as number[]);
  const logpMc = await tripletLogLikelihood(
    tripletDistances(mc, make(), mat([mask]), noise),
  ).data();
  assert.ok(Math.abs(logpMc[0] - expected) < 0.01, `MC ${logpMc[0]} vs reference ${expected}`);
});

test("triplet likelihood with the joint JS matches 2-D quadrature over each triplet's selected dimensions", async () => {
  // Two triplets in 3 dimensions; triplet 0 selects dims {0, 1}, triplet 1 dims {1, 2}.
  const a = [[0.1, -0.4, 0.5]];
  const al = [[-0.5, 0.2, 0.1]];
  const p = [[0.6, 0.3, -0.5]];
  const pl = [[-0.2, -0.6, 0.3]];
  const n = [[-1.1, -0.2, 1.2]];
  const nl = [[0.4, 0.0, -0.3]];
  const masks = [
    [1, 1, 0],
    [0, 1, 1],
  ];
  const g = (mu: number[][], lv: number[][], h: number) => ({
    mu: Math.fround(mu[0][h]),
    sigma: Math.exp(Math.fround(lv[0][h]) / 2),
  });
  const expected = masks.map((row) => {
    const [h, k] = [0, 1, 2].filter((x) => row[x] === 1);
    const js = (mu: number[][], lv: number[][]) =>
      jensenShannonReference2d([g(a, al, h), g(a, al, k)], [g(mu, lv, h), g(mu, lv, k)]);
    return -Math.log1p(Math.exp(js(p, pl) - js(n, nl)));
  });
  const twice = (rows: number[][]) => [rows[0], rows[0]];
  const joint = createDivergence({ name: "jensen-shannon-joint", samples: 20000 });
  const shape = tripletNoiseShape(joint, 2, 3);
  assert.deepEqual(shape, [2, 2, 20000, 2, 3]);
  const logp = await tripletLogLikelihood(
    tripletDistances(
      joint,
      {
        anchor: gauss(twice(a), twice(al)),
        positive: gauss(twice(p), twice(pl)),
        negative: gauss(twice(n), twice(nl)),
      },
      mat(masks),
      random.normal(keyFromSeed(6), shape as number[]),
    ),
  ).data();
  for (let t = 0; t < 2; t++) {
    assert.ok(
      Math.abs(logp[t] - expected[t]) < 0.01,
      `triplet ${t}: MC ${logp[t]} vs ${expected[t]}`,
    );
  }
});

test("ties count half in the triplet accuracy", async () => {
  const acc = await tripletAccuracyOf({
    positive: np.array([1, 2, 3, 5]),
    negative: np.array([2, 2, 1, 5]),
  }).data();
  assert.equal(acc[0], (1 + 0.5 + 0 + 0.5) / 4);
});
