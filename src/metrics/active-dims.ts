/**
 * Active latent dimensions: those whose mean KL(q(z_j|x) || p(z_j)) over the data is at least
 * a threshold (0.01 nats by default, the criterion the pictures use, elbo-decomposition.ts's
 * INACTIVE_KL), the KL taken in the posterior's own family. For the stick-breaking VAE
 * (Nalisnick & Smyth 2017, Sec. 5) this is how many sticks the data chose out of the
 * truncation level; for a Gaussian VAE, its active units (in the KL sense; Burda et al. 2016
 * count units by the variance of the posterior mean instead). With the stick-breaking prior
 * the details also give each stick's mean weight E_x[π_j], π at the posterior mean of v. With
 * a learned mixture prior, p(z_j) is the prior's marginal in dimension j, and the KLs do not
 * sum to the KL (reported as null).
 */
import { z } from "zod";
import { isJointFamily } from "../distributions/distribution.ts";
import { createPrior } from "../distributions/priors.ts";
import { stickWeights } from "../distributions/stick-breaking.ts";
import { numpy as np } from "../engine/jax.ts";
import { INACTIVE_KL, meanKlPerDimension } from "./elbo-decomposition.ts";
import { defineMetric, posteriorsOf } from "./metric.ts";

export const activeDimsMetric = defineMetric({
  name: "active-dims",
  summary:
    "Latent dimensions with mean KL(q(z_j|x) ‖ p(z_j)) above a threshold, in the posterior's own family: the sticks a stick-breaking VAE uses (Nalisnick & Smyth 2017), a Gaussian VAE's active units",
  missing: (input) =>
    input.logvars === undefined ? "needs posterior log-variances (--logvars)" : null,
  schema: z.object({
    threshold: z
      .number()
      .nonnegative()
      .default(INACTIVE_KL)
      .describe("nats of mean KL from which a dimension counts as active"),
  }),
  async compute(input, { threshold, seed }) {
    const posteriors = posteriorsOf(input);
    if (posteriors === undefined) throw new Error("active-dims: needs posterior log-variances");
    const prior = input.prior ?? createPrior("normal");
    const { klPerDim, estimator } = await meanKlPerDimension(posteriors, prior, seed);
    const active = klPerDim.filter((kl) => kl >= threshold).length;
    const details: Record<string, unknown> = { klPerDim };
    if (posteriors.posterior?.family === "kumaraswamy") {
      const { count, latentDim, mu } = posteriors;
      const weights = stickWeights(np.array(mu, { shape: [count, latentDim] }));
      details.meanStickWeights = Array.from((await np.mean(weights, 0).data()) as Float32Array);
    }
    return {
      values: {
        active,
        kl: isJointFamily(prior.family) ? null : klPerDim.reduce((a, b) => a + b, 0),
      },
      options: { threshold, rows: posteriors.count, prior: prior.name, klEstimator: estimator },
      details,
    };
  },
});
