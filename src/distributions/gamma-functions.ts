/**
 * log Γ(x) and the digamma function ψ(x) = d/dx log Γ(x) for arrays of x > 0, which jax-js
 * 0.1.25 lacks (its scipySpecial has erf, logit, logsumexp, softmax only). Both shift x up by
 * the recurrences log Γ(x) = log Γ(x + 6) - Σ_{k=0}^{5} log(x + k) and
 * ψ(x) = ψ(x + 6) - Σ_{k=0}^{5} 1/(x + k), then use the asymptotic (Stirling) series at
 * y = x + 6 ≥ 6 (Abramowitz & Stegun 1964, 6.1.41 and 6.3.18):
 *   log Γ(y) ≈ (y - ½) log y - y + ½ log 2π + 1/(12y) - 1/(360y³) + 1/(1260y⁵),
 *   ψ(y) ≈ log y - 1/(2y) - 1/(12y²) + 1/(120y⁴) - 1/(252y⁶),
 * whose next terms are below 1e-9 at y ≥ 6, so float32 rounding dominates. Differentiable
 * (jax traces the series). Used by the Kumaraswamy and Beta families (stick-breaking VAE).
 */
import { type Array, numpy as np } from "../engine/jax.ts";

const SHIFT = 6;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Σ_{k=0}^{SHIFT-1} f(x + k) and y = x + SHIFT. Consumes x. */
function shifted(x: Array, f: (t: Array) => Array): { sum: Array; y: Array } {
  let sum = f(x.ref);
  for (let k = 1; k < SHIFT; k++) sum = sum.add(f(x.ref.add(k)));
  return { sum, y: x.add(SHIFT) };
}

/** log Γ(x) elementwise, x > 0. Consumes x. */
export function logGammaArray(x: Array): Array {
  const { sum, y } = shifted(x, (t) => np.log(t));
  const inverse = np.reciprocal(y.ref);
  const inverseSquared = np.square(inverse.ref);
  const series = inverse.mul(
    inverseSquared.ref.mul(inverseSquared.mul(1 / 1260).sub(1 / 360)).add(1 / 12),
  );
  const stirling = y.ref.sub(0.5).mul(np.log(y.ref)).sub(y).add(HALF_LOG_2PI);
  return stirling.add(series).sub(sum);
}

/** ψ(x) elementwise, x > 0. Consumes x. */
export function digammaArray(x: Array): Array {
  const { sum, y } = shifted(x, (t) => np.reciprocal(t));
  const inverseSquared = np.reciprocal(np.square(y.ref));
  const series = inverseSquared.ref.mul(
    inverseSquared.ref.mul(inverseSquared.mul(-1 / 252).add(1 / 120)).sub(1 / 12),
  );
  return np.log(y.ref).sub(np.reciprocal(y).mul(0.5)).add(series).sub(sum);
}

/** log B(p, q) = log Γ(p) + log Γ(q) - log Γ(p + q), elementwise. Consumes p and q. */
export function logBetaFunction(p: Array, q: Array): Array {
  const total = p.ref.add(q.ref);
  return logGammaArray(p).add(logGammaArray(q)).sub(logGammaArray(total));
}
