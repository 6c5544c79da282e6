/**
 * KL term of the ELBO, KL(q(z|x) || p(z)), in closed form where the pair of families has one
 * and by the one-sample Monte Carlo estimate otherwise (src/distributions/kl.ts; Kingma &
 * Welling 2014, eq. 7 and eq. 10).
 */
import type { Distribution } from "../distributions/distribution.ts";
import { klDivergence } from "../distributions/kl.ts";
import { type Array, numpy as np } from "../engine/jax.ts";

/**
 * Mean over the batch of KL(q(z|x_i) || p(z)) summed over latent dimensions. `z` [B, Z] is the
 * batch's reparameterised sample (used by the Monte Carlo fallback only). Consumes all three.
 */
export function klTerm(posterior: Distribution, prior: Distribution, z: Array): Array {
  return np.mean(np.sum(klDivergence(posterior, prior, z), -1));
}
