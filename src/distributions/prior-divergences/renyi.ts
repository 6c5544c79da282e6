/**
 * The Rényi divergence of order α (Rényi 1961) to the prior, in place of the ELBO's KL:
 *   D_α(q || p) = 1/(α - 1) · log ∫ q(z)^α p(z)^(1-α) dz,
 * which tends to KL(q || p) as α → 1 and is 2·(Bhattacharyya distance) at α = 1/2; for
 * 0 < α < 1 it is at most the KL (D_α grows with α: van Erven & Harremoës 2014, Thm. 3), so it
 * is a weaker pull towards the prior. Additive over independent dimensions. Between 1-D
 * Gaussians q = N(μ_q, σ_q²) and p = N(μ_p, σ_p²), with σ_α² = α σ_p² + (1 - α) σ_q²
 * (Gil, Alajaji & Linder 2013, "Rényi divergence measures for commonly used univariate
 * continuous distributions", Table 2):
 *   D_α = log(σ_p / σ_q) + 1/(2(α - 1)) · log(σ_p² / σ_α²) + α (μ_q - μ_p)² / (2 σ_α²),
 * exact, so no estimator bias or variance. α is restricted to (0, 1), where σ_α² > 0 for every
 * pair (for α > 1 the divergence is infinite once σ_q² ≥ α/(α - 1) σ_p²).
 *
 * Departure: Li & Turner (2016) use the Rényi divergence to define the VR bound, which replaces
 * the whole ELBO by (1/(1-α)) log E_q[(p(x, z)/q(z|x))^(1-α)] over several importance samples
 * (that is `--model vr-bound`, src/objectives/vr-bound.ts); this is the Rényi divergence in the
 * prior term only, the ELBO's reconstruction term unchanged.
 */
import { type Array, numpy as np } from "../../engine/jax.ts";
import type { Distribution } from "../distribution.ts";

/** Throws a RangeError unless 0 < α < 1. */
export function checkRenyiAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) {
    throw new RangeError(`renyi: alpha is ${alpha}, expected a number in (0, 1)`);
  }
}

/**
 * D_α(q || p) per element between diagonal Gaussians (family "normal"): q of parameters
 * [B, Z], p broadcast against it. Consumes both.
 */
export function renyiNormalNormal(q: Distribution, p: Distribution, alpha: number): Array {
  checkRenyiAlpha(alpha);
  if (q.family !== "normal" || p.family !== "normal") {
    const families = `${q.family} || ${p.family}`;
    q.dispose();
    p.dispose();
    throw new RangeError(
      `renyi: has a closed form between Gaussians only, got ${families} (use the normal prior)`,
    );
  }
  const { mu: muQ, logvar: logvarQ } = q.params;
  const { mu: muP, logvar: logvarP } = p.params;
  const mixedVariance = np
    .exp(logvarP.ref)
    .mul(alpha)
    .add(np.exp(logvarQ.ref).mul(1 - alpha));
  const logMixedVariance = np.log(mixedVariance.ref);
  const scaleRatio = logvarP.ref.sub(logvarQ).mul(0.5);
  const spread = logvarP.sub(logMixedVariance).div(2 * (alpha - 1));
  const shift = np
    .square(muQ.sub(muP))
    .mul(alpha / 2)
    .div(mixedVariance);
  return scaleRatio.add(spread).add(shift);
}
