/**
 * Priors p(z) by name: the model's prior is part of the model (src/nn/vae.ts), and every
 * KL, sample and decomposition uses it. A prior makes a fresh {@link Distribution} over
 * `latentDim` dimensions each time it is asked (parameters [Z], broadcast against a batch).
 * A learned prior (the mixture of Gaussians, the VampPrior) has parameters of its own in the
 * model's parameter tree (VaeParams.prior), trained with the rest; its distribution is made
 * from them ({@link PriorFit}; Vae.priorDistribution). Adding a prior: a family file (if new)
 * and one entry in PRIORS.
 */

import { type Array, nn, numpy as np, random } from "../engine/jax.ts";
import { betaDistribution } from "./beta.ts";
import { type DiagonalGaussianParams, diagonalGaussian } from "./diagonal-gaussian.ts";
import type { Distribution, FamilyName } from "./distribution.ts";
import { laplace } from "./laplace.ts";
import { normalMixture } from "./normal-mixture.ts";
import { studentT } from "./student-t.ts";

/** A learned prior's parameters by name (empty for a fixed prior). */
export type PriorParams = Record<string, Array>;

/** What a learned prior's distribution is made from. */
export interface PriorFit {
  /** The prior's learned parameters (VaeParams.prior). */
  params: PriorParams;
  /** The VampPrior's components: q(z|u_k) at its pseudo-inputs u_k, [K, Z] each. */
  pseudoPosteriors?: DiagonalGaussianParams;
}

/** What a learned prior adds to a fixed one. */
export interface LearnedPrior {
  /** Components K when `--prior-components` is not given. */
  readonly defaultComponents: number;
  /**
   * Fresh parameters with K `components` over `latentDim` dimensions, for images of
   * `imageShape` [H, W, C]. Consumes key.
   */
  init(
    key: Array,
    components: number,
    latentDim: number,
    imageShape: readonly [number, number, number],
  ): PriorParams;
  /**
   * The VampPrior's pseudo-inputs [K, H, W, C] in (0, 1) from its parameters (consumes them),
   * which the model encodes with the data; absent for a prior that does not use the encoder.
   */
  pseudoInputs?(params: PriorParams): Array;
}

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
  /** Present for a prior learned with the model. */
  readonly learned?: LearnedPrior;
  /** K of a learned prior (its default unless the run sets it); absent for a fixed prior. */
  readonly components?: number;
  /**
   * p(z) over `latentDim` dimensions; the caller owns it. A learned prior needs `fit` (the
   * model's parameters) and throws without it.
   */
  distribution(latentDim: number, fit?: PriorFit): Distribution;
}

/** α₀ of the stick-breaking prior: the expected share of each stick's remainder is 1/(1 + α₀). */
export const STICK_CONCENTRATION = 5;

/** A learned prior's fit, or an error saying that a learned prior needs one. */
function fitOf(name: string, fit: PriorFit | undefined): PriorFit {
  if (fit === undefined) {
    throw new Error(
      `the ${name} prior is learned with the model: its distribution is made from the model's parameters (Vae.priorDistribution), not from the prior alone`,
    );
  }
  return fit;
}

/** logit(0.05): the VampPrior's pseudo-inputs start as nearly black images (see its entry). */
const DARK_PIXEL_LOGIT = Math.log(0.05 / 0.95);

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
      "stick-breaking GEM(α₀ = 5) truncated at z sticks: Beta(1, 5) per stick fraction, Kumaraswamy posterior, the decoder reads the stick weights, standardised (Nalisnick & Smyth 2017)",
    family: "beta",
    posterior: "kumaraswamy",
    /** Beta(1, α₀) in each of `d` stick fractions (α₀ = STICK_CONCENTRATION, not tuned). */
    distribution: (d: number) => betaDistribution(1, STICK_CONCENTRATION, d),
  },
  "gaussian-mixture": {
    summary:
      "learned mixture of K diagonal Gaussians, weights, means and variances trained with the model (the MoG prior of Tomczak & Welling 2018, Sec. 2.2); KL by Monte Carlo",
    family: "normal-mixture",
    posterior: "normal",
    learned: {
      defaultComponents: 10,
      /** Means ~ N(0, I) (spread over the standard normal's bulk), unit variances, equal weights. */
      init(key, k, d) {
        return { logits: np.zeros([k]), mu: random.normal(key, [k, d]), logvar: np.zeros([k, d]) };
      },
    },
    /** The mixture from its learned weights, means and log-variances. */
    distribution(d: number, fit?: PriorFit) {
      const { logits, mu, logvar } = fitOf("gaussian-mixture", fit).params;
      checkLatentDim("gaussian-mixture", mu, d);
      return normalMixture({ logits, mu, logvar });
    },
  },
  vampprior: {
    summary:
      "VampPrior: the mixture of the encoder's posteriors at K learned pseudo-inputs, p(z) = (1/K) Σ_k q(z|u_k) (Tomczak & Welling 2018, eq. 9); KL by Monte Carlo",
    family: "normal-mixture",
    posterior: "normal",
    learned: {
      defaultComponents: 20,
      /**
       * u_k = sigmoid(a_k), a_k ~ N(logit 0.05, 0.1²): nearly black images with a little noise,
       * after the paper's N(0.05, 0.01²) start (its code clips with hardtanh; the sigmoid keeps
       * a gradient at the edges). Departs from the paper's K = 500 for speed: each step encodes
       * the K pseudo-inputs with the batch.
       */
      init(key, k, _d, [h, w, c]) {
        const noise = random.normal(key, [k, h, w, c]).mul(0.1);
        return { pseudoInputLogits: noise.add(DARK_PIXEL_LOGIT) };
      },
      /** u_k = sigmoid(a_k), in (0, 1) like the images. */
      pseudoInputs: ({ pseudoInputLogits }) => nn.sigmoid(pseudoInputLogits),
    },
    /** The equal-weight mixture of the encoder's posteriors at the pseudo-inputs. */
    distribution(d: number, fit?: PriorFit) {
      const { pseudoPosteriors, params } = fitOf("vampprior", fit);
      for (const p of Object.values(params)) p.dispose();
      if (pseudoPosteriors === undefined) {
        throw new Error("the vampprior prior needs the encoder's posteriors at its pseudo-inputs");
      }
      const { mu, logvar } = pseudoPosteriors;
      checkLatentDim("vampprior", mu, d);
      return normalMixture({ logits: np.zeros([mu.shape[0]]), mu, logvar });
    },
  },
} as const satisfies Record<string, Omit<Prior, "name" | "components">>;

/** Throws when a learned prior's [K, Z] means do not have `latentDim` columns. */
function checkLatentDim(name: string, mu: Array, latentDim: number): void {
  if (mu.shape[1] !== latentDim) {
    throw new RangeError(
      `the ${name} prior's components are over ${mu.shape[1]} dimensions, asked for ${latentDim}`,
    );
  }
}

export type PriorName = keyof typeof PRIORS;
/** The names of {@link PRIORS}, as the CLI's `--prior` accepts them. */
export const PRIOR_NAMES = Object.keys(PRIORS) as [PriorName, ...PriorName[]];

/**
 * The prior named `name`, or a RangeError listing the known names; a learned prior gets
 * `components` (K), else its default, and a fixed prior refuses them.
 */
export function createPrior(name: PriorName, components?: number): Prior {
  const entry: Omit<Prior, "name" | "components"> = PRIORS[name];
  if (entry === undefined) {
    throw new RangeError(
      `prior ${JSON.stringify(name)}: expected one of ${PRIOR_NAMES.join(", ")}`,
    );
  }
  if (entry.learned === undefined) {
    if (components !== undefined) {
      throw new RangeError(
        `prior ${name} has no components (got ${components}); only learned priors do: ${LEARNED_PRIOR_NAMES.join(", ")}`,
      );
    }
    return { name, ...entry };
  }
  const k = components ?? entry.learned.defaultComponents;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`prior ${name}: components must be a whole number >= 1, got ${k}`);
  }
  return { name, ...entry, components: k };
}

/** The priors with parameters of their own. */
export type LearnedPriorName = {
  [K in PriorName]: (typeof PRIORS)[K] extends { learned: LearnedPrior } ? K : never;
}[PriorName];

/** The names of the learned priors. */
export const LEARNED_PRIOR_NAMES = PRIOR_NAMES.filter(
  (name): name is LearnedPriorName => "learned" in PRIORS[name],
);
