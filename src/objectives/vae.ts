/**
 * The VAE objective (Kingma & Welling 2014, eq. 3): minimise -ELBO = reconstruction + KL.
 * The warm-up scalar a multiplies the KL (KL annealing, Bowman et al. 2016), so with
 * a = 1 the loss is exactly -ELBO.
 */

import { elboTerms } from "./elbo.ts";
import type { Objective } from "./objective.ts";

export function vaeObjective(): Objective {
  return {
    name: "vae",
    evaluate(batch, ctx) {
      batch.z.dispose();
      const terms = elboTerms(batch.logPxGivenZ, batch.mu, batch.logvar);
      const loss = terms.reconstruction.ref.add(terms.kl.ref.mul(ctx.annealing));
      return { loss, terms: { ...terms } };
    },
  };
}
