/**
 * The beta-TCVAE objective (Chen et al. 2018, eq. 2 and Sec. 4.1). The ELBO's KL term splits
 * exactly into
 *   E_x KL(q(z|x) || p(z)) = I_q(x; z) + TC(q(z)) + Σ_d KL(q(z_d) || p(z_d))
 *                            (index-code MI) (total correlation) (dimension-wise KL)
 * and the loss weights them alpha, beta, gamma:
 *   loss = reconstruction + alpha · mi + beta · a · tc + gamma · dwkl
 * where a is the warm-up scalar (beta annealed 0 -> beta as in Chen et al.'s code). Per
 * example, with one sample z_i ~ q(z|x_i):
 *   mi   ≈ log q(z_i|x_i) - log q(z_i),  tc ≈ log q(z_i) - Σ_d log q(z_id),
 *   dwkl ≈ Σ_d log q(z_id) - log p(z_i),
 * log q(z_i) and Σ_d log q(z_id) from aggregate-posterior.ts with MWS or MSS weights. The
 * three sum to log q(z_i|x_i) - log p(z_i), a one-sample estimate of the KL, whatever the
 * estimator; with alpha = beta = gamma = 1 the loss is the VAE's in expectation. The
 * decomposition needs a factorised prior (p(z) = Π_d p(z_d)): the learned mixture priors are
 * refused.
 */
import { z } from "zod";
import { numpy as np } from "../engine/jax.ts";
import { estimateLogAggregatePosterior } from "./aggregate-posterior.ts";
import { defineObjective } from "./descriptor.ts";
import { elboTerms } from "./elbo.ts";
import { ESTIMATORS, logImportanceWeights } from "./importance-weights.ts";

const weight = (what: string) => z.number().nonnegative().default(1).describe(what);

export const betaTcvae = defineObjective({
  name: "beta-tcvae",
  summary:
    "KL split into index-code MI (alpha), total correlation (beta), dimension-wise KL (gamma) (Chen et al. 2018); log q(z) by minibatch stratified (`mss`) or weighted (`mws`) sampling",
  file: "src/objectives/beta-tcvae.ts",
  schema: z.object({
    alpha: weight("weight of the index-code mutual information"),
    beta: z.number().nonnegative().default(6).describe("weight of the total correlation"),
    gamma: weight("weight of the dimension-wise KL"),
    estimator: z
      .enum(ESTIMATORS)
      .default("mss")
      .describe(
        "estimator of log q(z): stratified sampling (unbiased over the batch draw) or weighted sampling (biased low)",
      ),
  }),
  declines: {
    priorDivergence:
      "its mi + tc + dwkl decomposition is of the KL to the prior; no other divergence splits so",
  },
  needsFactorisedPrior:
    "its dimension-wise KL is Σ_d KL(q(z_d) || p(z_d)), which needs p(z) = Π_d p(z_d); a mixture prior does not factorise",
  create: ({ alpha, beta, gamma, estimator }) => ({
    name: "beta-tcvae",
    evaluate(batch, ctx) {
      const { z: sample, posterior, prior } = batch;
      const B = sample.shape[0];
      const logWeights = np.array(
        Float32Array.from(logImportanceWeights(estimator, B, ctx.datasetSize)),
        { shape: [B, B] },
      );
      const logQzGivenX = np.sum(posterior.ref().logProb(sample.ref), -1);
      const logPz = np.sum(prior.ref().logProb(sample.ref), -1);
      const { logQz, logQzProduct } = estimateLogAggregatePosterior(
        sample.ref,
        posterior.ref(),
        logWeights,
      );
      const mi = np.mean(logQzGivenX.sub(logQz.ref));
      const tc = np.mean(logQz.sub(logQzProduct.ref));
      const dwkl = np.mean(logQzProduct.sub(logPz));
      const terms = elboTerms(batch);
      const loss = terms.reconstruction.ref
        .add(mi.ref.mul(alpha))
        .add(tc.ref.mul(ctx.annealing.mul(beta)))
        .add(dwkl.ref.mul(gamma));
      return { loss, terms: { ...terms, mi, tc, dwkl } };
    },
  }),
});
