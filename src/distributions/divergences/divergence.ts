/**
 * Divergences D(q_i, q_j) between two diagonal Gaussian posteriors, per latent dimension:
 * the building block of the oracle-constrained triplet likelihood (Karaletsos, Belongie &
 * Rätsch 2016, Sec. 3, eq. 4: d_Q(i, j) = Σ_h m_Q,h · D(q(z_i,h | x_i), q(z_j,h | x_j))).
 * Every divergence works elementwise on [...shape] means and log-variances, is symmetric in
 * its two arguments, differentiable, and consumes its arrays. Pick one by config with
 * {@link createDivergence}.
 */
import type { Array } from "../../engine/jax.ts";
import { gaussHermiteRule, MAX_GAUSS_HERMITE_POINTS } from "./gauss-hermite.ts";
import { jensenShannonGaussHermite, jensenShannonMonteCarlo } from "./jensen-shannon.ts";
import { squaredMeanDifference } from "./mean-squared.ts";
import { symmetricKl } from "./symmetric-kl.ts";

/** N(mu, exp(logvar)) elementwise; same fields as the encoder's PosteriorParams. */
export interface DiagonalGaussian {
  mu: Array;
  logvar: Array;
}

export const DIVERGENCE_NAMES = ["jensen-shannon", "symmetric-kl", "mean-squared"] as const;
export type DivergenceName = (typeof DIVERGENCE_NAMES)[number];

export type DivergenceConfig =
  /** Jensen-Shannon by Gauss-Hermite quadrature (deterministic); `points` defaults to 24. */
  | { name: "jensen-shannon"; estimator: "gauss-hermite"; points?: number }
  /** Jensen-Shannon by reparameterised Monte Carlo with `samples` draws per posterior. */
  | { name: "jensen-shannon"; estimator: "monte-carlo"; samples: number }
  /** KL(p||q) + KL(q||p) in closed form. */
  | { name: "symmetric-kl" }
  /** (mu_p - mu_q)², ignoring the variances: the cheap baseline. */
  | { name: "mean-squared" };

export interface Divergence {
  readonly config: DivergenceConfig;
  /**
   * Shape of the standard normal noise `evaluate` needs for posteriors of shape `shape`, or
   * null for a deterministic divergence.
   */
  noiseShape(shape: number[]): number[] | null;
  /**
   * D(p, q) per element: [...shape] -> [...shape]. Consumes p, q and noise. `noise` (standard
   * normal, shape `noiseShape(shape)`) is required exactly when noiseShape is not null.
   */
  evaluate(p: DiagonalGaussian, q: DiagonalGaussian, noise?: Array): Array;
}

export const DEFAULT_GAUSS_HERMITE_POINTS = 24;

function deterministic(
  config: DivergenceConfig,
  fn: (p: DiagonalGaussian, q: DiagonalGaussian) => Array,
): Divergence {
  return {
    config,
    noiseShape: () => null,
    evaluate(p, q, noise) {
      if (noise !== undefined) {
        noise.dispose();
        throw new Error(`divergence ${config.name}: is deterministic and takes no noise`);
      }
      return fn(p, q);
    },
  };
}

/** Builds a divergence from its config. Throws a RangeError naming the bad field. */
export function createDivergence(config: DivergenceConfig): Divergence {
  switch (config.name) {
    case "jensen-shannon": {
      if (config.estimator === "gauss-hermite") {
        const points = config.points ?? DEFAULT_GAUSS_HERMITE_POINTS;
        if (!Number.isInteger(points) || points < 2 || points > MAX_GAUSS_HERMITE_POINTS) {
          throw new RangeError(
            `divergence jensen-shannon: points is ${String(points)}, expected a whole number in [2, ${MAX_GAUSS_HERMITE_POINTS}]`,
          );
        }
        const rule = gaussHermiteRule(points);
        return deterministic(config, (p, q) => jensenShannonGaussHermite(p, q, rule));
      }
      if (config.estimator === "monte-carlo") {
        const { samples } = config;
        if (!Number.isInteger(samples) || samples < 1) {
          throw new RangeError(
            `divergence jensen-shannon: samples is ${String(samples)}, expected a whole number >= 1`,
          );
        }
        return {
          config,
          noiseShape: (shape) => [2, samples, ...shape],
          evaluate(p, q, noise) {
            if (noise === undefined) {
              throw new Error(
                `divergence jensen-shannon (monte-carlo): needs standard normal noise of shape [2, ${samples}, ...posterior shape]`,
              );
            }
            const expected = [2, samples, ...p.mu.shape];
            if (noise.shape.join() !== expected.join()) {
              const got = noise.shape;
              noise.dispose();
              throw new RangeError(
                `divergence jensen-shannon (monte-carlo): noise has shape [${got}], expected [${expected}]`,
              );
            }
            return jensenShannonMonteCarlo(p, q, noise);
          },
        };
      }
      throw new RangeError(
        `divergence jensen-shannon: estimator is ${JSON.stringify((config as { estimator: unknown }).estimator)}, expected "gauss-hermite" or "monte-carlo"`,
      );
    }
    case "symmetric-kl":
      return deterministic(config, symmetricKl);
    case "mean-squared":
      return deterministic(config, squaredMeanDifference);
    default:
      throw new RangeError(
        `divergence: name is ${JSON.stringify((config as { name: unknown }).name)}, expected one of ${DIVERGENCE_NAMES.join(", ")}`,
      );
  }
}
