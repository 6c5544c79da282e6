/**
 * The triplet margin loss (Schroff, Kalenichenko & Philbin 2015, "FaceNet", eq. 1-3; on masked
 * embeddings, Veit, Belongie & Karaletsos 2017, "Conditional Similarity Networks", eq. 1):
 *   ℓ(t) = max(0, d_Q(i, j) - d_Q(i, k) + α)
 * for a triplet t = (i, j, k) under query Q, over the same masked distances d_Q as the
 * probabilistic triplet likelihood (triplet-likelihood.ts). With the mean-squared divergence,
 * d_Q is the squared Euclidean distance between the masked posterior means, FaceNet's
 * ||f(a) - f(p)||² exactly; with a divergence between posteriors it is the same hinge on
 * distributions. Unlike -log p(t) = softplus(d_Q(i,j) - d_Q(i,k)), the hinge is exactly zero
 * (and passes no gradient) once the negative is farther than the positive by the margin.
 */
import { type Array, nn } from "../engine/jax.ts";
import type { TripletDistances } from "./triplet-likelihood.ts";

/** max(0, d_Q(i,j) - d_Q(i,k) + margin) per triplet, [T]. Consumes both distances. */
export function tripletMarginLoss(distances: TripletDistances, margin: number): Array {
  if (!(margin >= 0) || !Number.isFinite(margin)) {
    distances.positive.dispose();
    distances.negative.dispose();
    throw new RangeError(`triplet margin loss: margin is ${margin}, expected a finite number >= 0`);
  }
  return nn.relu(distances.positive.sub(distances.negative).add(margin));
}
