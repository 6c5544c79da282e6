/**
 * The variational Rényi bound (Li & Turner 2016, eq. 5 and the estimator of eq. 10):
 *   L_α(x) = 1/(1 − α) · log E_q(z|x)[(p(x, z) / q(z|x))^(1−α)],
 * estimated per example from K reparameterised samples z_k ~ q(z|x) with log weights
 * log w_k = log p(x|z_k) + log p(z_k) − log q(z_k|x):
 *   L̂_α,K = 1/(1 − α) · log (1/K) Σ_k w_k^(1−α)   (logsumexp in log space).
 * α = 0 is the importance-weighted bound of Burda et al. 2016 (IWAE); α → 1 the ELBO, taken as
 * its limit, the mean of log w_k; 0 ≤ α < 1 keeps a lower bound on log p(x) that tightens as α
 * falls (Li & Turner, Thm. 1). The loss is −mean_x L̂. The K samples come from the task
 * repeating each image K times with independent noise (`samplesPerExample`), so the encoder
 * also runs K times per image: simple and exact, K times the encoder's cost. The logged
 * reconstruction, kl and elbo are the ELBO's over all B·K samples; `vr` is the bound.
 * No warm-up: the annealing factor is not used.
 */
import { z } from "zod";
import { nn, numpy as np } from "../engine/jax.ts";
import { defineObjective } from "./descriptor.ts";
import { elboTerms } from "./elbo.ts";

export const vrBound = defineObjective({
  name: "vr-bound",
  summary:
    "variational Rényi bound 1/(1−α) log E_q[(p(x,z)/q(z|x))^(1−α)] from K samples per image (Li & Turner 2016); α 0 is the IWAE bound, α → 1 the ELBO",
  file: "src/objectives/vr-bound.ts",
  schema: z.object({
    alpha: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("the order α in [0, 1]: 0 the IWAE bound (tightest), 1 the ELBO"),
    samples: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(5)
      .describe("K, posterior samples per image (the encoder and decoder run K times per image)"),
  }),
  declines: {
    priorDivergence: "its bound is of p(x, z) / q(z|x) as a whole; there is no separate prior term",
  },
  create: ({ alpha, samples }) => ({
    name: "vr-bound",
    samplesPerExample: samples,
    evaluate(batch, ctx) {
      ctx.annealing.dispose();
      const { logPxGivenZ, z: sample, posterior, prior } = batch;
      const rows = logPxGivenZ.shape[0];
      if (rows % samples !== 0) {
        throw new RangeError(
          `vr-bound: the batch has ${rows} rows, not a multiple of its ${samples} samples per image`,
        );
      }
      const logQ = np.sum(posterior.ref().logProb(sample.ref), -1);
      const logP = np.sum(prior.ref().logProb(sample.ref), -1);
      const logWeights = logPxGivenZ.ref
        .add(logP)
        .sub(logQ)
        .reshape([rows / samples, samples]);
      const bound =
        alpha === 1
          ? np.mean(logWeights, -1)
          : nn
              .logsumexp(logWeights.mul(1 - alpha), -1)
              .sub(Math.log(samples))
              .div(1 - alpha);
      const vr = np.mean(bound);
      const terms = elboTerms(batch);
      return { loss: vr.ref.neg(), terms: { ...terms, vr } };
    },
  }),
});
