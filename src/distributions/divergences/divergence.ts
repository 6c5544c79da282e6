/**
 * Divergences between two diagonal Gaussian posteriors restricted to a (soft) subspace: the
 * building block of the oracle-constrained triplet likelihood (Karaletsos, Belongie & Rätsch
 * 2016, Sec. 3, eq. 4). Each {@link Divergence} computes the masked distance d_m(p, q) of
 * [T, Z] posteriors under [T, Z] non-negative mask weights itself, in one of two ways:
 *
 * - per dimension ({@link PerDimensionDivergence}): d_m = Σ_h m_h D(p_h, q_h), the paper's
 *   eq. 4 (jensen-shannon-per-dim, symmetric-kl, mean-squared). Such a divergence also exposes
 *   the per-element D, so a caller can weight it by many masks at once. Note that a sum of 1-D
 *   Jensen-Shannon divergences is not the Jensen-Shannon divergence of the joint posteriors and
 *   is not bounded by log 2.
 * - jointly ({@link JointDivergence}): jensen-shannon-joint, the Jensen-Shannon divergence of
 *   the masked joint posteriors (see jensen-shannon-joint.ts).
 *
 * Every divergence is symmetric in its two posteriors, differentiable (also in the masks), and
 * consumes its arrays. Pick one by config with {@link createDivergence}.
 */
import type { Array } from "../../engine/jax.ts";
import { numpy as np } from "../../engine/jax.ts";
import type { DiagonalGaussianParams } from "../diagonal-gaussian.ts";
import { gaussHermiteRule, MAX_GAUSS_HERMITE_POINTS } from "./gauss-hermite.ts";
import { jensenShannonJoint } from "./jensen-shannon-joint.ts";
import { jensenShannonGaussHermite, jensenShannonMonteCarlo } from "./jensen-shannon-per-dim.ts";
import { squaredMeanDifference } from "./mean-squared.ts";
import { symmetricKl } from "./symmetric-kl.ts";

export const DIVERGENCE_NAMES = [
  "jensen-shannon-per-dim",
  "jensen-shannon-joint",
  "symmetric-kl",
  "mean-squared",
] as const;
export type DivergenceName = (typeof DIVERGENCE_NAMES)[number];

/** The name older run folders' config.json use for "jensen-shannon-per-dim". */
export const LEGACY_JENSEN_SHANNON_NAME = "jensen-shannon";

/**
 * Maps the legacy name "jensen-shannon" (a mask-weighted sum of 1-D Jensen-Shannon
 * divergences, what old runs trained with) to "jensen-shannon-per-dim"; every other name is
 * returned unchanged (and is not validated here).
 */
export function canonicalDivergenceName(name: string): string {
  return name === LEGACY_JENSEN_SHANNON_NAME ? "jensen-shannon-per-dim" : name;
}

export type DivergenceConfig =
  /** Σ_h m_h JS(p_h, q_h) by Gauss-Hermite quadrature (deterministic); `points` defaults to 24. */
  | { name: "jensen-shannon-per-dim"; estimator: "gauss-hermite"; points?: number }
  /** Σ_h m_h JS(p_h, q_h) by reparameterised Monte Carlo with `samples` draws per posterior. */
  | { name: "jensen-shannon-per-dim"; estimator: "monte-carlo"; samples: number }
  /**
   * JS of the masked joint posteriors by reparameterised Monte Carlo with `samples` draws per
   * posterior (default {@link DEFAULT_JOINT_SAMPLES}).
   */
  | { name: "jensen-shannon-joint"; samples?: number }
  /** Σ_h m_h [KL(p_h||q_h) + KL(q_h||p_h)] in closed form. */
  | { name: "symmetric-kl" }
  /** Σ_h m_h (mu_p,h - mu_q,h)², ignoring the variances: the cheap baseline. */
  | { name: "mean-squared" };

interface DivergenceBase {
  readonly config: DivergenceConfig;
  /**
   * Shape of the standard normal noise `masked` (and a per-dimension `evaluate`) needs for
   * posteriors of shape `shape` ([T, Z] for `masked`), or null for a deterministic divergence.
   */
  noiseShape(shape: number[]): number[] | null;
  /**
   * The masked divergence d_m(p, q) of posteriors p, q of shape [..., Z] under non-negative
   * mask weights `masks` of the same shape: [..., Z] -> [...]. Consumes p, q, masks and noise.
   * `noise` (standard normal, shape `noiseShape(p.mu.shape)`) is required exactly when
   * noiseShape is not null.
   */
  masked(p: DiagonalGaussianParams, q: DiagonalGaussianParams, masks: Array, noise?: Array): Array;
}

/** d_m(p, q) = Σ_h m_h D(p_h, q_h) for a per-element divergence D. */
export interface PerDimensionDivergence extends DivergenceBase {
  readonly kind: "per-dimension";
  /**
   * D(p, q) per element: [...shape] -> [...shape]. Consumes p, q and noise, as `masked`
   * (noise of shape `noiseShape(shape)`).
   */
  evaluate(p: DiagonalGaussianParams, q: DiagonalGaussianParams, noise?: Array): Array;
}

/** A divergence of the masked joint posteriors that does not split over dimensions. */
export interface JointDivergence extends DivergenceBase {
  readonly kind: "joint";
}

export type Divergence = PerDimensionDivergence | JointDivergence;

export const DEFAULT_GAUSS_HERMITE_POINTS = 24;
/** Monte Carlo draws per posterior of jensen-shannon-joint when its config gives none. */
export const DEFAULT_JOINT_SAMPLES = 8;

/**
 * Checks that `noise` is present with shape `expected` (disposing a misshapen one) and
 * returns it. `label` names the divergence in messages.
 */
function requireNoise(label: string, expected: number[], noise: Array | undefined): Array {
  if (noise === undefined) {
    throw new Error(
      `divergence ${label}: needs standard normal noise of shape [${expected.join(", ")}]`,
    );
  }
  if (noise.shape.join() !== expected.join()) {
    const got = noise.shape;
    noise.dispose();
    throw new RangeError(`divergence ${label}: noise has shape [${got}], expected [${expected}]`);
  }
  return noise;
}

/** Throws unless masks have the posteriors' shape. */
function checkMaskShape(label: string, p: DiagonalGaussianParams, masks: Array): void {
  if (masks.shape.join() !== p.mu.shape.join()) {
    throw new RangeError(
      `divergence ${label}: masks have shape [${masks.shape}], expected the posteriors' shape [${p.mu.shape}]`,
    );
  }
}

/**
 * The one place a per-element divergence becomes a masked one: Σ_h m_h D_h over the last axis.
 * `fn` gets noise already checked against `noiseShape` (undefined for a deterministic one).
 */
function perDimension(
  config: DivergenceConfig,
  label: string,
  noiseShape: (shape: number[]) => number[] | null,
  fn: (p: DiagonalGaussianParams, q: DiagonalGaussianParams, noise: Array | undefined) => Array,
): PerDimensionDivergence {
  const evaluate = (p: DiagonalGaussianParams, q: DiagonalGaussianParams, noise?: Array): Array => {
    const expected = noiseShape(p.mu.shape);
    if (expected === null) {
      if (noise !== undefined) {
        noise.dispose();
        throw new Error(`divergence ${label}: is deterministic and takes no noise`);
      }
      return fn(p, q, undefined);
    }
    return fn(p, q, requireNoise(label, expected, noise));
  };
  return {
    kind: "per-dimension",
    config,
    noiseShape,
    evaluate,
    masked(p, q, masks, noise) {
      checkMaskShape(label, p, masks);
      return np.sum(evaluate(p, q, noise).mul(masks), -1);
    },
  };
}

const checkSamples = (label: string, samples: number): void => {
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(
      `divergence ${label}: samples is ${String(samples)}, expected a whole number >= 1`,
    );
  }
};

export type JointDivergenceConfig = Extract<DivergenceConfig, { name: "jensen-shannon-joint" }>;
export type PerDimensionDivergenceConfig = Exclude<DivergenceConfig, JointDivergenceConfig>;

/** Builds a divergence from its config. Throws a RangeError naming the bad field. */
export function createDivergence(config: JointDivergenceConfig): JointDivergence;
export function createDivergence(config: PerDimensionDivergenceConfig): PerDimensionDivergence;
export function createDivergence(config: DivergenceConfig): Divergence;
export function createDivergence(config: DivergenceConfig): Divergence {
  switch (config.name) {
    case "jensen-shannon-per-dim": {
      const label = "jensen-shannon-per-dim";
      if (config.estimator === "gauss-hermite") {
        const points = config.points ?? DEFAULT_GAUSS_HERMITE_POINTS;
        if (!Number.isInteger(points) || points < 2 || points > MAX_GAUSS_HERMITE_POINTS) {
          throw new RangeError(
            `divergence ${label}: points is ${String(points)}, expected a whole number in [2, ${MAX_GAUSS_HERMITE_POINTS}]`,
          );
        }
        const rule = gaussHermiteRule(points);
        return perDimension(
          config,
          label,
          () => null,
          (p, q) => jensenShannonGaussHermite(p, q, rule),
        );
      }
      if (config.estimator === "monte-carlo") {
        const { samples } = config;
        checkSamples(label, samples);
        return perDimension(
          config,
          `${label} (monte-carlo)`,
          (shape) => [2, samples, ...shape],
          (p, q, noise) => jensenShannonMonteCarlo(p, q, noise as Array),
        );
      }
      throw new RangeError(
        `divergence ${label}: estimator is ${JSON.stringify((config as { estimator: unknown }).estimator)}, expected "gauss-hermite" or "monte-carlo"`,
      );
    }
    case "jensen-shannon-joint": {
      const label = "jensen-shannon-joint";
      const samples = config.samples ?? DEFAULT_JOINT_SAMPLES;
      checkSamples(label, samples);
      const noiseShape = (shape: number[]) => [2, samples, ...shape];
      return {
        kind: "joint",
        config,
        noiseShape,
        masked(p, q, masks, noise) {
          checkMaskShape(label, p, masks);
          const checked = requireNoise(label, noiseShape(p.mu.shape), noise);
          return jensenShannonJoint(p, q, masks, checked);
        },
      };
    }
    case "symmetric-kl":
      return perDimension(config, "symmetric-kl", () => null, symmetricKl);
    case "mean-squared":
      return perDimension(config, "mean-squared", () => null, squaredMeanDifference);
    default:
      throw new RangeError(
        `divergence: name is ${JSON.stringify((config as { name: unknown }).name)}, expected one of ${DIVERGENCE_NAMES.join(", ")}`,
      );
  }
}
