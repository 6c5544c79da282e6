/**
 * The stick-breaking construction (Sethuraman 1994; Nalisnick & Smyth 2017, eq. 3): stick
 * fractions v_1..v_K in (0, 1) break a unit stick into weights
 *   π_k = v_k Π_{j<k} (1 - v_j),
 * which sum to 1 - Π_k (1 - v_k) (the truncation's remainder is not a weight here: the
 * decoder reads π_1..π_K). Computed in log space, log π_k = log v_k + Σ_{j<k} log(1 - v_j),
 * so long products of small factors do not underflow.
 */
import { type Array, numpy as np } from "../engine/jax.ts";

/** Keeps fractions inside (0, 1), so the logs stay finite (traversals sweep past the ends). */
const EDGE = 1e-6;

/** π from stick fractions v [..., K]: same shape. Consumes v. */
export function stickWeights(v: Array): Array {
  const safe = np.clip(v, EDGE, 1 - EDGE);
  const logRest = np.log1p(safe.ref.neg());
  const before = np.cumsum(logRest.ref, -1).sub(logRest);
  return np.exp(np.log(safe).add(before));
}

/**
 * The mean of each stick weight π_1..π_K under GEM(α₀) (v_k ~ Beta(1, α₀) independently),
 * E[π_k] = E[v] E[1 - v]^(k-1) = (1/(1 + α₀)) (α₀/(1 + α₀))^(k-1), and the standard deviation
 * of one stick fraction, sd(v) = √(α₀ / ((1 + α₀)² (2 + α₀))) (which is also sd(π_1)).
 */
export function stickWeightPriorMoments(
  sticks: number,
  concentration: number,
): { mean: number[]; fractionSd: number } {
  const a = concentration;
  const mean: number[] = [];
  for (let k = 0; k < sticks; k++) mean.push((1 / (1 + a)) * (a / (1 + a)) ** k);
  return { mean, fractionSd: Math.sqrt(a / ((1 + a) ** 2 * (2 + a))) };
}

/**
 * The stick weights as the stick-breaking VAE's decoder reads them here:
 *   π̃_k = (π_k − E[π_k]) / sd(v),
 * centred by each weight's mean under the GEM(α₀) prior and scaled by one stick fraction's
 * prior spread (1/sd(v) ≈ 7.1 at α₀ = 5), the same scale for every stick. It is a fixed affine
 * map in front of the decoder's first (affine) layer, so the decoders it can express are
 * exactly those that read π; what changes is the scale the decoder starts from and learns at.
 * Departure from Nalisnick & Smyth 2017, whose decoder reads π itself: with raw π (0.03 to
 * 0.17 under the prior, standard deviations 0.03 to 0.14), the reconstruction's gradient on
 * the encoder's head was 1/20 to 1/600 of the KL's and every stick collapsed onto the prior
 * within ~100 steps (16x16 sprites, mlp-chen, even with the KL weighted 0.1); read this way,
 * the posteriors leave the prior (src/nn/posterior-family.ts has the figures). One scale for
 * all sticks (not each weight's own sd, which falls geometrically) keeps the inputs bounded,
 * |π̃_k| ≤ 1/sd(v), and keeps later sticks' weights small, as the construction intends.
 * Consumes v.
 */
export function standardisedStickWeights(v: Array, concentration: number): Array {
  const sticks = v.shape[v.shape.length - 1];
  const { mean, fractionSd } = stickWeightPriorMoments(sticks, concentration);
  return stickWeights(v).sub(np.array(mean)).div(fractionSd);
}
