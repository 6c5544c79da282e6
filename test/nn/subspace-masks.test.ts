import assert from "node:assert/strict";
import { test } from "node:test";
import { createDivergence } from "../../src/distributions/divergences/divergence.ts";
import { initEngine } from "../../src/engine/device.ts";
import { grad, type Array as JaxArray, jit, numpy as np } from "../../src/engine/jax.ts";
import { keyFromSeed } from "../../src/engine/prng.ts";
import { blockMasks, createSubspaceMasks } from "../../src/nn/subspace-masks.ts";
import {
  masksPerTriplet,
  tripletDistances,
  tripletLogLikelihood,
} from "../../src/objectives/triplet-likelihood.ts";

await initEngine();

test("block masks: consecutive disjoint blocks, leftover dimensions unsupervised", () => {
  assert.deepEqual(Array.from(blockMasks(5, 2, 2)), [1, 1, 0, 0, 0, 0, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(blockMasks(4, 2, [1, 3])), [1, 0, 0, 0, 0, 1, 1, 1]);
  assert.throws(
    () => blockMasks(4, 2, 3),
    /dimsPerQuery \[3,3\] needs 6 latent dimensions, but the latent size is 4/,
  );
  assert.throws(
    () => blockMasks(4, 2, [1]),
    /dimsPerQuery lists 1 sizes, expected one per query \(2\)/,
  );
  assert.throws(() => blockMasks(4, 2, 1.5), /dimsPerQuery is 1.5, expected a whole number >= 1/);
  assert.throws(() => blockMasks(4, 0, 1), /queries is 0/);
});

test("fixed masks have no parameters; learned masks start at weight ~1 and are non-negative", async () => {
  const fixed = createSubspaceMasks({ kind: "fixed", queries: 2, dimsPerQuery: 1 }, 3);
  const params = fixed.init(keyFromSeed(0));
  assert.deepEqual(params, {});
  assert.deepEqual(Array.from(await fixed.masks(params).data()), [1, 0, 0, 0, 1, 0]);
  for (const parameterization of ["softplus", "abs"] as const) {
    const learned = createSubspaceMasks({ kind: "learned", queries: 2, parameterization }, 3);
    const m = await learned.masks(learned.init(keyFromSeed(1))).data();
    assert.equal(m.length, 6);
    for (const v of m) assert.ok(v > 0.6 && v < 1.4, `${parameterization} initial mask ${v}`);
    const negative = await learned.masks({ raw: np.full([2, 3], -3) }).data();
    for (const v of negative) assert.ok(v >= 0);
    assert.throws(
      () => learned.masks({ raw: np.zeros([3, 2]) }),
      /params.raw has shape \[3,2\], expected \[2, 3\]/,
    );
  }
  assert.throws(
    () =>
      createSubspaceMasks({ kind: "learned", queries: 2, parameterization: "relu" as never }, 3),
    /parameterization is "relu", expected "softplus" or "abs"/,
  );
});

test("gradient of the triplet loss + L1 w.r.t. learned mask parameters matches finite differences", async () => {
  // Float64 arrays, but jax-js 0.1.25 evaluates exp/log on Wasm with float32 accuracy, so the
  // loss carries ~1e-7 relative noise: h = 1e-2 keeps the difference quotient's noise (~1e-5)
  // and truncation error (~h²) well under the tolerance.
  const f64 = (rows: number[][]) =>
    np
      .array(Float32Array.from(rows.flat()))
      .reshape([rows.length, rows[0].length])
      .astype(np.float64);
  const anchor = [
    [0.2, -0.5, 1.0],
    [0.0, 0.3, -0.2],
    [-0.7, 0.1, 0.4],
  ];
  const positive = [
    [0.4, -0.1, 0.7],
    [0.9, 0.2, -0.1],
    [-0.6, 1.2, 0.3],
  ];
  const negative = [
    [-0.3, 0.8, 0.2],
    [0.1, -0.9, 0.5],
    [0.5, 0.0, -0.8],
  ];
  const logvar = [
    [-0.3, 0.1, -1.0],
    [0.2, -0.4, 0.0],
    [-0.2, 0.3, -0.6],
  ];
  const query = np.array(Int32Array.from([0, 1, 1]));
  const divergence = createDivergence({
    name: "jensen-shannon-per-dim",
    estimator: "gauss-hermite",
    points: 16,
  });
  const l1 = 0.05;
  for (const parameterization of ["softplus", "abs"] as const) {
    const masks = createSubspaceMasks({ kind: "learned", queries: 2, parameterization }, 3);
    const loss = jit((raw: JaxArray, q: JaxArray) => {
      const m = masks.masks({ raw });
      const penalty = np.sum(m.ref).mul(l1);
      const distances = tripletDistances(
        divergence,
        {
          anchor: { mu: f64(anchor), logvar: f64(logvar) },
          positive: { mu: f64(positive), logvar: f64(logvar.map((r) => r.map((v) => v + 0.5))) },
          negative: { mu: f64(negative), logvar: f64(logvar.map((r) => r.map((v) => v - 0.4))) },
        },
        masksPerTriplet(m, q),
      );
      return np.mean(tripletLogLikelihood(distances)).neg().add(penalty);
    });
    // Away from 0 so that |w| is differentiable at every entry.
    const raw0 = [
      [0.8, -0.6, 1.1],
      [-0.9, 0.4, 0.7],
    ];
    const g = await grad(loss)(f64(raw0), query.ref).data();
    const h = 1e-2;
    for (let e = 0; e < 6; e++) {
      const shifted = (delta: number) =>
        raw0.map((r, i) => r.map((v, j) => (i * 3 + j === e ? v + delta : v)));
      const up = (await loss(f64(shifted(h)), query.ref).data())[0];
      const down = (await loss(f64(shifted(-h)), query.ref).data())[0];
      const fd = (up - down) / (2 * h);
      assert.ok(
        Math.abs(g[e] - fd) < 1e-5 + 1e-4 * Math.abs(fd),
        `${parameterization} entry ${e}: grad ${g[e]} vs fd ${fd}`,
      );
      // Query 0's row only sees triplet 0, query 1's only triplets 1 and 2: no entry is trivially 0.
      assert.ok(Math.abs(fd) > 1e-4, `${parameterization} entry ${e}: fd ${fd} too small to test`);
    }
  }
  query.dispose();
});
