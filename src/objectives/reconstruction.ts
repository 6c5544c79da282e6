/** Reconstruction term of the ELBO (Kingma & Welling 2014, eq. 10, first term). */
import { type Array, numpy as np } from "../engine/jax.ts";

/** Mean over the batch of -log p(x_i | z_i): a [B] log-likelihood -> scalar. Consumes it. */
export function reconstructionTerm(logPxGivenZ: Array): Array {
  return np.mean(logPxGivenZ).neg();
}
