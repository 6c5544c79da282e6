/**
 * The prior term of the ELBO and what may replace it: the divergence D(q(z|x) ‖ p(z)) that
 * beta-vae and capacity-vae weight. `kl` is the ELBO's own term (Kingma & Welling 2014, eq. 3);
 * the others are the article's "other divergences" direction, each one file in
 * src/distributions/prior-divergences/. The logged `kl` and `elbo` stay the ELBO's whatever the
 * divergence, and the divergence's value is logged under its own name, so runs compare on the
 * same scale. beta-TCVAE does not take them: its decomposition (mi + tc + dwkl) is of the KL.
 * Adding one: a file in prior-divergences/ and one entry in PRIOR_DIVERGENCES.
 */
import { z } from "zod";
import type { Distribution, FamilyName } from "../distributions/distribution.ts";
import { klEstimator } from "../distributions/kl.ts";
import { jensenShannonToPrior } from "../distributions/prior-divergences/jensen-shannon.ts";
import { type MmdKernel, mmdSquared } from "../distributions/prior-divergences/mmd.ts";
import { renyiNormalNormal } from "../distributions/prior-divergences/renyi.ts";
import { reverseKl } from "../distributions/prior-divergences/reverse-kl.ts";
import { type Array, numpy as np, tree } from "../engine/jax.ts";
import { type ElboTerms, elboTerms } from "./elbo.ts";
import type { LatentBatch } from "./objective.ts";

/** The settings a prior divergence reads (the fields of {@link PRIOR_TERM_FIELDS}). */
export interface PriorDivergenceOptions {
  renyiAlpha: number;
  mmdScale: number;
}

/** What a prior divergence sees of a batch; consumed. */
interface PriorDivergenceInputs {
  /** q(z|x), parameters [B, Z]. */
  posterior: Distribution;
  /** p(z), parameters [Z]. */
  prior: Distribution;
  /** [B, Z] the batch's reparameterised sample of q. */
  z: Array;
  /** [B, Z] draws from p: present exactly for the divergences that sample the prior. */
  priorSample?: Array;
}

interface PriorDivergence {
  readonly summary: string;
  readonly file: string;
  /** Whether it draws from the prior (the objective then needs a PRNG key). */
  readonly samplesPrior: boolean;
  /** How it is computed between a posterior and a prior of these families (the training log says it). */
  estimator(posterior: FamilyName, prior: FamilyName): string;
  /** Why it cannot be used with a prior of `family`, or null. */
  refuses(family: FamilyName): string | null;
  /**
   * Its value for the batch, a scalar. Consumes the inputs. Absent for `kl`: that is the
   * ELBO's own term, computed once by elboTerms for both the log and the loss.
   */
  estimate?(inputs: PriorDivergenceInputs, options: PriorDivergenceOptions): Array;
}

const usableWithAnyPrior = () => null;
/** The prior sample of a divergence that declares `samplesPrior`. */
function drawn(priorSample: Array | undefined): Array {
  if (priorSample === undefined) throw new Error("prior divergence: expected a prior sample");
  return priorSample;
}
/** Mean over the batch of a per-element divergence [B, Z] summed over the latent dimensions. */
const meanOfSums = (perElement: Array) => np.mean(np.sum(perElement, -1));

/** MMD² between the batch's codes and as many prior draws, with `kernel`. */
function mmdDivergence(kernel: MmdKernel, which: string): PriorDivergence {
  return {
    summary: `MMD² of the batch's aggregate posterior and p(z), ${which}`,
    file: "src/distributions/prior-divergences/mmd.ts",
    samplesPrior: true,
    estimator: () => "unbiased U-statistic over the batch and as many prior draws",
    refuses: usableWithAnyPrior,
    estimate: ({ posterior, prior, z, priorSample }, { mmdScale }) => {
      tree.dispose([posterior, prior]);
      return mmdSquared(kernel, z, drawn(priorSample), mmdScale);
    },
  };
}

/** The prior divergences by name. */
export const PRIOR_DIVERGENCES = {
  kl: {
    summary: "KL(q(z|x) ‖ p(z)), the ELBO's term (Kingma & Welling 2014)",
    file: "src/distributions/kl.ts",
    samplesPrior: false,
    estimator: (posterior, prior) => klEstimator(posterior, prior),
    refuses: usableWithAnyPrior,
  },
  "reverse-kl": {
    summary:
      "KL(p(z) ‖ q(z|x)), inclusive: keeps each posterior as broad as the prior (Minka 2005)",
    file: "src/distributions/prior-divergences/reverse-kl.ts",
    samplesPrior: true,
    estimator: (posterior, prior) => klEstimator(prior, posterior),
    refuses: usableWithAnyPrior,
    estimate: ({ posterior, prior, z, priorSample }) => {
      z.dispose();
      return meanOfSums(reverseKl(posterior, prior, drawn(priorSample)));
    },
  },
  "jensen-shannon": {
    summary: "Jensen-Shannon divergence of q(z|x) and p(z), bounded by log 2 (Lin 1991)",
    file: "src/distributions/prior-divergences/jensen-shannon.ts",
    samplesPrior: true,
    estimator: () => "monte carlo, one draw from q(z|x) and one from p(z) per image",
    refuses: usableWithAnyPrior,
    estimate: ({ posterior, prior, z, priorSample }) =>
      np.mean(jensenShannonToPrior(posterior, prior, z, drawn(priorSample))),
  },
  renyi: {
    summary:
      "Rényi divergence D_α(q(z|x) ‖ p(z)), α in (0, 1), at most the KL (Rényi 1961; Li & Turner 2016)",
    file: "src/distributions/prior-divergences/renyi.ts",
    samplesPrior: false,
    estimator: () => "closed form",
    refuses: (family) =>
      family === "normal" ? null : `its closed form needs the normal prior, not ${family}`,
    estimate: ({ posterior, prior, z }, { renyiAlpha }) => {
      z.dispose();
      return meanOfSums(renyiNormalNormal(posterior, prior, renyiAlpha));
    },
  },
  "mmd-rbf": mmdDivergence("rbf", "RBF kernel (Zhao et al. 2019, InfoVAE)"),
  "mmd-imq": mmdDivergence("imq", "inverse multiquadric kernel (Tolstikhin et al. 2018, WAE)"),
} as const satisfies Record<string, PriorDivergence>;

export type PriorDivergenceName = keyof typeof PRIOR_DIVERGENCES;
export const PRIOR_DIVERGENCE_NAMES = Object.keys(PRIOR_DIVERGENCES) as [
  PriorDivergenceName,
  ...PriorDivergenceName[],
];

/** The hyperparameters of an objective that takes a prior divergence, spread into its schema. */
export const PRIOR_TERM_FIELDS = {
  priorDivergence: z
    .enum(PRIOR_DIVERGENCE_NAMES)
    .default("kl")
    .describe(
      "the divergence of q(z|x) from p(z) that the loss weights (the logged kl and elbo stay the ELBO's)",
    ),
  renyiAlpha: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.5)
    .describe("renyi: the order α, in (0, 1); α → 1 is the KL"),
  mmdScale: z
    .number()
    .positive()
    .default(1)
    .describe("mmd-rbf, mmd-imq: the kernel scale s, C = 2·z·s² (the prior's scale)"),
};

export type PriorTermOptions = PriorDivergenceOptions & { priorDivergence: PriorDivergenceName };

/** Throws a RangeError when `name` cannot be used with a prior of `family`. */
export function checkPriorDivergence(name: PriorDivergenceName, family: FamilyName): void {
  const reason = PRIOR_DIVERGENCES[name].refuses(family);
  if (reason !== null) throw new RangeError(`prior divergence ${name}: ${reason}`);
}

/** Whether the objective must be given a PRNG key (ObjectiveContext.key) for its prior draws. */
export function samplesPrior(name: PriorDivergenceName): boolean {
  return PRIOR_DIVERGENCES[name].samplesPrior;
}

/**
 * The ELBO's terms, and `divergence`, the prior term the loss weights (for `kl`, the ELBO's
 * KL; any other is also logged in `terms` under its name). `key` draws the prior sample of
 * the divergences that need one: required exactly when {@link samplesPrior}. Consumes the
 * batch and the key.
 */
export function priorTermAndElbo(
  batch: LatentBatch,
  key: Array | undefined,
  options: PriorTermOptions,
): { terms: ElboTerms & Record<string, Array>; divergence: Array } {
  const name = options.priorDivergence;
  const entry: PriorDivergence = PRIOR_DIVERGENCES[name];
  if (entry.samplesPrior !== (key !== undefined)) {
    key?.dispose();
    throw new Error(
      `prior divergence ${name}: ${entry.samplesPrior ? "draws from the prior and needs a PRNG key" : "takes no PRNG key"}`,
    );
  }
  if (entry.estimate === undefined) {
    const terms = elboTerms(batch);
    return { terms: { ...terms }, divergence: terms.kl.ref };
  }
  const priorSample = key && batch.prior.ref().sample(key, batch.z.shape);
  const divergence = entry.estimate(
    { posterior: batch.posterior.ref(), prior: batch.prior.ref(), z: batch.z.ref, priorSample },
    options,
  );
  const terms = elboTerms(batch);
  return { terms: { ...terms, [name]: divergence.ref }, divergence };
}
