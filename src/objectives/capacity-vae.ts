/**
 * The capacity-controlled beta-VAE (Burgess et al. 2018, "Understanding disentangling in
 * β-VAE", Sec. 4, eq. 8):
 *   loss = reconstruction + gamma · |KL − C|
 * The KL is pulled towards a target capacity C (nats) rather than towards 0, and C grows
 * linearly during training so that the encoder lets information through a little at a time.
 *
 * Schedule: C = capacity · a, where a in [0, 1] is the train loop's warm-up scalar
 * (ctx.annealing = min(1, step / betaWarmupSteps)), so `--beta-warmup N` is the number of
 * steps C takes to go from 0 to `capacity`. Departures from the paper: Burgess et al.
 * increase C over a fixed number of iterations of their own (e.g. 0 -> 25 nats over 100k
 * for dSprites) independently of anything else; here that span is the shared warm-up, and
 * with no warm-up (the default, a = 1) C sits at `capacity` from the first step, which the
 * paper does not do. Set `--beta-warmup` to the length of the ramp you want.
 *
 * Terms: reconstruction, kl, elbo (unweighted, as for every objective) and capacity, the
 * current C (annealed by definition: it is the schedule's value at this step).
 * `priorDivergence` puts another divergence in the KL's place (prior-term.ts): C is then a
 * target for that divergence, in its own units.
 */
import { z } from "zod";
import { numpy as np } from "../engine/jax.ts";
import { defineObjective } from "./descriptor.ts";
import { PRIOR_TERM_FIELDS, priorTermAndElbo, samplesPrior } from "./prior-term.ts";

export const capacityVae = defineObjective({
  name: "capacity-vae",
  summary:
    "gamma · |KL − C| with capacity C raised linearly 0 → `capacity` nats over `--beta-warmup` steps (Burgess et al. 2018; no warm-up: C = capacity from the start)",
  file: "src/objectives/capacity-vae.ts",
  schema: z.object({
    gamma: z
      .number()
      .nonnegative()
      .default(1000)
      .describe("weight of |KL − C| (1000 in Burgess et al. 2018 for dSprites)"),
    capacity: z
      .number()
      .nonnegative()
      .default(25)
      .describe("final capacity C in nats, reached at the end of --beta-warmup"),
    ...PRIOR_TERM_FIELDS,
  }),
  create: ({ gamma, capacity, ...priorTerm }) => ({
    name: "capacity-vae",
    needsKey: samplesPrior(priorTerm.priorDivergence),
    evaluate(batch, ctx) {
      const { terms, divergence } = priorTermAndElbo(batch, ctx.key, priorTerm);
      const c = ctx.annealing.mul(capacity);
      const loss = terms.reconstruction.ref.add(np.abs(divergence.sub(c.ref)).mul(gamma));
      return { loss, terms: { ...terms, capacity: c } };
    },
  }),
});
