/**
 * "jensen-shannon-joint": the Jensen-Shannon divergence of the masked joint posteriors,
 *   JS(p, q) = ½ E_p[log p̃ - log M̃] + ½ E_q[log q̃ - log M̃],  M̃ = ½ (p̃ + q̃),
 * where for mask weights m [Z] the masked log density of a diagonal Gaussian p is
 *   log p̃(z) = Σ_h m_h log p_h(z_h).
 *
 * Binary masks: p̃ is exactly the marginal of p on the selected dimensions (unselected ones
 * contribute a factor p_h^0 = 1), so this is the JS of the two marginal joints over the
 * subspace, in [0, log 2] (Lin 1991); drawing the unselected coordinates as well changes
 * nothing. Unlike jensen-shannon-per-dim (Σ_h m_h JS(p_h, q_h)) it does not grow with the
 * number of selected dimensions: two posteriors that differ in several dimensions are at
 * most log 2 apart.
 *
 * Soft (learned) masks: p̃ = Π_h p_h^{m_h} is then unnormalised, and we deliberately keep the
 * expectations under the normalised p and q. This is not a divergence between distributions
 * any more but a smooth interpolation between the binary cases (m_h -> 0 removes dimension h,
 * m_h = 1 includes it) that gives the mask weights gradients. Every term is <= log 2, so the
 * value never exceeds log 2; for m in [0, 1]^Z it is also >= 0 (E_p[Π_h (q_h/p_h)^{m_h}] <= 1
 * by Hölder's inequality, and -log((1 + x)/2) is convex), while weights above 1 can push it
 * below 0.
 *
 * Estimator: reparameterised Monte Carlo, S draws z = mu + σ·ε from each posterior. The
 * per-dimension log-density ratios use the cancellation-free form of jensen-shannon-per-dim.ts,
 * are weighted by m and summed over dimensions; log M̃ is taken by log-sum-exp, through
 * log p̃ - log M̃ = log 2 - softplus(log q̃ - log p̃). Unbiased for the expression above.
 */
import { type Array, numpy as np } from "../../engine/jax.ts";
import type { DiagonalGaussianParams } from "../diagonal-gaussian.ts";
import { jensenShannonFromLogRatios, logRatiosAtDraws } from "./jensen-shannon-per-dim.ts";

/**
 * JS of the masked joints of p and q ([..., Z] each) under masks [..., Z], by Monte Carlo:
 * noise [2, S, ..., Z] of standard normals, noise[0] reparameterises S draws of p and noise[1]
 * S draws of q. Returns [...]. Consumes p, q, masks and noise.
 */
export function jensenShannonJoint(
  p: DiagonalGaussianParams,
  q: DiagonalGaussianParams,
  masks: Array,
  noise: Array,
): Array {
  const [fromP, fromQ] = logRatiosAtDraws(p, q, noise);
  // [S, ..., Z] per-dimension ratios -> [S, ...] masked joint log-ratios.
  const towardQ = np.sum(fromP.mul(masks.ref), -1);
  const towardP = np.sum(fromQ.mul(masks), -1);
  return jensenShannonFromLogRatios(towardQ, towardP);
}
