/**
 * The ELBO's KL term decomposed over a whole dataset (Chen et al. 2018, eq. 2):
 *   E_p(x)[KL(q(z|x) || p(z))] = I_q(z; n) + KL(q(z) || Π_j q(z_j)) + Σ_j KL(q(z_j) || p(z_j))
 *   (index-code MI)            (total correlation)      (dimension-wise KL)
 * Estimator: M data points drawn uniformly (seeded), one sample z ~ q(z|x) each; log q(z)
 * and log q(z_j) are evaluated exactly against all N posteriors of the dataset (not a
 * minibatch), so the only error is the Monte Carlo error of the M samples, reported as a
 * standard error. KL per latent dimension is the closed form averaged over all N.
 */
import { Rng } from "../data/random.ts";
import type { EncodedPosteriors } from "../run/encode-dataset.ts";
import { logAggregatePosterior } from "./dataset-aggregate-posterior.ts";
import { standardNormal } from "./normal.ts";

export interface ElboDecomposition {
  estimator: string;
  datasetSize: number;
  samples: number;
  seed: number;
  /** Index-code mutual information I(z; n), nats. */
  mi: number;
  /** Total correlation KL(q(z) || Π_j q(z_j)), nats. */
  tc: number;
  /** Dimension-wise KL Σ_j KL(q(z_j) || p(z_j)), nats. */
  dwkl: number;
  /** Standard errors of the three Monte Carlo estimates. */
  standardErrors: { mi: number; tc: number; dwkl: number };
  /** Closed-form mean KL(q(z|x) || N(0, I)) over the dataset, total and per dimension. */
  kl: number;
  klPerDim: number[];
}

export interface ElboDecompositionOptions {
  /** Points sampled (default min(N, 10000)). */
  samples?: number;
  seed?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

function meanAndStandardError(values: Float64Array): [number, number] {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return [mean, Math.sqrt(squares / Math.max(1, values.length - 1) / values.length)];
}

export async function elboDecomposition(
  posteriors: EncodedPosteriors,
  options: ElboDecompositionOptions = {},
): Promise<ElboDecomposition> {
  const { count: n, latentDim: d, mu, logvar } = posteriors;
  const m = options.samples ?? Math.min(n, 10_000);
  const seed = options.seed ?? 0;
  const rng = new Rng(seed, 0xe1b0);
  const z = new Float32Array(m * d);
  const logConditional = new Float64Array(m); // log q(z_m | x_{n_m})
  const logPriorPerDim = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    const row = rng.nextInt(n);
    for (let j = 0; j < d; j++) {
      const eps = standardNormal(rng);
      const lv = logvar[row * d + j];
      const value = mu[row * d + j] + Math.exp(lv / 2) * eps;
      z[i * d + j] = value;
      logConditional[i] += -0.5 * (LOG_2PI + lv + eps * eps);
      logPriorPerDim[i * d + j] = -0.5 * (LOG_2PI + value * value);
    }
  }
  const { joint, marginal } = await logAggregatePosterior(z, posteriors);
  const miTerms = new Float64Array(m);
  const tcTerms = new Float64Array(m);
  const dwklTerms = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let sumMarginal = 0;
    let sumPrior = 0;
    for (let j = 0; j < d; j++) {
      sumMarginal += marginal[i * d + j];
      sumPrior += logPriorPerDim[i * d + j];
    }
    miTerms[i] = logConditional[i] - joint[i];
    tcTerms[i] = joint[i] - sumMarginal;
    dwklTerms[i] = sumMarginal - sumPrior;
  }
  const [mi, miSe] = meanAndStandardError(miTerms);
  const [tc, tcSe] = meanAndStandardError(tcTerms);
  const [dwkl, dwklSe] = meanAndStandardError(dwklTerms);
  const klPerDim = new Array<number>(d).fill(0);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < d; j++) {
      const mean = mu[row * d + j];
      const lv = logvar[row * d + j];
      klPerDim[j] += 0.5 * (mean * mean + Math.exp(lv) - 1 - lv);
    }
  }
  for (let j = 0; j < d; j++) klPerDim[j] /= n;
  return {
    estimator: `Monte Carlo over ${m} points x 1 sample of q(z|x); log q(z) and log q(z_j) exact over all ${n} posteriors`,
    datasetSize: n,
    samples: m,
    seed,
    mi,
    tc,
    dwkl,
    standardErrors: { mi: miSe, tc: tcSe, dwkl: dwklSe },
    kl: klPerDim.reduce((a, b) => a + b, 0),
    klPerDim,
  };
}
