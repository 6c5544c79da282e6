/**
 * The beta-VAE objective (Higgins et al. 2017, eq. 4): reconstruction + beta · KL, with beta
 * annealed linearly from 0 as beta · a when the train loop warms up (Chen et al. 2018's
 * beta annealing; a = 1 without warm-up). beta = 1 is the VAE. `priorDivergence` puts another
 * divergence in the KL's place (prior-term.ts): with mmd-rbf and a large beta this is InfoVAE's
 * MMD-VAE (Zhao et al. 2019, eq. 9 with λ = beta and no KL).
 */
import { z } from "zod";
import { defineObjective } from "./descriptor.ts";
import { PRIOR_TERM_FIELDS, priorTermAndElbo, samplesPrior } from "./prior-term.ts";

export const betaVae = defineObjective({
  name: "beta-vae",
  summary: "beta on the KL (Higgins et al. 2017), optional linear warm-up `--beta-warmup`",
  file: "src/objectives/beta-vae.ts",
  schema: z.object({
    beta: z
      .number()
      .nonnegative()
      .default(6)
      .describe("weight of the KL (of the prior divergence, when another is chosen)"),
    ...PRIOR_TERM_FIELDS,
  }),
  create: ({ beta, ...priorTerm }) => ({
    name: "beta-vae",
    needsKey: samplesPrior(priorTerm.priorDivergence),
    evaluate(batch, ctx) {
      const { terms, divergence } = priorTermAndElbo(batch, ctx.key, priorTerm);
      const loss = terms.reconstruction.ref.add(divergence.mul(ctx.annealing.mul(beta)));
      return { loss, terms };
    },
  }),
});
