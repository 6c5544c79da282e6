import type { DiagonalGaussianParams } from "../distributions/diagonal-gaussian.ts";
import type { Array } from "../engine/jax.ts";

/** Splits an encoder's final layer [B, 2Z] into the posterior mean and log-variance. */
export function splitPosteriorHead(h: Array, latentDim: number): DiagonalGaussianParams {
  const mu = h.ref.slice([], [0, latentDim]);
  const logvar = h.slice([], [latentDim, 2 * latentDim]);
  return { mu, logvar };
}
