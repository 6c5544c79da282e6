/**
 * The evidence lower bound, ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z)) (Kingma & Welling
 * 2014, eq. 3; Doersch 2016, eq. 7), estimated with one reparameterised sample per example
 * and the KL from kl-term.ts.
 */
import type { Array } from "../engine/jax.ts";
import { klTerm } from "./kl-term.ts";
import type { LatentBatch } from "./objective.ts";
import { reconstructionTerm } from "./reconstruction.ts";

export interface ElboTerms {
  /** Mean -log p(x|z). */
  reconstruction: Array;
  /** Mean KL(q(z|x) || p(z)). */
  kl: Array;
  /** -(reconstruction + kl). */
  elbo: Array;
}

/** The three ELBO scalars of a batch. Consumes the batch. */
export function elboTerms(batch: LatentBatch): ElboTerms {
  const reconstruction = reconstructionTerm(batch.logPxGivenZ);
  const kl = klTerm(batch.posterior, batch.prior, batch.z);
  const elbo = reconstruction.ref.add(kl.ref).neg();
  return { reconstruction, kl, elbo };
}
