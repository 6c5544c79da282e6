/**
 * Active latent dimensions: those whose mean KL(q(z_j|x) || p(z_j)) over the data is at least
 * a threshold (0.01 nats by default, the criterion the pictures use, elbo-decomposition.ts's
 * INACTIVE_KL), the KL taken in the posterior's own family. For the stick-breaking VAE
 * (Nalisnick & Smyth 2017, Sec. 5) this is how many sticks the data chose out of the
 * truncation level; for a Gaussian VAE, its active units (in the KL sense; Burda et al. 2016
 * count units by the variance of the posterior mean instead). With the stick-breaking prior
 * the details also give each stick's mean weight E_x[π_j], π at the posterior mean of v. With
 * a learned mixture prior, p(z_j) is the prior's marginal in dimension j, and the KLs do not
 * sum to the KL (reported as null); a Gaussian posterior cannot equal a mixture marginal, so
 * even an unused dimension keeps some KL and the count runs high. `activeUnits` is Burda et
 * al.'s prior-free count (2016, Sec. 5.2): dimensions whose posterior mean varies over the
 * data, Var_x E_q[z_j|x] above 0.01.
 */
import { z } from "zod";
import { isJointFamily } from "../distributions/distribution.ts";
import { createPrior } from "../distributions/priors.ts";
import { stickWeights } from "../distributions/stick-breaking.ts";
import { numpy as np } from "../engine/jax.ts";
import type { CodeMatrix } from "./arrays.ts";
import { INACTIVE_KL, meanKlPerDimension } from "./elbo-decomposition.ts";
import { defineMetric, posteriorsOf } from "./metric.ts";

/** Burda et al.'s (2016) threshold on Var_x E_q[z_j|x] for an active unit. */
export const ACTIVE_UNIT_VARIANCE = 0.01;

/** Var_x of each code column (posterior means), over the rows. */
function posteriorMeanVariance({ data, count, dims }: CodeMatrix): number[] {
  return Array.from({ length: dims }, (_, j) => {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += data[i * dims + j];
    const mean = sum / count;
    let squares = 0;
    for (let i = 0; i < count; i++) squares += (data[i * dims + j] - mean) ** 2;
    return squares / count;
  });
}

export const activeDimsMetric = defineMetric({
  name: "active-dims",
  summary:
    "Latent dimensions with mean KL(q(z_j|x) ‖ p(z_j)) above a threshold, in the posterior's own family: the sticks a stick-breaking VAE uses (Nalisnick & Smyth 2017); and Burda et al.'s (2016) active units, Var_x E[z_j|x] > 0.01, which do not depend on the prior",
  missing: (input) =>
    input.logvars === undefined ? "needs posterior log-variances (--logvars)" : null,
  schema: z.object({
    threshold: z
      .number()
      .nonnegative()
      .default(INACTIVE_KL)
      .describe("nats of mean KL from which a dimension counts as active"),
    unitThreshold: z
      .number()
      .nonnegative()
      .default(ACTIVE_UNIT_VARIANCE)
      .describe("variance of the posterior mean over the data from which a unit counts as active"),
  }),
  async compute(input, { threshold, unitThreshold, seed }) {
    const posteriors = posteriorsOf(input);
    if (posteriors === undefined) throw new Error("active-dims: needs posterior log-variances");
    const prior = input.prior ?? createPrior("normal");
    const { klPerDim, estimator } = await meanKlPerDimension(posteriors, prior, seed);
    const active = klPerDim.filter((kl) => kl >= threshold).length;
    const meanVariance = posteriorMeanVariance(input.codes);
    const activeUnits = meanVariance.filter((v) => v > unitThreshold).length;
    const details: Record<string, unknown> = { klPerDim, meanVariance };
    if (posteriors.posterior?.family === "kumaraswamy") {
      const { count, latentDim, mu } = posteriors;
      const weights = stickWeights(np.array(mu, { shape: [count, latentDim] }));
      details.meanStickWeights = Array.from((await np.mean(weights, 0).data()) as Float32Array);
    }
    return {
      values: {
        active,
        activeUnits,
        kl: isJointFamily(prior.family) ? null : klPerDim.reduce((a, b) => a + b, 0),
      },
      options: {
        threshold,
        unitThreshold,
        rows: posteriors.count,
        prior: prior.name,
        klEstimator: estimator,
      },
      details,
    };
  },
});
