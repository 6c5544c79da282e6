/**
 * Bernoulli likelihood with logits, the decoder distribution for binary-ish images
 * (Kingma & Welling 2014, Appendix C.1). log p(x|l) = x·l - softplus(l) per pixel, written
 * with the stable softplus so that extreme logits stay finite and exact.
 */
import type { Array } from "../engine/jax.ts";
import { softplus } from "./softplus.ts";
import { sumOverPixels } from "./sum-over-pixels.ts";

/**
 * log p(x | logits) summed over pixels: [B, ...] logits and targets in [0, 1] -> [B].
 * Consumes both.
 */
export function bernoulliLogLikelihood(logits: Array, x: Array): Array {
  return sumOverPixels(x.mul(logits.ref).sub(softplus(logits)));
}
