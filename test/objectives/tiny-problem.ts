/**
 * A tiny dataset of N fixed diagonal-Gaussian posteriors q(z|x_n) in Z = 3 dimensions, where
 * the aggregate posterior q(z) = (1/N) Σ_n q(z|x_n) is computed exactly by brute force on a
 * grid, and plain-JS float64 versions of the minibatch estimators. Independent of the jax
 * code under test; the estimators take their weight matrices as input.
 */
import { LOG_2PI, logNormal, logSumExp, normalSampler } from "../distributions/reference.ts";

export const Z = 3;

/** Posteriors with correlated means in dims 0 and 1 (so the total correlation is clearly > 0). */
export function tinyPosteriors(N: number): { mu: number[][]; logvar: number[][] } {
  const mu: number[][] = [];
  const logvar: number[][] = [];
  for (let n = 0; n < N; n++) {
    const t = -1.5 + (3 * n) / (N - 1);
    mu.push([t, 0.8 * t + 0.3 * Math.sin(3 * n), Math.cos(2.3 * n)]);
    logvar.push([-1.5 + 0.1 * (n % 4), -1.2 + 0.05 * n, -0.6 - 0.1 * (n % 3)]);
  }
  return { mu, logvar };
}

export interface ExactExpectations {
  /** E_{q(z,n)} [log q(z|n)] */
  logQzGivenX: number;
  /** E_{q(z)} [log q(z)] */
  logQz: number;
  /** E_{q(z)} [Σ_d log q(z_d)] */
  logQzProduct: number;
  /** E_{q(z)} [log p(z)] */
  logPz: number;
}

/** Expectations under q(z, n) = q(z|n)/N by brute force: midpoint rule on a [-6, 6]^3 grid. */
export function exactExpectations(
  mu: number[][],
  logvar: number[][],
  step = 0.125,
): ExactExpectations {
  const N = mu.length;
  const ticks: number[] = [];
  for (let v = -6 + step / 2; v < 6; v += step) ticks.push(v);
  const G = ticks.length;
  // table[d][g * N + n] = log q(z_d = ticks[g] | n)
  const table = Array.from({ length: Z }, (_, d) => {
    const t = new Float64Array(G * N);
    for (let g = 0; g < G; g++) {
      for (let n = 0; n < N; n++) t[g * N + n] = logNormal(ticks[g], mu[n][d], logvar[n][d]);
    }
    return t;
  });
  const marginal = table.map((t) =>
    Array.from({ length: G }, (_, g) => logSumExp(t.subarray(g * N, g * N + N)) - Math.log(N)),
  );
  const volume = step ** Z;
  const acc = { logQzGivenX: 0, logQz: 0, logQzProduct: 0, logPz: 0 };
  const logJoint = new Float64Array(N);
  for (let a = 0; a < G; a++) {
    for (let b = 0; b < G; b++) {
      for (let c = 0; c < G; c++) {
        for (let n = 0; n < N; n++) {
          logJoint[n] = table[0][a * N + n] + table[1][b * N + n] + table[2][c * N + n];
        }
        const logQz = logSumExp(logJoint) - Math.log(N);
        const q = Math.exp(logQz) * volume;
        if (q < 1e-300) continue;
        let conditional = 0;
        for (let n = 0; n < N; n++)
          conditional += (Math.exp(logJoint[n]) / N) * volume * logJoint[n];
        acc.logQzGivenX += conditional;
        acc.logQz += q * logQz;
        acc.logQzProduct += q * (marginal[0][a] + marginal[1][b] + marginal[2][c]);
        acc.logPz += q * (-0.5 * (Z * LOG_2PI + ticks[a] ** 2 + ticks[b] ** 2 + ticks[c] ** 2));
      }
    }
  }
  return acc;
}

/** Closed-form mean over n of KL(q(z|n) || N(0, I)). */
export function averageKl(mu: number[][], logvar: number[][]): number {
  let total = 0;
  for (let n = 0; n < mu.length; n++) {
    for (let d = 0; d < Z; d++) {
      total += 0.5 * (Math.exp(logvar[n][d]) + mu[n][d] ** 2 - 1 - logvar[n][d]);
    }
  }
  return total / mu.length;
}

/** A minibatch: dataset indices and one sample z_j ~ q(z|x_{n_j}) per member. */
export interface Minibatch {
  indices: number[];
  z: number[][];
}

/**
 * Minibatches of `size` distinct examples in random order (drawn without replacement, as a
 * shuffled epoch gives them), each with fresh samples z.
 */
export function minibatchSampler(
  mu: number[][],
  logvar: number[][],
  seed: number,
): (size: number) => Minibatch {
  const normal = normalSampler(seed);
  let state = seed >>> 0;
  const uniformInt = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor(((state >>> 8) / 2 ** 24) * n);
  };
  return (size) => {
    const pool = mu.map((_, n) => n);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = uniformInt(i + 1);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const indices = pool.slice(0, size);
    const z = indices.map((n) => mu[n].map((m, d) => m + Math.exp(logvar[n][d] / 2) * normal()));
    return { indices, z };
  };
}

/**
 * Row estimates log q(z_i) ≈ logsumexp_j (logW_ij + log q(z_i|x_j)) and
 * Σ_d log q(z_id) ≈ Σ_d logsumexp_j (logW_ij + log q(z_id|x_j)).
 */
export function referenceEstimates(
  batch: Minibatch,
  mu: number[][],
  logvar: number[][],
  logWeights: ArrayLike<number>,
): { logQz: number[]; logQzProduct: number[] } {
  const B = batch.indices.length;
  const logQz: number[] = [];
  const logQzProduct: number[] = [];
  for (let i = 0; i < B; i++) {
    const joint = new Float64Array(B);
    const perDim = Array.from({ length: Z }, () => new Float64Array(B));
    for (let j = 0; j < B; j++) {
      const n = batch.indices[j];
      for (let d = 0; d < Z; d++) {
        const l = logNormal(batch.z[i][d], mu[n][d], logvar[n][d]);
        joint[j] += l;
        perDim[d][j] = l + logWeights[i * B + j];
      }
      joint[j] += logWeights[i * B + j];
    }
    logQz.push(logSumExp(joint));
    logQzProduct.push(perDim.reduce((s, v) => s + logSumExp(v), 0));
  }
  return { logQz, logQzProduct };
}
