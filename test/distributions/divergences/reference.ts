/**
 * Independent float64 references for the divergence tests: 1-D Gaussian densities and
 * composite Simpson integration over a window wide enough for both densities.
 */

export interface Gaussian1d {
  mu: number;
  sigma: number;
}

export function logNormal(z: number, g: Gaussian1d): number {
  const u = (z - g.mu) / g.sigma;
  return -0.5 * Math.log(2 * Math.PI) - Math.log(g.sigma) - 0.5 * u * u;
}

/** Composite Simpson's rule with `intervals` (even) subintervals on [lo, hi]. */
export function simpson(
  f: (z: number) => number,
  lo: number,
  hi: number,
  intervals = 10000,
): number {
  const h = (hi - lo) / intervals;
  let acc = f(lo) + f(hi);
  for (let i = 1; i < intervals; i++) acc += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  return (acc * h) / 3;
}

function window(p: Gaussian1d, q: Gaussian1d): [number, number] {
  return [
    Math.min(p.mu - 14 * p.sigma, q.mu - 14 * q.sigma),
    Math.max(p.mu + 14 * p.sigma, q.mu + 14 * q.sigma),
  ];
}

/**
 * JS(p, q) = ∫ 0.5 p log(p/m) + 0.5 q log(q/m), m = (p + q)/2, by Simpson integration, with
 * the integrand written from the definition (densities, not log-ratios).
 */
export function jensenShannonReference(p: Gaussian1d, q: Gaussian1d): number {
  const [lo, hi] = window(p, q);
  // Split at both means so a narrow density always gets a fine local grid.
  const cuts = [lo, Math.min(p.mu, q.mu), Math.max(p.mu, q.mu), hi];
  const integrand = (z: number) => {
    const a = Math.exp(logNormal(z, p));
    const b = Math.exp(logNormal(z, q));
    const m = 0.5 * (a + b);
    const term = (d: number) => (d > 0 ? d * Math.log(d / m) : 0);
    return 0.5 * term(a) + 0.5 * term(b);
  };
  let total = 0;
  for (let i = 0; i < 3; i++) {
    if (cuts[i + 1] > cuts[i]) total += simpson(integrand, cuts[i], cuts[i + 1]);
  }
  return total;
}

/** KL(p || q) = ∫ p log(p/q) by Simpson integration. */
export function klReference(p: Gaussian1d, q: Gaussian1d): number {
  const [lo, hi] = window(p, q);
  return simpson(
    (z) => {
      const lp = logNormal(z, p);
      return Math.exp(lp) * (lp - logNormal(z, q));
    },
    lo,
    hi,
  );
}

/**
 * JS of two 2-D diagonal Gaussians, p = p[0] ⊗ p[1] and q = q[0] ⊗ q[1], by tensor-product
 * Simpson integration of ∫∫ 0.5 a log(a/m) + 0.5 b log(b/m), m = (a + b)/2, over a window of
 * 12 standard deviations around both densities (`intervals` per axis). Checked against the
 * 1-D reference when the second dimensions agree (6 digits at 400 intervals).
 */
export function jensenShannonReference2d(
  p: [Gaussian1d, Gaussian1d],
  q: [Gaussian1d, Gaussian1d],
  intervals = 400,
): number {
  const axis = (h: number): [number, number] => [
    Math.min(p[h].mu - 12 * p[h].sigma, q[h].mu - 12 * q[h].sigma),
    Math.max(p[h].mu + 12 * p[h].sigma, q[h].mu + 12 * q[h].sigma),
  ];
  const [lo0, hi0] = axis(0);
  const [lo1, hi1] = axis(1);
  const integrand = (x: number, y: number) => {
    const a = Math.exp(logNormal(x, p[0]) + logNormal(y, p[1]));
    const b = Math.exp(logNormal(x, q[0]) + logNormal(y, q[1]));
    const m = 0.5 * (a + b);
    const term = (d: number) => (d > 0 ? d * Math.log(d / m) : 0);
    return 0.5 * term(a) + 0.5 * term(b);
  };
  return simpson((x) => simpson((y) => integrand(x, y), lo1, hi1, intervals), lo0, hi0, intervals);
}
