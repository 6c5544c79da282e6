/** KL term of the ELBO in closed form (Kingma & Welling 2014, eq. 10 and Appendix B). */

import { klToStandardNormal } from "../distributions/diagonal-gaussian.ts";
import { type Array, numpy as np } from "../engine/jax.ts";

/** Mean over the batch of KL(q(z|x_i) || N(0, I)), summed over latent dimensions. Consumes both. */
export function klTerm(mu: Array, logvar: Array): Array {
  return np.mean(np.sum(klToStandardNormal(mu, logvar), -1));
}
