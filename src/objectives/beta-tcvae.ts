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
 * estimator; with alpha = beta = gamma = 1 the loss is the VAE's in expectation.
 */

import {
  gaussianLogDensity,
  standardNormalLogDensity,
} from "../distributions/diagonal-gaussian.ts";
import { numpy as np } from "../engine/jax.ts";
import { estimateLogAggregatePosterior } from "./aggregate-posterior.ts";
import { checkWeight } from "./check-weight.ts";
import { elboTerms } from "./elbo.ts";
import { ESTIMATORS, logImportanceWeights } from "./importance-weights.ts";
import type { Objective, ObjectiveConfigs } from "./objective.ts";

export function betaTcvaeObjective(config: ObjectiveConfigs["beta-tcvae"]): Objective {
  const { alpha, beta, gamma, estimator } = config;
  checkWeight("beta-tcvae", "alpha", alpha);
  checkWeight("beta-tcvae", "beta", beta);
  checkWeight("beta-tcvae", "gamma", gamma);
  if (!ESTIMATORS.includes(estimator)) {
    throw new RangeError(
      `beta-tcvae: estimator ${JSON.stringify(estimator)}, expected one of ${ESTIMATORS.join(", ")}`,
    );
  }
  return {
    name: "beta-tcvae",
    evaluate(batch, ctx) {
      const { logPxGivenZ, z, mu, logvar } = batch;
      const B = z.shape[0];
      const logWeights = np.array(
        Float32Array.from(logImportanceWeights(estimator, B, ctx.datasetSize)),
        { shape: [B, B] },
      );
      const logQzGivenX = np.sum(gaussianLogDensity(z.ref, mu.ref, logvar.ref), -1);
      const logPz = np.sum(standardNormalLogDensity(z.ref), -1);
      const { logQz, logQzProduct } = estimateLogAggregatePosterior(
        z,
        mu.ref,
        logvar.ref,
        logWeights,
      );
      const mi = np.mean(logQzGivenX.sub(logQz.ref));
      const tc = np.mean(logQz.sub(logQzProduct.ref));
      const dwkl = np.mean(logQzProduct.sub(logPz));
      const terms = elboTerms(logPxGivenZ, mu, logvar);
      const loss = terms.reconstruction.ref
        .add(mi.ref.mul(alpha))
        .add(tc.ref.mul(ctx.annealing.mul(beta)))
        .add(dwkl.ref.mul(gamma));
      return { loss, terms: { ...terms, mi, tc, dwkl } };
    },
  };
}
