/**
 * Priors p(z) by name: the model's prior is part of the model (src/nn/vae.ts), and every
 * KL, sample and decomposition uses it. A prior makes a fresh {@link Distribution} over
 * `latentDim` dimensions each time it is asked (parameters [Z], broadcast against a batch).
 * Adding a prior: a family file (if new) and one line in PRIORS.
 */

import { numpy as np } from "../engine/jax.ts";
import { betaDistribution } from "./beta.ts";
import { diagonalGaussian } from "./diagonal-gaussian.ts";
import type { Distribution, FamilyName } from "./distribution.ts";
import { laplace } from "./laplace.ts";
import { studentT } from "./student-t.ts";

export interface Prior {
  readonly name: PriorName;
  /** One line for `--help` and the README. */
  readonly summary: string;
  /** The family of its distribution (what the KL registry is keyed by). */
  readonly family: FamilyName;
  /**
   * The encoder's posterior family that goes with it (src/nn/posterior-family.ts): Gaussian,
   * or Kumaraswamy for the stick-breaking prior.
   */
  readonly posterior: "normal" | "kumaraswamy";
  /** p(z) over `latentDim` dimensions; the caller owns it. */
  distribution(latentDim: number): Distribution;
}

/** α₀ of the stick-breaking prior: the expected share of each stick's remainder is 1/(1 + α₀). */
export const STICK_CONCENTRATION = 5;

/** The prior registry: one entry per p(z), with its family and the paper it comes from. */
export const PRIORS = {
  normal: {
    summary: "standard normal N(0, I) (Kingma & Welling 2014)",
    family: "normal",
    posterior: "normal",
    /** N(0, I) over `d` dimensions. */
    distribution: (d: number) => diagonalGaussian({ mu: np.zeros([d]), logvar: np.zeros([d]) }),
  },
  laplace: {
    summary: "factorised standard Laplace(0, 1), heavier tails (as in Chen et al. 2018, Sec. 6)",
    family: "laplace",
    posterior: "normal",
    /** Laplace(0, 1) in each of `d` dimensions. */
    distribution: (d: number) => laplace({ loc: np.zeros([d]), logscale: np.zeros([d]) }),
  },
  "student-t": {
    summary: "factorised Student-t t₃(0, 1): heavy tails, finite variance (Student 1908)",
    family: "student-t",
    posterior: "normal",
    /** t₃(0, 1) in each of `d` dimensions. */
    distribution: (d: number) => studentT({ df: 3, loc: np.zeros([d]), logscale: np.zeros([d]) }),
  },
  "stick-breaking": {
    summary:
      "stick-breaking GEM(α₀ = 5) truncated at z sticks: Beta(1, 5) per stick fraction, Kumaraswamy posterior, the decoder reads the stick weights (Nalisnick & Smyth 2017)",
    family: "beta",
    posterior: "kumaraswamy",
    /** Beta(1, α₀) in each of `d` stick fractions (α₀ = STICK_CONCENTRATION, not tuned). */
    distribution: (d: number) => betaDistribution(1, STICK_CONCENTRATION, d),
  },
} as const satisfies Record<string, Omit<Prior, "name">>;

export type PriorName = keyof typeof PRIORS;
/** The names of {@link PRIORS}, as the CLI's `--prior` accepts them. */
export const PRIOR_NAMES = Object.keys(PRIORS) as [PriorName, ...PriorName[]];

/** The prior named `name`, or a RangeError listing the known names. */
export function createPrior(name: PriorName): Prior {
  const entry = PRIORS[name];
  if (entry === undefined) {
    throw new RangeError(
      `prior ${JSON.stringify(name)}: expected one of ${PRIOR_NAMES.join(", ")}`,
    );
  }
  return { name, ...entry };
}
