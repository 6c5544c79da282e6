/**
 * The oracle-constrained triplet likelihood of Karaletsos, Belongie & Rätsch 2016 (Sec. 3,
 * eqs. 4-5). A triplet t = (i, j, k) under query Q says "i is more like j than like k under Q";
 * its likelihood is a Bernoulli with a softmax over negative masked divergences,
 *   p(t | z_i, z_j, z_k) = exp(-d_Q(i,j)) / (exp(-d_Q(i,j)) + exp(-d_Q(i,k))),
 * so log p(t) = -softplus(d_Q(i,j) - d_Q(i,k)), computed in that stable form. The masked
 * divergence d_Q(i, j) = d_{m_Q}(q(z_i | x_i), q(z_j | x_j)) is the divergence's own `masked`:
 * the paper's Σ_h m_Q,h D(q(z_i,h | x_i), q(z_j,h | x_j)) for a per-dimension divergence, or the
 * Jensen-Shannon divergence of the masked joint posteriors (jensen-shannon-joint: in [0, log 2]
 * for mask weights in [0, 1], so then p(t) <= 1/(1 + 1/2) = 2/3).
 */

import type { DiagonalGaussianParams } from "../distributions/diagonal-gaussian.ts";
import type { Divergence } from "../distributions/divergences/divergence.ts";
import { softplus } from "../distributions/softplus.ts";
import { type Array, nn, numpy as np } from "../engine/jax.ts";

/** Posteriors q(z | x) of the three images of T triplets, each [T, Z]. */
export interface TripletPosteriors {
  anchor: DiagonalGaussianParams;
  positive: DiagonalGaussianParams;
  negative: DiagonalGaussianParams;
}

/** Masked divergences of T triplets, each [T]: d_Q(i, j) and d_Q(i, k). */
export interface TripletDistances {
  positive: Array;
  negative: Array;
}

/**
 * The noise `tripletDistances` needs for T triplets in Z dimensions: [2, ...noise of one
 * [T, Z] divergence] (index 0 for the anchor-positive pair, 1 for anchor-negative), or null
 * for a deterministic divergence.
 */
export function tripletNoiseShape(
  divergence: Divergence,
  triplets: number,
  latentDim: number,
): number[] | null {
  const one = divergence.noiseShape([triplets, latentDim]);
  return one === null ? null : [2, ...one];
}

/** Each triplet's mask row: one-hot(query) [T, Q] @ masks [Q, Z] -> [T, Z]. Consumes both. */
export function masksPerTriplet(masks: Array, query: Array): Array {
  const queries = masks.shape[0];
  return np.matmul(nn.oneHot(query, queries).astype(masks.dtype), masks);
}

/**
 * d_Q(i, j) and d_Q(i, k) for T triplets: the divergence's masked distance under each
 * triplet's mask row `masks` [T, Z]. `noise` has shape `tripletNoiseShape(divergence, T, Z)`
 * (Monte Carlo divergences only). Consumes everything.
 */
export function tripletDistances(
  divergence: Divergence,
  triplets: TripletPosteriors,
  masks: Array,
  noise?: Array,
): TripletDistances {
  const { anchor, positive, negative } = triplets;
  const anchorCopy = { mu: anchor.mu.ref, logvar: anchor.logvar.ref };
  const noisePositive = noise?.ref.slice(0);
  const noiseNegative = noise?.slice(1);
  return {
    positive: divergence.masked(anchorCopy, positive, masks.ref, noisePositive),
    negative: divergence.masked(anchor, negative, masks, noiseNegative),
  };
}

/** log p(t) = -softplus(d_Q(i,j) - d_Q(i,k)) per triplet, [T]. Consumes both. */
export function tripletLogLikelihood(distances: TripletDistances): Array {
  return softplus(distances.positive.sub(distances.negative)).neg();
}

/**
 * Fraction of triplets ranked right, d_Q(i,j) < d_Q(i,k), with ties counted as half (a coin
 * flip), as a scalar. Not differentiable (zero gradient). Consumes both.
 */
export function tripletAccuracyOf(distances: TripletDistances): Array {
  const { positive, negative } = distances;
  const dtype = positive.dtype;
  const right = np.less(positive.ref, negative.ref).astype(dtype);
  const tie = np.equal(positive, negative).astype(dtype);
  return np.mean(right.add(tie.mul(0.5)));
}
