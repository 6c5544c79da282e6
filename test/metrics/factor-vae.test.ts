import assert from "node:assert/strict";
import { test } from "node:test";
import { factorVaeScore } from "../../src/metrics/factor-vae.ts";
import { oracleOf } from "./synthetic.ts";

const small = { numTrain: 400, numEval: 400, numVarianceEstimate: 500, batchSize: 16 };

test("FactorVAE score: identity 1 (in any dimension order), constant 0", async () => {
  const id = await factorVaeScore(
    oracleOf([3, 4, 5], (r) => r),
    small,
  );
  assert.equal(id.score, 1);
  assert.equal(id.activeDims, 3);
  const swapped = await factorVaeScore(
    oracleOf([3, 4, 5], (r) => [r[2], r[0], r[1]]),
    small,
  );
  assert.equal(swapped.score, 1);
  const constant = await factorVaeScore(
    oracleOf([3, 4, 5], () => [0.5, 0.5]),
    small,
  );
  assert.deepEqual(constant, { score: 0, trainAccuracy: 0, evalAccuracy: 0, activeDims: 0 });
});

test("FactorVAE score of a duplicated factor is 1/2 (closed form)", async () => {
  // codes [v0, v0]: the two dimensions always have equal variance ratios, so the first wins
  // every vote; its votes split evenly between v0 and v1, and the classifier can be right
  // on one of them only: accuracy 1/2.
  const r = await factorVaeScore(
    oracleOf([4, 5], (f) => [f[0], f[0]]),
    {
      ...small,
      numEval: 4000,
    },
  );
  assert.ok(Math.abs(r.score - 0.5) < 0.03, `score ${r.score}`);
});

test("FactorVAE score is invariant to rescaling code dimensions (above the prune threshold)", async () => {
  const noisy = (r: number[]) => [
    r[0] + 2 * Math.sin(13 * r[1] + 7 * r[2]),
    r[1] + 2 * Math.sin(11 * r[0] + 5 * r[2]),
    r[2] + 2 * Math.cos(3 * r[0] + 17 * r[1]),
  ];
  const base = await factorVaeScore(oracleOf([3, 4, 5], noisy), small);
  const scaled = await factorVaeScore(
    oracleOf([3, 4, 5], (r) => noisy(r).map((z, j) => z * [8, 0.5, -32][j])),
    small,
  );
  assert.equal(scaled.score, base.score);
  assert.ok(base.score > 0.5 && base.score < 1, `base ${base.score}`);
});
