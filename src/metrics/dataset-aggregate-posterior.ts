/**
 * The aggregate posterior q(z) = (1/N) Σ_n q(z|x_n) of a whole encoded dataset, evaluated
 * at given points: log q(z_m) and the per-dimension marginals log q(z_mj), each a
 * log-sum-exp over all N diagonal-Gaussian posteriors (Chen et al. 2018, Sec. 3 and their
 * dataset-level `elbo_decomposition`). Exact in N (no minibatch estimate); the cost is
 * M·N·Z, run in jitted chunks of the dataset.
 */
import { type Array, jit, nn, numpy as np } from "../engine/jax.ts";
import type { EncodedPosteriors } from "../run/encode-dataset.ts";

export interface AggregatePosteriorAt {
  /** [M] log q(z_m). */
  joint: Float64Array;
  /** [M * Z] log q(z_mj), row-major. */
  marginal: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Evaluates log q(z) and log q(z_j) at the M points `z` ([M * Z], row-major) with q the
 * mixture of all posteriors in `posteriors`. `chunk` posteriors are handled per jitted call
 * (default: about 8M floats of work per call).
 */
export async function logAggregatePosterior(
  z: Float32Array,
  posteriors: EncodedPosteriors,
  chunk?: number,
): Promise<AggregatePosteriorAt> {
  const { count: n, latentDim } = posteriors;
  const m = z.length / latentDim;
  if (!Number.isInteger(m))
    throw new RangeError(`points: ${z.length} values is not a multiple of Z = ${latentDim}`);
  // About 8M floats per [M, chunk, Z] block unless told otherwise.
  const size = Math.min(chunk ?? Math.max(16, Math.floor(2 ** 23 / (m * latentDim))), n);
  // Per chunk: logsumexp over its posteriors of the joint and of each marginal log density.
  const chunkLogSumExp = jit((points: Array, mu: Array, logvar: Array, mask: Array) => {
    const zz = points.reshape([m, 1, latentDim]);
    const perDim = np
      .square(zz.sub(mu.reshape([1, size, latentDim])))
      .mul(np.exp(logvar.ref.neg()).reshape([1, size, latentDim]))
      .add(logvar.reshape([1, size, latentDim]))
      .add(LOG_2PI)
      .mul(-0.5)
      .add(mask.reshape([1, size, 1])); // [M, chunk, Z]; padded posteriors get -1e30
    const joint = nn.logsumexp(np.sum(perDim.ref, -1), 1); // [M]
    const marginal = nn.logsumexp(perDim, 1); // [M, Z]
    return [joint, marginal];
  });
  const joint = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  const marginal = new Float64Array(m * latentDim).fill(Number.NEGATIVE_INFINITY);
  const points = np.array(z, { shape: [m, latentDim] });
  const mu = new Float32Array(size * latentDim);
  const logvar = new Float32Array(size * latentDim);
  const mask = new Float32Array(size);
  try {
    for (let start = 0; start < n; start += size) {
      const filled = Math.min(size, n - start);
      mu.fill(0).set(posteriors.mu.subarray(start * latentDim, (start + filled) * latentDim));
      logvar
        .fill(0)
        .set(posteriors.logvar.subarray(start * latentDim, (start + filled) * latentDim));
      mask.fill(-1e30, filled).fill(0, 0, filled);
      const [j, g] = chunkLogSumExp(
        points.ref,
        np.array(mu, { shape: [size, latentDim] }),
        np.array(logvar, { shape: [size, latentDim] }),
        np.array(mask),
      );
      const [jd, gd] = await Promise.all([j.data(), g.data()]);
      for (let i = 0; i < m; i++) joint[i] = logAddExp(joint[i], jd[i]);
      for (let i = 0; i < m * latentDim; i++) marginal[i] = logAddExp(marginal[i], gd[i]);
    }
  } finally {
    points.dispose();
    chunkLogSumExp.dispose();
  }
  const logN = Math.log(n);
  for (let i = 0; i < m; i++) joint[i] -= logN;
  for (let i = 0; i < m * latentDim; i++) marginal[i] -= logN;
  return { joint, marginal };
}

function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}
