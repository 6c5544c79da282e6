/**
 * The VAE objective (Kingma & Welling 2014, eq. 3): minimise -ELBO = reconstruction + KL.
 * The warm-up scalar a multiplies the KL (KL annealing, Bowman et al. 2016), so with
 * a = 1 the loss is exactly -ELBO. No hyperparameters: beta = 1 is what makes it the VAE.
 */
import { z } from "zod";
import { defineObjective } from "./descriptor.ts";
import { elboTerms } from "./elbo.ts";

export const vae = defineObjective({
  name: "vae",
  summary: "ELBO: E[log p(x|z)] − KL(q(z|x) ‖ p(z)) (Kingma & Welling 2014)",
  file: "src/objectives/vae.ts",
  schema: z.object({}),
  create: () => ({
    name: "vae",
    evaluate(batch, ctx) {
      const terms = elboTerms(batch);
      const loss = terms.reconstruction.ref.add(terms.kl.ref.mul(ctx.annealing));
      return { loss, terms: { ...terms } };
    },
  }),
});
