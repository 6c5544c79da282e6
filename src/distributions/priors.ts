/**
 * Priors p(z) by name: the model's prior is part of the model (src/nn/vae.ts), and every
 * KL, sample and decomposition uses it. A prior makes a fresh {@link Distribution} over
 * `latentDim` dimensions each time it is asked (parameters [Z], broadcast against a batch).
 * Adding a prior: a family file (if new) and one line in PRIORS.
 */

import { numpy as np } from "../engine/jax.ts";
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
  /** p(z) over `latentDim` dimensions; the caller owns it. */
  distribution(latentDim: number): Distribution;
}

/** The prior registry: one entry per p(z), with its family and the paper it comes from. */
export const PRIORS = {
  normal: {
    summary: "standard normal N(0, I) (Kingma & Welling 2014)",
    family: "normal",
    /** N(0, I) over `d` dimensions. */
    distribution: (d: number) => diagonalGaussian({ mu: np.zeros([d]), logvar: np.zeros([d]) }),
  },
  laplace: {
    summary: "factorised standard Laplace(0, 1), heavier tails (as in Chen et al. 2018, Sec. 6)",
    family: "laplace",
    /** Laplace(0, 1) in each of `d` dimensions. */
    distribution: (d: number) => laplace({ loc: np.zeros([d]), logscale: np.zeros([d]) }),
  },
  "student-t": {
    summary: "factorised Student-t t₃(0, 1): heavy tails, finite variance (Student 1908)",
    family: "student-t",
    /** t₃(0, 1) in each of `d` dimensions. */
    distribution: (d: number) => studentT({ df: 3, loc: np.zeros([d]), logscale: np.zeros([d]) }),
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
