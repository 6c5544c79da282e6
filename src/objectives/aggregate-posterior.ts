/**
 * Minibatch estimates of the aggregate posterior q(z) = (1/N) Σ_n q(z|x_n) and of the product
 * of its marginals Π_d q(z_d), at the batch's own samples (Chen et al. 2018, Sec. 4.1):
 *   log q(z_i)      ≈ logsumexp_j (log w_ij + Σ_d log q(z_id | x_j))
 *   log Π_d q(z_id) ≈ Σ_d logsumexp_j (log w_ij + log q(z_id | x_j))
 * with the weights w of importance-weights.ts (constants included, so the reported total
 * correlation is the estimate itself, not shifted by (Z - 1) · log(N·B)).
 */

import type { Distribution } from "../distributions/distribution.ts";
import { type Array, nn, numpy as np } from "../engine/jax.ts";

export interface AggregatePosteriorEstimate {
  /** [B] log q(z_i). */
  logQz: Array;
  /** [B] Σ_d log q(z_id). */
  logQzProduct: Array;
}

/**
 * z: [B, Z]; posterior: q(z|x_j) with parameters [B, Z] (any factorised family); logWeights:
 * [B, B] (row i weights the batch's posteriors at z_i). Costs a [B, B, Z] matrix of log
 * densities. Consumes its arguments.
 */
export function estimateLogAggregatePosterior(
  z: Array,
  posterior: Distribution,
  logWeights: Array,
): AggregatePosteriorEstimate {
  const [B, Z] = z.shape;
  // logQzx[i, j, d] = log q(z_id | x_j)
  const logQzx = posterior.map((p) => p.reshape([1, B, Z])).logProb(z.reshape([B, 1, Z]));
  const logQz = nn.logsumexp(np.sum(logQzx.ref, -1).add(logWeights.ref), 1);
  const perDimension = nn.logsumexp(logQzx.add(logWeights.reshape([B, B, 1])), 1);
  return { logQz, logQzProduct: np.sum(perDimension, -1) };
}
