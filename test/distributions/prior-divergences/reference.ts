/**
 * Independent float64 references for the prior-divergence tests: densities written from their
 * formulas, composite Simpson integration in 1-D and its tensor product in 2-D, and samples
 * drawn through the jax code's own Distribution (what is under test is the estimator, not
 * the sampler) handed back as plain numbers.
 */
/** A 1-D density by its log, with a window holding all but a negligible part of its mass. */
export interface Density1d {
  log(z: number): number;
  lo: number;
  hi: number;
}

export function normal1d(mu: number, sigma: number): Density1d {
  return {
    log: (z) => -0.5 * Math.log(2 * Math.PI) - Math.log(sigma) - 0.5 * ((z - mu) / sigma) ** 2,
    lo: mu - 14 * sigma,
    hi: mu + 14 * sigma,
  };
}

export function laplace1d(loc: number, scale: number): Density1d {
  return {
    log: (z) => -Math.log(2 * scale) - Math.abs(z - loc) / scale,
    lo: loc - 40 * scale,
    hi: loc + 40 * scale,
  };
}

/** A factorised density over several dimensions: one 1-D density per dimension. */
export type Product = Density1d[];

export const logProduct = (densities: Product, z: number[]) =>
  densities.reduce((sum, d, i) => sum + d.log(z[i]), 0);

/** The window covering every density of every dimension, split at `cuts` inside it. */
function windowOf(densities: Density1d[]): [number, number] {
  return [Math.min(...densities.map((d) => d.lo)), Math.max(...densities.map((d) => d.hi))];
}

/** Simpson nodes and weights on [lo, hi] split at `cuts`, `intervals` (even) per piece. */
function simpsonRule(lo: number, hi: number, cuts: number[], intervals: number) {
  const edges = [lo, ...cuts.filter((c) => c > lo && c < hi).sort((a, b) => a - b), hi];
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let piece = 0; piece + 1 < edges.length; piece++) {
    const h = (edges[piece + 1] - edges[piece]) / intervals;
    for (let i = 0; i <= intervals; i++) {
      nodes.push(edges[piece] + i * h);
      weights.push(((i === 0 || i === intervals ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3);
    }
  }
  return { nodes, weights };
}

/**
 * The tensor-product Simpson rule over R^D (D = 1 or 2) on [lo, hi]^D, the union of the
 * densities' windows, each axis split at `cuts` (e.g. the means, so a narrow bump gets a fine
 * grid) with `intervals` per piece: points and weights, so that ∫ f ≈ Σ w_i f(points_i).
 */
export function quadratureGrid(
  dims: 1 | 2,
  densities: Density1d[],
  cuts: number[] = [],
  intervals = 2000,
): { points: number[][]; weights: number[] } {
  const [lo, hi] = windowOf(densities);
  const axis = simpsonRule(lo, hi, cuts, intervals);
  if (dims === 1) return { points: axis.nodes.map((t) => [t]), weights: axis.weights };
  const points: number[][] = [];
  const weights: number[] = [];
  axis.nodes.forEach((s, i) => {
    axis.nodes.forEach((t, j) => {
      points.push([s, t]);
      weights.push(axis.weights[i] * axis.weights[j]);
    });
  });
  return { points, weights };
}

/** ∫ f(z) dz over R^D by {@link quadratureGrid}'s rule. */
export function integrate(
  f: (z: number[]) => number,
  dims: 1 | 2,
  densities: Density1d[],
  cuts: number[] = [],
  intervals = 2000,
): number {
  const { points, weights } = quadratureGrid(dims, densities, cuts, intervals);
  return points.reduce((sum, z, i) => sum + weights[i] * f(z), 0);
}
