/**
 * Maximum mean discrepancy (Gretton et al. 2012) between the aggregate posterior
 * q(z) = (1/B) Σ_i q(z|x_i) of a batch and the prior p(z), in place of the ELBO's KL, as in
 * InfoVAE (Zhao, Song & Ermon 2019, eq. 9; "MMD-VAE") and the Wasserstein autoencoder
 * (Tolstikhin et al. 2018, Alg. 2): an integral probability metric on the whole code
 * distribution, not a divergence per example, so it does not push each q(z|x) to the prior.
 *   MMD²(q, p) = E k(z, z') + E k(y, y') - 2 E k(z, y),  z, z' ~ q,  y, y' ~ p,
 * estimated by the unbiased U-statistic over the batch's samples z_1..z_n and as many prior
 * draws y_1..y_m (Gretton et al. 2012, eq. 3): the mean of k over distinct pairs within each
 * set, minus twice the mean over all cross pairs. Over the draw of the batch (x_i from the
 * data, z_i ~ q(z|x_i)) the z_i are draws of q(z), and the estimate is unbiased for MMD²
 * (so it can come out below 0 for a close fit), with variance O(1/n). Given the batch it
 * estimates the same sum with each posterior's pair with itself left out, one draw per
 * posterior (the test checks both). Kernels, with scale C = 2·Z·s² (Tolstikhin et al.
 * 2018, Sec. 4: C = 2 d σ² for a prior of variance σ² per dimension, s = σ):
 *   rbf: k(a, b) = exp(-|a - b|² / C),   imq: k(a, b) = C / (C + |a - b|²)  (inverse multiquadric,
 * heavier tails, the WAE's choice). Both have k(a, a) = 1.
 */
import { type Array, numpy as np } from "../../engine/jax.ts";

export const MMD_KERNELS = ["rbf", "imq"] as const;
export type MmdKernel = (typeof MMD_KERNELS)[number];

/** k(a_i, b_j) for rows of a [n, Z] and b [m, Z]: [n, m]. Consumes a and b. */
function kernelMatrix(kernel: MmdKernel, a: Array, b: Array, scale: number): Array {
  const c = 2 * a.shape[1] * scale * scale;
  const difference = np.expandDims(a, 1).sub(np.expandDims(b, 0));
  const squaredDistance = np.sum(np.square(difference), -1);
  return kernel === "rbf"
    ? np.exp(squaredDistance.mul(-1 / c))
    : np.reciprocal(squaredDistance.add(c)).mul(c);
}

/**
 * The unbiased estimate of MMD²(q, p) from samples `z` [n, Z] of q and `y` [m, Z] of p
 * (n, m >= 2), with kernel scale s = `scale` > 0. A scalar; consumes z and y.
 */
export function mmdSquared(kernel: MmdKernel, z: Array, y: Array, scale: number): Array {
  const [n, m] = [z.shape[0], y.shape[0]];
  if (n < 2 || m < 2 || !(scale > 0)) {
    z.dispose();
    y.dispose();
    throw new RangeError(
      `mmd: needs at least 2 samples of each distribution and a scale > 0, got ${n} and ${m} samples, scale ${scale}`,
    );
  }
  // Σ_{i≠j} k(z_i, z_j) = Σ_{i,j} k(z_i, z_j) - n, as k(a, a) = 1.
  const withinQ = np
    .sum(kernelMatrix(kernel, z.ref, z.ref, scale))
    .sub(n)
    .div(n * (n - 1));
  const withinP = np
    .sum(kernelMatrix(kernel, y.ref, y.ref, scale))
    .sub(m)
    .div(m * (m - 1));
  const across = np.mean(kernelMatrix(kernel, z, y, scale)).mul(2);
  return withinQ.add(withinP).sub(across);
}
