/**
 * The evidence lower bound, ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z)) (Kingma & Welling
 * 2014, eq. 3; Doersch 2016, eq. 7), estimated with one reparameterised sample per example
 * and the KL in closed form.
 */
import type { Array } from "../engine/jax.ts";
import { klTerm } from "./kl-term.ts";
import { reconstructionTerm } from "./reconstruction.ts";

export interface ElboTerms {
  /** Mean -log p(x|z). */
  reconstruction: Array;
  /** Mean closed-form KL(q(z|x) || N(0, I)). */
  kl: Array;
  /** -(reconstruction + kl). */
  elbo: Array;
}

/** The three ELBO scalars of a batch. Consumes its arguments. */
export function elboTerms(logPxGivenZ: Array, mu: Array, logvar: Array): ElboTerms {
  const reconstruction = reconstructionTerm(logPxGivenZ);
  const kl = klTerm(mu, logvar);
  const elbo = reconstruction.ref.add(kl.ref).neg();
  return { reconstruction, kl, elbo };
}
