/**
 * The reverse KL to the prior, KL(p(z) || q(z|x)), in place of the ELBO's KL(q(z|x) || p(z)):
 * the inclusive direction, which penalises a posterior that puts little mass where the prior
 * has much, so it keeps q(z|x) at least as broad as p(z) (Minka 2005, "Divergence measures and
 * message passing", Sec. 3). Computed by the KL registry (kl.ts) with the arguments swapped: in
 * closed form for a Gaussian posterior and the normal prior (exact: no bias, no variance), else
 * by the one-sample Monte Carlo estimate log p(y) - log q(y|x) at y ~ p(z): unbiased, with the
 * variance of that one log ratio (gradients reach q through log q(y|x) only, as y does not
 * depend on q).
 */
import type { Array } from "../../engine/jax.ts";
import type { Distribution } from "../distribution.ts";
import { klDivergence } from "../kl.ts";

/**
 * KL(p || q) per element, [B, Z], for a posterior q of parameters [B, Z] and a prior p of
 * parameters [Z]; `priorSample` [B, Z] is a draw from p (used by the Monte Carlo estimate
 * only). Consumes all three.
 */
export function reverseKl(posterior: Distribution, prior: Distribution, priorSample: Array): Array {
  return klDivergence(prior, posterior, priorSample);
}
