/**
 * The two-example, two-dimension batch the objective tests evaluate by hand: posteriors,
 * their samples, log p(x|z), and the closed-form reconstruction and KL terms (to N(0, I)).
 */
import { diagonalGaussian } from "../../src/distributions/diagonal-gaussian.ts";
import { createPrior, type PriorName } from "../../src/distributions/priors.ts";
import { type Array as JaxArray, numpy as np } from "../../src/engine/jax.ts";
import type { LatentBatch } from "../../src/objectives/objective.ts";

export const MU = [
  [0.5, -1],
  [1.5, 0.2],
];
export const LOGVAR = [
  [-0.5, 0.3],
  [0, -1.2],
];
export const Z_SAMPLE = [
  [0.7, -0.4],
  [1.1, 0.5],
];
export const LOG_PX = [-12.5, -20];

/** Mean -log p(x|z). */
export const REC = -(LOG_PX[0] + LOG_PX[1]) / 2;

/** Closed-form KL(N(mu, e^logvar) || N(0, I)), summed over dimensions, mean over the batch. */
export function referenceKl(mu: number[][], logvar: number[][]): number {
  let total = 0;
  for (let i = 0; i < mu.length; i++) {
    for (let d = 0; d < mu[i].length; d++) {
      total += 0.5 * (Math.exp(logvar[i][d]) + mu[i][d] ** 2 - 1 - logvar[i][d]);
    }
  }
  return total / mu.length;
}

export const KL = referenceKl(MU, LOGVAR);

/** The batch as an objective takes it; `mu` and `logPx` may be traced arrays. */
export function twoExampleBatch(
  options: { mu?: JaxArray; logPx?: JaxArray; prior?: PriorName } = {},
): LatentBatch {
  return {
    logPxGivenZ: options.logPx ?? np.array(LOG_PX),
    z: np.array(Z_SAMPLE),
    posterior: diagonalGaussian({ mu: options.mu ?? np.array(MU), logvar: np.array(LOGVAR) }),
    prior: createPrior(options.prior ?? "normal").distribution(MU[0].length),
  };
}
