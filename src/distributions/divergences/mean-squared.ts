/**
 * Squared difference of posterior means, (mu_p - mu_q)², per dimension: the cheap baseline
 * divergence that ignores the posterior variances (a squared Euclidean distance between
 * embeddings, as in triplet-loss metric learning, e.g. Veit et al. 2017, eq. 1).
 */
import { type Array, numpy as np } from "../../engine/jax.ts";
import type { DiagonalGaussianParams } from "../diagonal-gaussian.ts";

/** Elementwise (mu_p - mu_q)². Consumes p and q (the log-variances are discarded). */
export function squaredMeanDifference(p: DiagonalGaussianParams, q: DiagonalGaussianParams): Array {
  p.logvar.dispose();
  q.logvar.dispose();
  return np.square(p.mu.sub(q.mu));
}
