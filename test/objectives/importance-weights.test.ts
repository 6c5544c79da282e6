import assert from "node:assert/strict";
import { test } from "node:test";
import { logImportanceWeights } from "../../src/objectives/importance-weights.ts";
import { logNormal } from "../distributions/reference.ts";
import { tinyPosteriors, Z } from "./tiny-problem.ts";

const rowSums = (logW: Float64Array, B: number) =>
  Array.from({ length: B }, (_, i) => {
    let s = 0;
    for (let j = 0; j < B; j++) s += Math.exp(logW[i * B + j]);
    return s;
  });

test("MSS weights: every row sums to 1 and the matrix is the one Chen et al. (App. C.2) describe", () => {
  for (const [B, N] of [
    [2, 2],
    [2, 50],
    [3, 7],
    [5, 100],
    [64, 737280],
  ]) {
    const logW = logImportanceWeights("mss", B, N);
    for (const [i, s] of rowSums(logW, B).entries()) {
      assert.ok(Math.abs(s - 1) < 1e-12, `B=${B} N=${N} row ${i} sums to ${s}`);
    }
  }
  // B = 5, N = 100, M = 4: diagonal 1/N, (i, i+1) and (4, 0) (N-M)/(NM), the rest 1/M.
  const B = 5;
  const N = 100;
  const M = 4;
  const W = Array.from(logImportanceWeights("mss", B, N), Math.exp);
  const s = (N - M) / (N * M);
  const d = 1 / N;
  const o = 1 / M;
  const want = [
    [d, s, o, o, o],
    [o, d, s, o, o],
    [o, o, d, s, o],
    [o, o, o, d, s],
    [s, o, o, o, d],
  ].flat();
  W.forEach((w, k) => {
    assert.ok(
      Math.abs(w - want[k]) < 1e-15,
      `W[${Math.floor(k / B)}, ${k % B}] = ${w}, expected ${want[k]}`,
    );
  });
});

test("the published code's matrix (1/N in column 0) fails the row-sum check that ours passes", () => {
  // W.fill(1/M); W.view(-1)[::M+1] = 1/N; W.view(-1)[1::M+1] = strat; W[M-1, 0] = strat.
  const B = 5;
  const N = 100;
  const M = B - 1;
  const flat = new Array(B * B).fill(1 / M);
  for (let k = 0; k < B * B; k += M + 1) flat[k] = 1 / N;
  for (let k = 1; k < B * B; k += M + 1) flat[k] = (N - M) / (N * M);
  flat[(M - 1) * B] = (N - M) / (N * M);
  const sums = rowSums(new Float64Array(flat.map(Math.log)), B);
  assert.ok(
    sums.some((v) => Math.abs(v - 1) > 0.1),
    `published rows: ${sums}`,
  );
});

test("MWS weights are the constant 1/(N·B), constants kept", () => {
  const logW = logImportanceWeights("mws", 4, 1000);
  for (const v of logW) assert.equal(v, -Math.log(4000));
});

test("minibatch estimate of q(z) over every possible batch: MSS exact in expectation, MWS biased low", () => {
  // Exhaustive enumeration: rows i of all ordered batches of distinct examples with x_i fixed.
  const N = 6;
  const { mu, logvar } = tinyPosteriors(N);
  const zStar = [0.3, -0.2, 0.9];
  const q = mu.map((m, n) =>
    Math.exp(m.reduce((s, v, d) => s + logNormal(zStar[d], v, logvar[n][d]), 0)),
  );
  const qz = q.reduce((s, v) => s + v) / N;
  for (const B of [2, 3, 4, 6]) {
    const W = {
      mss: Array.from(logImportanceWeights("mss", B, N), Math.exp),
      mws: Array.from(logImportanceWeights("mws", B, N), Math.exp),
    };
    for (const self of [0, 4]) {
      const others = mu.map((_, n) => n).filter((n) => n !== self);
      const otherMean = others.reduce((s, n) => s + q[n], 0) / (N - 1);
      for (let i = 0; i < B; i++) {
        const totals = { mss: 0, mws: 0 };
        let count = 0;
        const visit = (batch: number[]) => {
          if (batch.length === B) {
            count++;
            for (const k of ["mss", "mws"] as const) {
              for (let j = 0; j < B; j++) totals[k] += W[k][i * B + j] * q[batch[j]];
            }
            return;
          }
          if (batch.length === i) return visit([...batch, self]);
          for (const n of others) if (!batch.includes(n)) visit([...batch, n]);
        };
        visit([]);
        const mss = totals.mss / count;
        const mws = totals.mws / count;
        assert.ok(Math.abs(mss / qz - 1) < 1e-12, `MSS B=${B} row ${i}: E = ${mss}, q(z) = ${qz}`);
        const mwsWant = (q[self] + (B - 1) * otherMean) / (N * B);
        assert.ok(
          Math.abs(mws / mwsWant - 1) < 1e-12,
          `MWS B=${B} row ${i}: E = ${mws}, want ${mwsWant}`,
        );
        assert.ok(mws < qz, "MWS is biased low");
      }
    }
  }
  assert.equal(Z, zStar.length);
});

test("weight matrices reject impossible sizes with a message naming the value", () => {
  assert.throws(
    () => logImportanceWeights("mss", 1, 10),
    /batch size 1, minibatch stratified sampling/,
  );
  assert.throws(
    () => logImportanceWeights("mws", 8, 4),
    /datasetSize 4, expected a whole number >= the batch size 8/,
  );
  assert.throws(() => logImportanceWeights("mws", 0, 4), /batch size 0/);
  assert.throws(
    () => logImportanceWeights("nope" as never, 2, 4),
    /estimator "nope", expected one of mws, mss/,
  );
});
