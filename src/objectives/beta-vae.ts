/**
 * The beta-VAE objective (Higgins et al. 2017, eq. 4): reconstruction + beta · KL, with beta
 * annealed linearly from 0 as beta · a when the train loop warms up (Chen et al. 2018's
 * beta annealing; a = 1 without warm-up). beta = 1 is the VAE.
 */
import { checkWeight } from "./check-weight.ts";
import { elboTerms } from "./elbo.ts";
import type { Objective, ObjectiveConfigs } from "./objective.ts";

export function betaVaeObjective(config: ObjectiveConfigs["beta-vae"]): Objective {
  checkWeight("beta-vae", "beta", config.beta);
  const { beta } = config;
  return {
    name: "beta-vae",
    evaluate(batch, ctx) {
      batch.z.dispose();
      const terms = elboTerms(batch.logPxGivenZ, batch.mu, batch.logvar);
      const loss = terms.reconstruction.ref.add(terms.kl.ref.mul(ctx.annealing.mul(beta)));
      return { loss, terms: { ...terms } };
    },
  };
}
