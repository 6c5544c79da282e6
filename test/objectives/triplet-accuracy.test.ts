import assert from "node:assert/strict";
import { test } from "node:test";
import { createDivergence } from "../../src/distributions/divergences/divergence.ts";
import { adamInit, adamUpdate } from "../../src/engine/adam.ts";
import { initEngine } from "../../src/engine/device.ts";
import {
  type Array as JaxArray,
  jit,
  numpy as np,
  random,
  tree,
  valueAndGrad,
} from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { blockMasks } from "../../src/nn/subspace-masks.ts";
import { tripletAccuracy } from "../../src/objectives/triplet-accuracy.ts";
import {
  masksPerTriplet,
  tripletDistances,
  tripletLogLikelihood,
} from "../../src/objectives/triplet-likelihood.ts";

await initEngine();

/** The hand count's four items (means in 2 dimensions, unit variances) and its four triplets. */
const HAND_ITEMS = {
  mu: Float32Array.from([0, 0, 1, 3, 2, 0, 0, 1]),
  logvar: new Float32Array(8),
  count: 4,
  dims: 2,
};
const HAND_TRIPLETS = {
  anchor: Int32Array.from([0, 0, 0, 0]),
  positive: Int32Array.from([1, 3, 2, 0]),
  negative: Int32Array.from([2, 1, 3, 0]),
  query: Int32Array.from([0, 1, 1, 1]),
};

test("triplet accuracy per query, per subspace and in the full space equals a hand count", async () => {
  // Items (mean-squared divergence): 0 = (0, 0), 1 = (1, 3), 2 = (2, 0), 3 = (0, 1).
  // Triplet A (query 0): anchor 0, positive 1, negative 2. Mask 0 (dim 0): 1 < 4 right;
  //   mask 1 (dim 1): 9 > 0 wrong; full: 10 > 4 wrong.
  // Triplet B (query 1): anchor 0, positive 3, negative 1. Mask 0: 0 < 1 right; mask 1: 1 < 9
  //   right; full: 1 < 10 right.
  // Triplet C (query 1): anchor 0, positive 2, negative 3. Mask 0: 4 > 0 wrong; mask 1: 0 < 1
  //   right; full: 4 > 1 wrong.
  // Triplet D (query 1): anchor 0, positive 0, negative 0: every distance 0, a tie (half).
  const report = await tripletAccuracy(
    HAND_ITEMS,
    HAND_TRIPLETS,
    { data: blockMasks(2, 2, 1), queries: 2, dims: 2 },
    createDivergence({ name: "mean-squared" }),
    { chunkSize: 3 },
  );
  assert.deepEqual(report.counts, [1, 3]);
  assert.deepEqual(report.cross, [
    [1, 0],
    [(1 + 0 + 0.5) / 3, (1 + 1 + 0.5) / 3],
  ]);
  assert.deepEqual(report.subspace, [1, 2.5 / 3]);
  assert.deepEqual(report.full, [0, 1.5 / 3]);
});

test("triplet accuracy with the joint JS (masked form per mask) gives the same hand count", async () => {
  // The items and triplets of the hand count above with unit variances: the joint JS of
  // equal-variance Gaussians grows with the distance between the means in the selected
  // dimensions, so every ranking (and the tie of triplet D) is the same as for mean-squared.
  const divergence = createDivergence({ name: "jensen-shannon-joint", samples: 4000 });
  const report = await tripletAccuracy(
    HAND_ITEMS,
    HAND_TRIPLETS,
    { data: blockMasks(2, 2, 1), queries: 2, dims: 2 },
    divergence,
    { chunkSize: 3, key: keyFromSeed(9) },
  );
  assert.deepEqual(report.counts, [1, 3]);
  assert.deepEqual(report.cross, [
    [1, 0],
    [(1 + 0 + 0.5) / 3, (1 + 1 + 0.5) / 3],
  ]);
  assert.deepEqual(report.full, [0, 1.5 / 3]);
});

test("triplet accuracy names bad inputs", async () => {
  const posteriors = { mu: new Float32Array(4), logvar: new Float32Array(4), count: 2, dims: 2 };
  const masks = { data: blockMasks(2, 2, 1), queries: 2, dims: 2 };
  const d = createDivergence({ name: "mean-squared" });
  const one = (q: number, n = 1) => ({
    anchor: Int32Array.from([0]),
    positive: Int32Array.from([1]),
    negative: Int32Array.from([n]),
    query: Int32Array.from([q]),
  });
  await assert.rejects(
    tripletAccuracy(posteriors, one(2), masks, d),
    /triplets.query\[0\] is 2, expected an index in \[0, 2\)/,
  );
  await assert.rejects(
    tripletAccuracy(posteriors, one(0, 5), masks, d),
    /triplets.negative\[0\] is 5/,
  );
  const mc = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "monte-carlo",
    samples: 4,
  });
  await assert.rejects(tripletAccuracy(posteriors, one(0), masks, mc), /needs options.key/);
});

/** Mulberry32: a small seeded PRNG for the synthetic data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("optimising free posteriors on the triplet likelihood: each query's subspace learns its factor only", async () => {
  // 30 points with two independent factors (values 0..4). Query q's triplets say "i is closer
  // to j than to k in factor q". Masks: query 0 owns latent dims {0, 1}, query 1 dims {2, 3}.
  const n = 30;
  const dims = 4;
  const next = rng(42);
  const factors = Array.from({ length: n }, () => [Math.floor(next() * 5), Math.floor(next() * 5)]);
  const sample = (count: number) => {
    const out = {
      anchor: [] as number[],
      positive: [] as number[],
      negative: [] as number[],
      query: [] as number[],
    };
    for (let q = 0; q < 2; q++) {
      let made = 0;
      while (made < count) {
        const [i, j, k] = [0, 1, 2].map(() => Math.floor(next() * n));
        const near = Math.abs(factors[i][q] - factors[j][q]);
        const far = Math.abs(factors[i][q] - factors[k][q]);
        if (i === j || i === k || near >= far) continue;
        out.anchor.push(i);
        out.positive.push(j);
        out.negative.push(k);
        out.query.push(q);
        made++;
      }
    }
    return out;
  };
  const train = sample(256);
  const heldOut = sample(300);
  const divergence = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "gauss-hermite",
    points: 16,
  });
  const idx = (v: number[]) => np.array(Int32Array.from(v));
  const masks = np.array(blockMasks(dims, 2, 2)).reshape([2, dims]);
  const loss = (params: { mu: JaxArray; logvar: JaxArray }, batch: Record<string, JaxArray>) => {
    const side = (rows: JaxArray) => ({
      mu: np.take(params.mu.ref, rows.ref, 0),
      logvar: np.take(params.logvar.ref, rows, 0),
    });
    const distances = tripletDistances(
      divergence,
      {
        anchor: side(batch.anchor),
        positive: side(batch.positive),
        negative: side(batch.negative),
      },
      masksPerTriplet(batch.masks, batch.query),
    );
    params.mu.dispose();
    params.logvar.dispose();
    return np.mean(tripletLogLikelihood(distances)).neg();
  };
  type Params = { mu: JaxArray; logvar: JaxArray };
  const step = jit(
    (
      params: Params,
      state: ReturnType<typeof adamInit<Params>>,
      batch: Record<string, JaxArray>,
    ) => {
      const [value, grads] = valueAndGrad(loss)(tree.ref(params), batch);
      const updated = adamUpdate(params, grads, state, { lr: 0.1 });
      return { value, ...updated };
    },
  );
  let params: Params = {
    mu: random.normal(keyFromSeed(7), [n, dims]).mul(0.3),
    logvar: np.full([n, dims], -1),
  };
  let state = adamInit(params);
  const losses: number[] = [];
  for (let s = 0; s < 150; s++) {
    const out = step(params, state, {
      anchor: idx(train.anchor),
      positive: idx(train.positive),
      negative: idx(train.negative),
      query: idx(train.query),
      masks: masks.ref,
    });
    params = out.params;
    state = out.state;
    losses.push((await out.value.data())[0]);
  }
  masks.dispose();
  const report = await tripletAccuracy(
    {
      mu: (await params.mu.data()) as Float32Array,
      logvar: (await params.logvar.data()) as Float32Array,
      count: n,
      dims,
    },
    {
      anchor: Int32Array.from(heldOut.anchor),
      positive: Int32Array.from(heldOut.positive),
      negative: Int32Array.from(heldOut.negative),
      query: Int32Array.from(heldOut.query),
    },
    { data: blockMasks(dims, 2, 2), queries: 2, dims },
    divergence,
  );
  const summary = `loss ${losses[0].toFixed(3)} -> ${losses.at(-1)?.toFixed(3)}, report ${JSON.stringify(report)}`;
  assert.ok((losses.at(-1) as number) < 0.6 * losses[0], summary);
  for (let q = 0; q < 2; q++) {
    assert.ok(report.subspace[q] > 0.9, `query ${q} in its own subspace: ${summary}`);
    assert.ok(
      Math.abs(report.cross[q][1 - q] - 0.5) < 0.15,
      `query ${q} in the other subspace: ${summary}`,
    );
  }
  console.log(summary);
  state.step.dispose();
});
