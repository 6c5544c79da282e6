/**
 * The ELBO's KL term decomposed over a whole dataset (Chen et al. 2018, eq. 2):
 *   E_p(x)[KL(q(z|x) || p(z))] = I_q(z; n) + KL(q(z) || Π_j q(z_j)) + Σ_j KL(q(z_j) || p(z_j))
 *   (index-code MI)            (total correlation)      (dimension-wise KL)
 * Estimator: M data points drawn uniformly (seeded), one sample z ~ q(z|x) each; log q(z)
 * and log q(z_j) are evaluated exactly against all N posteriors of the dataset (not a
 * minibatch), so the only error is the Monte Carlo error of the M samples, reported as a
 * standard error. KL per latent dimension is averaged over all N posteriors, in closed form
 * where the prior's family has one (src/distributions/kl.ts), else by one sample each.
 * The prior is the model's (a factorised one, so that the dimension-wise KL is defined).
 */

import { z } from "zod";
import { Rng } from "../data/random.ts";
import { LOG_2PI } from "../distributions/diagonal-gaussian.ts";
import { type KlEstimator, klDivergence, klEstimator } from "../distributions/kl.ts";
import type { Prior } from "../distributions/priors.ts";
import { createPrior } from "../distributions/priors.ts";
import { numpy as np } from "../engine/jax.ts";
import { foldIn, keyFromSeed } from "../engine/prng.ts";
import { posteriorFamily } from "../nn/posterior-family.ts";
import type { EncodedPosteriors } from "../run/encode-dataset.ts";
import { logAggregatePosterior } from "./dataset-aggregate-posterior.ts";
import {
  defineMetric,
  needsFactorisedPrior,
  needsGaussianPosterior,
  posteriorsOf,
} from "./metric.ts";
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
  /** Mean KL(q(z|x) || p(z)) over the dataset, total and per dimension. */
  kl: number;
  klPerDim: number[];
  /** The prior p(z) and how its KL was computed. */
  prior: string;
  klEstimator: KlEstimator;
}

export interface ElboDecompositionOptions {
  /** The model's prior p(z). */
  prior: Prior;
  /** Points sampled (default min(N, 10000)). */
  samples?: number;
  seed?: number;
}

/** Rows of posteriors per KL chunk. */
const KL_CHUNK = 8192;

/** The mean of `values` and its standard error (sample standard deviation / √n). */
export function meanAndStandardError(values: Float64Array): [number, number] {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return [mean, Math.sqrt(squares / Math.max(1, values.length - 1) / values.length)];
}

/**
 * Mean KL(q(z_j|x) || p(z_j)) per latent dimension over the encoded posteriors, in the
 * posterior's own family (Gaussian, or the stick-breaking VAE's Kumaraswamy): in closed form
 * where the pair of families has one (src/distributions/kl.ts), else from one seeded sample of
 * each posterior. p(z_j) is the prior's marginal in dimension j: for a factorised prior the
 * KLs sum to KL(q(z|x) || p(z)); for a joint (mixture) prior they do not, and rank dimensions
 * only. Rows go through the engine in chunks.
 */
export async function meanKlPerDimension(
  posteriors: EncodedPosteriors,
  prior: Prior,
  seed = 0,
): Promise<{ klPerDim: number[]; estimator: KlEstimator }> {
  const { count: n, latentDim: d, mu, logvar } = posteriors;
  // The posterior in its own family (the stick-breaking VAE's Kumaraswamy), else the Gaussian.
  const family = posteriorFamily(posteriors.posterior?.family ?? "normal");
  const params = posteriors.posterior?.params ?? { mu, logvar };
  const estimator = klEstimator(family.name, prior.family);
  const klPerDim = new Array<number>(d).fill(0);
  const marginals = prior.distribution(d).marginals();
  for (let start = 0; start < n; start += KL_CHUNK) {
    const rows = Math.min(KL_CHUNK, n - start);
    const slice = (a: Float32Array) =>
      np.array(a.subarray(start * d, (start + rows) * d), { shape: [rows, d] });
    const posterior = family.fromParams(
      Object.fromEntries(Object.entries(params).map(([name, a]) => [name, slice(a)])),
    );
    // The Monte Carlo fallback needs a sample of each posterior; a closed form ignores it.
    const sample =
      estimator === "closed form"
        ? np.zeros([rows, d])
        : posterior.ref().sample(foldIn(keyFromSeed(seed), start));
    const kl = (await klDivergence(posterior, marginals.ref(), sample).data()) as Float32Array;
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) klPerDim[j] += kl[i * d + j];
  }
  marginals.dispose();
  return { klPerDim: klPerDim.map((sum) => sum / n), estimator };
}

/**
 * Splits the dataset's mean KL(q(z|x) || p(z)) into index-code mutual information, total
 * correlation and dimension-wise KL (Chen et al. 2018, eq. 2), each with its Monte Carlo
 * standard error, and reports the KL per latent dimension.
 */
export async function elboDecomposition(
  posteriors: EncodedPosteriors,
  options: ElboDecompositionOptions,
): Promise<ElboDecomposition> {
  const { count: n, latentDim: d, mu, logvar } = posteriors;
  const m = options.samples ?? Math.min(n, DECOMPOSITION_SAMPLES);
  const seed = options.seed ?? 0;
  const rng = new Rng(seed, 0xe1b0);
  const z = new Float32Array(m * d);
  const logConditional = new Float64Array(m); // log q(z_m | x_{n_m})
  for (let i = 0; i < m; i++) {
    const row = rng.nextInt(n);
    for (let j = 0; j < d; j++) {
      const eps = standardNormal(rng);
      const lv = logvar[row * d + j];
      const value = mu[row * d + j] + Math.exp(lv / 2) * eps;
      z[i * d + j] = value;
      logConditional[i] += -0.5 * (LOG_2PI + lv + eps * eps);
    }
  }
  const logPriorPerDim = (await options.prior
    .distribution(d)
    .logProb(np.array(z, { shape: [m, d] }))
    .data()) as Float32Array;
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
  const { klPerDim, estimator } = await meanKlPerDimension(posteriors, options.prior, seed);
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
    prior: options.prior.name,
    klEstimator: estimator,
  };
}

/**
 * A latent dimension whose mean KL(q(z_j|x) || p(z_j)) is below this many nats is inactive:
 * it carries (almost) no information about x. The pictures fold such dimensions.
 */
export const INACTIVE_KL = 0.01;

/** Monte Carlo points of the decomposition by default (fewer when the data has fewer). */
export const DECOMPOSITION_SAMPLES = 10_000;

export const decompositionMetric = defineMetric({
  name: "decomposition",
  summary:
    "The KL term split into index-code MI, total correlation and dimension-wise KL over the whole dataset (Chen et al. 2018, eq. 2), under the model's prior",
  missing: (input) =>
    needsGaussianPosterior(input) ??
    needsFactorisedPrior(input) ??
    (input.logvars === undefined ? "needs posterior log-variances (--logvars)" : null),
  schema: z.object({
    samples: z
      .number()
      .int()
      .positive()
      .default(DECOMPOSITION_SAMPLES)
      .describe("Monte Carlo points (at most one per row)"),
  }),
  async compute(input, { samples, seed }) {
    const posteriors = posteriorsOf(input) as EncodedPosteriors;
    const prior = input.prior ?? createPrior("normal");
    const options = { samples: Math.min(posteriors.count, samples), seed };
    const r = await elboDecomposition(posteriors, { ...options, prior });
    return {
      values: { mi: r.mi, tc: r.tc, dwkl: r.dwkl, kl: r.kl },
      options: {
        ...options,
        posteriors: posteriors.count,
        prior: prior.name,
        klEstimator: r.klEstimator,
      },
      details: { ...r },
    };
  },
});
