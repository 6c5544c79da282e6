/**
 * Gaussian decoder likelihood p(x|z) = N(x; mean, σ² I) (Kingma & Welling 2014, Appendix C.2),
 * with σ² fixed (a number) or learned (an array log-variance, a scalar or per-pixel
 * parameter broadcast against the images).
 */
import { type Array, numpy as np } from "../engine/jax.ts";
import { gaussianLogDensity } from "./diagonal-gaussian.ts";
import { sumOverPixels } from "./sum-over-pixels.ts";

/**
 * log N(x; mean, exp(logvar)) summed over pixels: [B, ...] mean and x -> [B].
 * `logvar` is a fixed number or a learned array broadcastable to x. Consumes its arrays.
 */
export function gaussianLogLikelihood(mean: Array, x: Array, logvar: Array | number): Array {
  if (typeof logvar === "number" && !Number.isFinite(logvar)) {
    throw new RangeError(`gaussianLogLikelihood: logvar is ${logvar}, expected a finite number`);
  }
  const lv = typeof logvar === "number" ? np.array(logvar) : logvar;
  return sumOverPixels(gaussianLogDensity(x, mean, lv));
}
