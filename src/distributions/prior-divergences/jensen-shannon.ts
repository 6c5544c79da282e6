/**
 * The Jensen-Shannon divergence to the prior, in place of the ELBO's KL (Lin 1991):
 *   JS(q, p) = ½ KL(q || m) + ½ KL(p || m),  m = ½ (q + p),
 * symmetric and bounded by log 2, of the joint (all latent dimensions) posterior q(z|x) and
 * prior p(z); unlike the KL it does not grow without bound as q(z|x) narrows, so it is a weak
 * pull towards the prior for an informative code. From KL(q || m) = E_q[log 2 - softplus(log p - log q)]:
 *   JS = log 2 - ½ E_q[softplus(log p(z) - log q(z|x))] - ½ E_p[softplus(log q(y|x) - log p(y))],
 * estimated with one z ~ q(z|x) (the batch's reparameterised sample, the one the decoder saw)
 * and one y ~ p(z) per example: unbiased, differentiable (through z's reparameterisation and
 * through log q(y|x)). The estimate of one example is not bounded by log 2 (a softplus term
 * can exceed it), and its spread grows as q(z|x) and p(z) part;
 * test/distributions/prior-divergences/jensen-shannon.test.ts checks the mean against numerical
 * integration in 1-D and 2-D within standard errors, and states the spread it measured.
 */
import { type Array, numpy as np } from "../../engine/jax.ts";
import { diagonalGaussian } from "../diagonal-gaussian.ts";
import type { Distribution } from "../distribution.ts";
import { softplus } from "../softplus.ts";

/**
 * The Gaussian posterior's log-variance floor inside this estimator. The JS saturates at
 * log 2 and does not stop q(z|x) from narrowing, so training drives some log-variances
 * past -88, where exp(-logvar) overflows float32 in log q(y|x) and the gradient turns NaN
 * (measured: a beta-vae run on sprites at step 523). Below σ = e^-15 the JS is log 2 to
 * float32 precision, so the floor changes the value by nothing measurable; it only stops
 * the gradient there.
 */
export const JS_LOGVAR_FLOOR = -30;

/** `posterior` with a Gaussian's log-variance floored (other families unchanged). Consumes it. */
function floored(posterior: Distribution): Distribution {
  if (posterior.family !== "normal") return posterior;
  const { mu, logvar } = posterior.params;
  return diagonalGaussian({ mu, logvar: np.maximum(logvar, JS_LOGVAR_FLOOR) });
}

/**
 * One-sample estimate of JS(q(z|x_i), p(z)) per example, [B]: `posterior` of parameters
 * [B, Z], `prior` of [Z], `z` [B, Z] a reparameterised draw from the posterior, `priorSample`
 * [B, Z] a draw from the prior. Consumes all four.
 */
export function jensenShannonToPrior(
  posterior: Distribution,
  prior: Distribution,
  z: Array,
  priorSample: Array,
): Array {
  posterior = floored(posterior);
  const logRatioAtZ = np
    .sum(prior.ref().logProb(z.ref), -1)
    .sub(np.sum(posterior.ref().logProb(z), -1));
  const logRatioAtY = np
    .sum(posterior.logProb(priorSample.ref), -1)
    .sub(np.sum(prior.logProb(priorSample), -1));
  return softplus(logRatioAtZ).add(softplus(logRatioAtY)).mul(-0.5).add(Math.LN2);
}
