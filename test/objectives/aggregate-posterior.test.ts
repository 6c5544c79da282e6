import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import { numpy as np } from "../../src/engine/jax.ts";
import { estimateLogAggregatePosterior } from "../../src/objectives/aggregate-posterior.ts";
import { type Estimator, logImportanceWeights } from "../../src/objectives/importance-weights.ts";
import {
  assertClose,
  logNormal,
  logSumExp,
  meanAndStandardError,
} from "../distributions/reference.ts";
import {
  exactExpectations,
  type Minibatch,
  minibatchSampler,
  referenceEstimates,
  tinyPosteriors,
  Z,
} from "./tiny-problem.ts";

const N = 8;
const { mu, logvar } = tinyPosteriors(N);
const exact = exactExpectations(mu, logvar, 0.25);

function jaxEstimates(batch: Minibatch, estimator: Estimator, datasetSize: number) {
  const B = batch.indices.length;
  const rows = (table: number[][]) => np.array(batch.indices.map((n) => table[n]));
  const out = estimateLogAggregatePosterior(
    np.array(batch.z),
    diagonalGaussian({ mu: rows(mu), logvar: rows(logvar) }),
    np.array(Float32Array.from(logImportanceWeights(estimator, B, datasetSize)), { shape: [B, B] }),
  );
  return { logQz: out.logQz.dataSync(), logQzProduct: out.logQzProduct.dataSync() };
}

test("the jax estimator matches the plain-JS logsumexp formulas for MWS and MSS", () => {
  const draw = minibatchSampler(mu, logvar, 3);
  for (const estimator of ["mws", "mss"] as const) {
    for (const B of [2, 5, 8]) {
      const batch = draw(B);
      const got = jaxEstimates(batch, estimator, 1000);
      const want = referenceEstimates(batch, mu, logvar, logImportanceWeights(estimator, B, 1000));
      assertClose(got.logQz, want.logQz, 1e-5, 1e-4, `${estimator} B=${B} log q(z)`);
      assertClose(
        got.logQzProduct,
        want.logQzProduct,
        1e-5,
        1e-4,
        `${estimator} B=${B} log Π q(z_d)`,
      );
    }
  }
});

/** Mean over T random minibatches of the batch-mean estimates, minus the exact expectations. */
function estimatorError(estimator: Estimator, B: number, batches: number, seed: number) {
  const draw = minibatchSampler(mu, logvar, seed);
  const logW = logImportanceWeights(estimator, B, N);
  const joint: number[] = [];
  const product: number[] = [];
  for (let t = 0; t < batches; t++) {
    const r = referenceEstimates(draw(B), mu, logvar, logW);
    joint.push(r.logQz.reduce((s, v) => s + v) / B);
    product.push(r.logQzProduct.reduce((s, v) => s + v) / B);
  }
  const a = meanAndStandardError(joint);
  const b = meanAndStandardError(product);
  return {
    joint: { error: a.mean - exact.logQz, se: a.se },
    product: { error: b.mean - exact.logQzProduct, se: b.se },
  };
}

test("MSS estimates of E[log q(z)] and E[log Π q(z_d)] converge to brute force as the batch grows", () => {
  // N = 8 examples; batches of distinct examples, 4000 rows per batch size.
  const errors = [2, 4, 8].map((B) => estimatorError("mss", B, 4000 / B, 17 + B));
  for (const key of ["joint", "product"] as const) {
    const [b2, b4, b8] = errors.map((e) => e[key]);
    // Jensen: log of an unbiased estimate is biased low, less so for bigger batches.
    assert.ok(b2.error < -4 * b2.se, `${key} B=2: ${b2.error} ± ${b2.se} should be clearly low`);
    assert.ok(
      Math.abs(b4.error) < Math.abs(b2.error),
      `${key}: |err| B=4 ${b4.error} vs B=2 ${b2.error}`,
    );
    assert.ok(
      Math.abs(b8.error) < Math.abs(b4.error),
      `${key}: |err| B=8 ${b8.error} vs B=4 ${b4.error}`,
    );
    // Whole dataset in the batch: unbiased within 4 standard errors (0.06 nats here).
    assert.ok(Math.abs(b8.error) <= 4 * b8.se, `${key} B=N: error ${b8.error} ± ${b8.se}`);
  }
});

test("MWS is biased low: with the whole dataset as the batch it returns exactly log q(z) - log N", () => {
  // log q̂(z_i) = logsumexp_n log q(z_i|n) - log(N·N) = log q(z_i) - log N; per dimension the
  // same, so Σ_d log q̂(z_id) = Σ_d log q(z_id) - Z log N and the TC gains (Z - 1) log N.
  const batch = minibatchSampler(mu, logvar, 9)(N);
  const got = jaxEstimates(batch, "mws", N);
  const logQz = batch.z.map(
    (z) =>
      logSumExp(mu.map((m, n) => m.reduce((s, v, d) => s + logNormal(z[d], v, logvar[n][d]), 0))) -
      Math.log(N),
  );
  const logQzProduct = batch.z.map((z) =>
    z.reduce(
      (s, zd, d) =>
        s + logSumExp(mu.map((m, n) => logNormal(zd, m[d], logvar[n][d]))) - Math.log(N),
      0,
    ),
  );
  assertClose(
    got.logQz,
    logQz.map((v) => v - Math.log(N)),
    1e-5,
    1e-4,
    "MWS log q(z)",
  );
  assertClose(
    got.logQzProduct,
    logQzProduct.map((v) => v - Z * Math.log(N)),
    1e-5,
    1e-4,
    "MWS log Π q(z_d)",
  );
  // And over random batches of every size it stays well below the truth.
  for (const B of [2, 8]) {
    const e = estimatorError("mws", B, 200, 40 + B);
    assert.ok(e.joint.error < -1, `MWS B=${B}: E[log q(z)] error ${e.joint.error}`);
  }
});
