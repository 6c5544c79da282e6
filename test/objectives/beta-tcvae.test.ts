import assert from "node:assert/strict";
import { test } from "node:test";
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import { createPrior } from "../../src/distributions/priors.ts";
import { grad, type Array as JaxArray, jit, numpy as np } from "../../src/engine/jax.ts";
import { logImportanceWeights } from "../../src/objectives/importance-weights.ts";
import { klTerm } from "../../src/objectives/kl-term.ts";
import type { LatentBatch } from "../../src/objectives/objective.ts";
import { createObjective } from "../../src/objectives/registry.ts";
import {
  assertClose,
  logNormal,
  meanAndStandardError,
  normalSampler,
} from "../distributions/reference.ts";
import {
  exactExpectations,
  minibatchSampler,
  referenceEstimates,
  tinyPosteriors,
  Z,
} from "./tiny-problem.ts";

const N = 8;
const { mu, logvar } = tinyPosteriors(N);
const exact = exactExpectations(mu, logvar, 0.25);
/** A latent batch with a diagonal Gaussian posterior and the standard normal prior. */
function latentBatch(
  logPxGivenZ: JaxArray,
  z: JaxArray,
  mu: JaxArray,
  logvar: JaxArray,
): LatentBatch {
  return {
    logPxGivenZ,
    z,
    posterior: diagonalGaussian({ mu, logvar }),
    prior: createPrior("normal").distribution(Z),
  };
}

const exactTerms = {
  mi: exact.logQzGivenX - exact.logQz,
  tc: exact.logQz - exact.logQzProduct,
  dwkl: exact.logQzProduct - exact.logPz,
};

test("brute force: E_x KL(q(z|x)||p(z)) = MI + TC + dimension-wise KL exactly (Chen et al. eq. 2)", () => {
  const kl = klTerm(
    diagonalGaussian({ mu: np.array(mu), logvar: np.array(logvar) }),
    createPrior("normal").distribution(Z),
    np.zeros([N, Z]),
  ).item();
  const sum = exactTerms.mi + exactTerms.tc + exactTerms.dwkl;
  assert.ok(Math.abs(sum - kl) < 1e-5, `MI + TC + dwKL = ${sum}, mean KL = ${kl}`);
  assert.ok(
    exactTerms.tc > 0.2 && exactTerms.mi > 0.5,
    `a non-trivial problem: ${JSON.stringify(exactTerms)}`,
  );
});

test("beta-TCVAE (MSS) terms over whole-dataset batches match brute force; alpha=beta=gamma=1 is the VAE in expectation", () => {
  const tcvae = createObjective("beta-tcvae", { alpha: 1, beta: 1, gamma: 1, estimator: "mss" });
  const vae = createObjective("vae");
  const step = jit((m: JaxArray, l: JaxArray, z: JaxArray) => {
    const batch = () => latentBatch(np.zeros([N]), z.ref, m.ref, l.ref);
    const t = tcvae.evaluate(batch(), { datasetSize: N, annealing: np.array(1) });
    const v = vae.evaluate(batch(), { datasetSize: N, annealing: np.array(1) });
    m.dispose();
    l.dispose();
    z.dispose();
    return [t.loss.sub(v.loss), t.terms.mi, t.terms.tc, t.terms.dwkl];
  });
  const draw = minibatchSampler(mu, logvar, 23);
  const rows = {
    diff: [] as number[],
    mi: [] as number[],
    tc: [] as number[],
    dwkl: [] as number[],
  };
  for (let t = 0; t < 300; t++) {
    const b = draw(N);
    const [diff, mi, tc, dwkl] = step(
      np.array(b.indices.map((n) => mu[n])),
      np.array(b.indices.map((n) => logvar[n])),
      np.array(b.z),
    ).map((a: JaxArray) => a.item());
    // mi + tc + dwkl telescopes to the one-sample KL estimate mean_i log q(z_i|x_i) - log p(z_i).
    const oneSample =
      b.z.reduce(
        (s, z, i) =>
          s +
          z.reduce(
            (u, zd, d) =>
              u + logNormal(zd, mu[b.indices[i]][d], logvar[b.indices[i]][d]) - logNormal(zd, 0, 0),
            0,
          ),
        0,
      ) / N;
    assert.ok(
      Math.abs(mi + tc + dwkl - oneSample) < 1e-4,
      `batch ${t}: ${mi + tc + dwkl} vs ${oneSample}`,
    );
    rows.diff.push(diff);
    rows.mi.push(mi);
    rows.tc.push(tc);
    rows.dwkl.push(dwkl);
  }
  const diff = meanAndStandardError(rows.diff);
  assert.ok(Math.abs(diff.mean) <= 4 * diff.se, `TCVAE(1,1,1) - VAE = ${diff.mean} ± ${diff.se}`);
  for (const key of ["mi", "tc", "dwkl"] as const) {
    const { mean, se } = meanAndStandardError(rows[key]);
    assert.ok(se < 0.03, `${key}: standard error ${se} too large for a meaningful test`);
    assert.ok(
      Math.abs(mean - exactTerms[key]) <= 4 * se + 1e-3,
      `${key}: ${mean} ± ${se} vs exact ${exactTerms[key]}`,
    );
  }
});

test("MWS's reported TC with the whole dataset as the batch is the exact TC at the samples + (Z-1) log N", () => {
  const batch = minibatchSampler(mu, logvar, 31)(N);
  const result = createObjective("beta-tcvae", {
    alpha: 1,
    beta: 1,
    gamma: 1,
    estimator: "mws",
  }).evaluate(
    latentBatch(
      np.zeros([N]),
      np.array(batch.z),
      np.array(batch.indices.map((n) => mu[n])),
      np.array(batch.indices.map((n) => logvar[n])),
    ),
    { datasetSize: N, annealing: np.array(1) },
  );
  // Exact log q(z_i) and Σ_d log q(z_id) at the batch's samples: MSS-free, full mixture.
  const uniform = new Float64Array(N * N).fill(-Math.log(N));
  const full = referenceEstimates(
    { indices: mu.map((_, n) => n), z: batch.z },
    mu,
    logvar,
    uniform,
  );
  const exactTc = full.logQz.reduce((s, v, i) => s + v - full.logQzProduct[i], 0) / N;
  const tc = result.terms.tc.item();
  assert.ok(
    Math.abs(tc - (exactTc + (Z - 1) * Math.log(N))) < 1e-4,
    `MWS tc ${tc}, exact ${exactTc}`,
  );
  for (const a of [result.loss, ...Object.values(result.terms)])
    if (a !== result.terms.tc) a.dispose();
});

/** Plain-JS float64 beta-TCVAE loss for the gradient check, logPx = -0.5 Σ (z - c)². */
function referenceLoss(
  m: number[][],
  l: number[][],
  eps: number[][],
  weights: { alpha: number; beta: number; gamma: number; annealing: number },
  logW: Float64Array,
): number {
  const B = m.length;
  const c = 0.25;
  const z = m.map((row, i) => row.map((v, d) => v + Math.exp(l[i][d] / 2) * eps[i][d]));
  const est = referenceEstimates({ indices: m.map((_, i) => i), z }, m, l, logW);
  let rec = 0;
  let mi = 0;
  let tc = 0;
  let dw = 0;
  for (let i = 0; i < B; i++) {
    let logQzx = 0;
    let logPz = 0;
    for (let d = 0; d < Z; d++) {
      rec += 0.5 * (z[i][d] - c) ** 2;
      logQzx += logNormal(z[i][d], m[i][d], l[i][d]);
      logPz += logNormal(z[i][d], 0, 0);
    }
    mi += logQzx - est.logQz[i];
    tc += est.logQz[i] - est.logQzProduct[i];
    dw += est.logQzProduct[i] - logPz;
  }
  const { alpha, beta, gamma, annealing } = weights;
  return (rec + alpha * mi + beta * annealing * tc + gamma * dw) / B;
}

test("beta-TCVAE loss and gradients match a float64 reference and its finite differences", () => {
  const B = 5;
  const datasetSize = 20;
  const draw = normalSampler(77);
  const m = Array.from({ length: B }, () => Array.from({ length: Z }, () => draw()));
  const l = Array.from({ length: B }, () => Array.from({ length: Z }, () => -1 + 0.5 * draw()));
  const eps = Array.from({ length: B }, () => Array.from({ length: Z }, () => draw()));
  const weights = { alpha: 2, beta: 6, gamma: 0.5, annealing: 0.4 };
  for (const estimator of ["mws", "mss"] as const) {
    const { alpha, beta, gamma } = weights;
    const objective = createObjective("beta-tcvae", { alpha, beta, gamma, estimator });
    const loss = (mArr: JaxArray, lArr: JaxArray) => {
      const z = mArr.ref.add(np.exp(lArr.ref.mul(0.5)).mul(np.array(eps)));
      const logPx = np.sum(np.square(z.ref.sub(0.25)), -1).mul(-0.5);
      const out = objective.evaluate(latentBatch(logPx, z, mArr, lArr), {
        datasetSize,
        annealing: np.array(weights.annealing),
      });
      for (const t of Object.values(out.terms)) t.dispose();
      return out.loss;
    };
    const logW = logImportanceWeights(estimator, B, datasetSize);
    const value = loss(np.array(m), np.array(l)).item();
    const want = referenceLoss(m, l, eps, weights, logW);
    assert.ok(
      Math.abs(value - want) < 1e-4 * Math.max(1, Math.abs(want)),
      `${estimator}: loss ${value} vs ${want}`,
    );
    const [gMu, gLv] = grad(loss, { argnums: [0, 1] })(np.array(m), np.array(l));
    const got = { mu: gMu.dataSync(), logvar: gLv.dataSync() };
    const h = 1e-5;
    for (const which of ["mu", "logvar"] as const) {
      const fd: number[] = [];
      for (let i = 0; i < B; i++) {
        for (let d = 0; d < Z; d++) {
          const shifted = (delta: number) => {
            const mm = m.map((r) => [...r]);
            const ll = l.map((r) => [...r]);
            (which === "mu" ? mm : ll)[i][d] += delta;
            return referenceLoss(mm, ll, eps, weights, logW);
          };
          fd.push((shifted(h) - shifted(-h)) / (2 * h));
        }
      }
      assertClose(got[which], fd, 2e-3, 2e-4, `${estimator} d loss / d ${which}`);
    }
  }
});
