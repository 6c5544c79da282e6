/**
 * The beta-VAE objective (Higgins et al. 2017, eq. 4): reconstruction + beta · KL, with beta
 * annealed linearly from 0 as beta · a when the train loop warms up (Chen et al. 2018's
 * beta annealing; a = 1 without warm-up). beta = 1 is the VAE.
 */
import { z } from "zod";
import { defineObjective } from "./descriptor.ts";
import { elboTerms } from "./elbo.ts";

export const betaVae = defineObjective({
  name: "beta-vae",
  summary: "beta on the KL (Higgins et al. 2017), optional linear warm-up `--beta-warmup`",
  file: "src/objectives/beta-vae.ts",
  schema: z.object({
    beta: z.number().nonnegative().default(6).describe("weight of the KL"),
  }),
  create: ({ beta }) => ({
    name: "beta-vae",
    evaluate(batch, ctx) {
      const terms = elboTerms(batch);
      const loss = terms.reconstruction.ref.add(terms.kl.ref.mul(ctx.annealing.mul(beta)));
      return { loss, terms: { ...terms } };
    },
  }),
});
