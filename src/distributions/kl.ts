/**
 * KL(q || p) between latent distributions, registered by the pair of families (as distrax
 * registers KL by type pair): a closed form where one is known, otherwise the Monte Carlo
 * estimate log q(z) - log p(z) at a reparameterised sample z ~ q, unbiased and differentiable
 * (the estimator of the ELBO in Kingma & Welling 2014, eq. 6). Callers report which one ran
 * ({@link klEstimator}): the training log and `eval` name it.
 * Adding a closed form: one file in kl/ and one line in CLOSED_FORMS.
 */
import { type Array, numpy as np } from "../engine/jax.ts";
import type { Distribution, FamilyName } from "./distribution.ts";
import { klKumaraswamyBeta } from "./kl/kumaraswamy-beta.ts";
import { klLaplaceLaplace } from "./kl/laplace-laplace.ts";
import { klNormalLaplace } from "./kl/normal-laplace.ts";
import { klNormalNormal } from "./kl/normal-normal.ts";

/** KL(q || p) per element; consumes both. */
export type ClosedFormKl = (q: Distribution, p: Distribution) => Array;

type FamilyPair = `${FamilyName}||${FamilyName}`;

const CLOSED_FORMS: Partial<Record<FamilyPair, ClosedFormKl>> = {
  "normal||normal": klNormalNormal,
  "laplace||laplace": klLaplaceLaplace,
  "normal||laplace": klNormalLaplace,
  "kumaraswamy||beta": klKumaraswamyBeta,
};

export type KlEstimator = "closed form" | "monte carlo";

/** How KL(q || p) is computed for these families. */
export function klEstimator(q: FamilyName, p: FamilyName): KlEstimator {
  return CLOSED_FORMS[`${q}||${p}`] ? "closed form" : "monte carlo";
}

/**
 * The one-sample Monte Carlo estimate log q(z) - log p(z) at a sample `z` of q: per element
 * when both factorise, else of whole latent vectors ([..., 1]; a joint family's logProb is).
 * Consumes all three.
 */
export function klMonteCarlo(q: Distribution, p: Distribution, z: Array): Array {
  if (!q.joint && !p.joint) return q.logProb(z.ref).sub(p.logProb(z));
  const logQ = np.sum(q.logProb(z.ref), -1, { keepdims: true });
  return logQ.sub(np.sum(p.logProb(z), -1, { keepdims: true }));
}

/**
 * KL(q || p) per element (factorised families: per latent dimension; [..., 1] when either is
 * joint). `z` is a reparameterised sample of q (the one the decoder saw); the Monte Carlo
 * fallback uses it, a closed form does not. Consumes q, p and z.
 */
export function klDivergence(q: Distribution, p: Distribution, z: Array): Array {
  const closed = CLOSED_FORMS[`${q.family}||${p.family}`];
  if (closed === undefined) return klMonteCarlo(q, p, z);
  z.dispose();
  return closed(q, p);
}
