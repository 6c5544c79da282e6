/**
 * Gauss-Hermite quadrature: ∫ f(x) exp(-x²) dx ≈ Σ_i w_i f(x_i), exact for polynomials f of
 * degree <= 2n - 1 (Abramowitz & Stegun 1964, eq. 25.4.46). Nodes are the roots of the
 * Hermite polynomial H_n, found by Newton's method on the orthonormal recurrence
 * p_j = x·sqrt(2/j)·p_{j-1} - sqrt((j-1)/j)·p_{j-2}, p_0 = π^(-1/4), with p_n' = sqrt(2n)·p_{n-1}
 * and w_i = 2 / p_n'(x_i)², started from the asymptotic guesses of Press et al.,
 * Numerical Recipes (3rd ed. 2007), Sec. 4.6, routine `gauher`. Computed in float64.
 */

export interface QuadratureRule {
  /** Nodes x_i in decreasing order (symmetric about 0). */
  nodes: Float64Array;
  /** Positive weights w_i, summing to sqrt(π). */
  weights: Float64Array;
}

/** The largest supported rule: beyond it the float64 recurrence loses the smallest weights. */
export const MAX_GAUSS_HERMITE_POINTS = 100;

/** Orthonormal Hermite p_n(x) and p_{n-1}(x) by the three-term recurrence. */
function hermitePair(n: number, x: number): [pn: number, pnMinus1: number] {
  let p1 = Math.PI ** -0.25;
  let p2 = 0;
  for (let j = 1; j <= n; j++) {
    const p3 = p2;
    p2 = p1;
    p1 = x * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
  }
  return [p1, p2];
}

/** The n-point Gauss-Hermite rule for the weight exp(-x²). Throws a RangeError for bad n. */
export function gaussHermiteRule(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > MAX_GAUSS_HERMITE_POINTS) {
    throw new RangeError(
      `gaussHermiteRule: points is ${String(n)}, expected a whole number in [1, ${MAX_GAUSS_HERMITE_POINTS}]`,
    );
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < Math.floor((n + 1) / 2); i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** (-1 / 6);
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * nodes[0];
    else if (i === 3) z = 1.91 * z - 0.91 * nodes[1];
    else z = 2 * z - nodes[i - 2];
    let converged = false;
    for (let iteration = 0; iteration < 100 && !converged; iteration++) {
      const [pn, pnMinus1] = hermitePair(n, z);
      const step = pn / (Math.sqrt(2 * n) * pnMinus1);
      z -= step;
      converged = Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z));
    }
    if (!converged) {
      throw new Error(`gaussHermiteRule: Newton's method did not converge for root ${i} of H_${n}`);
    }
    const derivative = Math.sqrt(2 * n) * hermitePair(n, z)[1];
    const w = 2 / (derivative * derivative);
    // The middle root of an odd rule is exactly 0.
    const x = n % 2 === 1 && i === (n - 1) / 2 ? 0 : z;
    nodes[i] = x;
    nodes[n - 1 - i] = -x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}
