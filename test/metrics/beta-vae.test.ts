import assert from "node:assert/strict";
import { test } from "node:test";
import { betaVaeScore } from "../../src/metrics/beta-vae.ts";
import { oracleOf } from "./synthetic.ts";

const small = { numTrain: 300, numEval: 200, batchSize: 16 };
const sizes = [3, 4, 5];

test("beta-VAE score: identity near 1, constant at chance, reproducible from the seed", async () => {
  const id = await betaVaeScore(
    oracleOf(sizes, (r) => r),
    small,
  );
  assert.ok(id.score > 0.9 && id.score <= 1, `identity ${id.score}`);
  const constant = await betaVaeScore(
    oracleOf(sizes, () => [1, 1]),
    small,
  );
  // every feature vector is 0: one class is predicted for all, accuracy ~ 1/3
  assert.ok(constant.score < 0.45, `constant ${constant.score}`);
  const again = await betaVaeScore(
    oracleOf(sizes, (r) => r),
    small,
  );
  assert.deepEqual(again, id);
});

test("beta-VAE score is invariant to permuting and rescaling code dimensions", async () => {
  const noisy = (r: number[]) => [
    r[0] + 2.5 * Math.sin(13 * r[1] + 7 * r[2]),
    r[1] + 2.5 * Math.sin(11 * r[0] + 5 * r[2]),
    r[2] + 2.5 * Math.cos(3 * r[0] + 17 * r[1]),
  ];
  const base = await betaVaeScore(oracleOf(sizes, noisy), small);
  assert.ok(base.score > 0.4 && base.score < 1, `base ${base.score}`);
  const moved = await betaVaeScore(
    oracleOf(sizes, (r) => {
      const z = noisy(r);
      return [-4 * z[2], 0.25 * z[0], 1000 * z[1]];
    }),
    small,
  );
  assert.equal(moved.score, base.score);
});
