/**
 * Mutual Information Gap (Chen, Li, Grosse & Duvenaud, "Isolating Sources of Disentanglement
 * in Variational Autoencoders", NeurIPS 2018, eq. 6): for each factor v_k, the gap between the
 * two largest I(z_j; v_k) over latent dimensions j, divided by H(v_k), averaged over factors.
 * Two published protocols, which give different numbers:
 * - `migChen`: Chen et al.'s code. One sample of q(z|x) per point of the full factor grid;
 *   H(z_j) and H(z_j | v_k) estimated by sampling against the mixture of posteriors
 *   q(z_j) = 1/N sum_n q(z_j|x_n); normalised by log(factor size) (the entropy of a uniform
 *   grid factor); negative MI estimates clamped to 0. Chen et al. exclude dSprites' shape.
 * - `migDlib`: disentanglement_lib (Locatello et al. 2019). Posterior means of a subsample,
 *   each dimension binned into 20 equal-width bins, plug-in discrete MI, normalised by the
 *   factor's empirical entropy; all factors kept.
 */

import { permutation, Rng } from "../data/random.ts";
import {
  average,
  type CodeMatrix,
  checkShapes,
  column,
  type FactorMatrix,
  factorLabels,
  splitRows,
  takeLabels,
  takeRows,
} from "./arrays.ts";
import { histogramBins } from "./discretize.ts";
import { entropy, mutualInformation } from "./information.ts";
import { standardNormal } from "./normal.ts";

export interface MigResult {
  protocol: "chen" | "disentanglement_lib";
  /** Mean of `perFactor`. */
  mig: number;
  /** The factors scored (the included ones with non-zero entropy), in index order. */
  factors: number[];
  /** Normalised gap of each scored factor. */
  perFactor: number[];
  /** I(z_j; v_k) in nats, [factor k][dim j], for every scored factor. */
  mutualInformation: number[][];
  /** The normaliser of each scored factor, in nats. */
  factorEntropies: number[];
}

export interface MigDlibOptions {
  /** Rows drawn (without replacement) from the arrays; all rows when fewer. Default 10000. */
  numTrain?: number;
  /** Histogram bins per code dimension (and per continuous factor). Default 20. */
  bins?: number;
  /** Seed of the row subsample. Default 0. */
  seed?: number;
  /** Factor indices to score. Default: all. */
  include?: number[];
}

/** MIG, disentanglement_lib protocol (`discrete_mig`), on codes (posterior means) [N, D]. */
export function migDlib(
  codes: CodeMatrix,
  factors: FactorMatrix,
  options: MigDlibOptions = {},
): MigResult {
  checkShapes(codes, factors);
  const bins = options.bins ?? 20;
  const rng = new Rng(options.seed ?? 0);
  const rows = splitRows(codes.count, options.numTrain ?? 10000, 0, rng).train;
  const binned = [];
  for (let j = 0; j < codes.dims; j++) {
    const values = column(codes.data, codes.dims, j);
    binned.push(histogramBins(takeRows(values, 1, rows), bins));
  }
  const include = checkInclude(options.include, factors.factors);
  const mi: number[][] = [];
  const entropies: number[] = [];
  const scored: number[] = [];
  for (const k of include) {
    const all = factorLabels(factors, k, bins);
    const labels = { labels: takeLabels(all.labels, rows), classes: all.classes };
    const h = entropy(labels);
    if (h === 0) continue;
    scored.push(k);
    entropies.push(h);
    mi.push(binned.map((b) => mutualInformation(b, labels)));
  }
  return gapResult("disentanglement_lib", scored, mi, entropies, false);
}

/** Posterior parameters of q(z|x) for every point of a full factor grid. */
export interface PosteriorGrid {
  /** Posterior means [N, dims], rows in row-major grid order (last factor fastest). */
  means: Float32Array | Float64Array;
  /** Posterior log-variances [N, dims]. */
  logvars: Float32Array | Float64Array;
  dims: number;
  /** The grid's factor sizes; N = their product. */
  factorSizes: number[];
}

export interface MigChenOptions {
  /** Samples per entropy estimate (Chen et al.'s `n_samples`). Default 10000. */
  samples?: number;
  /** Seed of the posterior samples and subsamples. Default 0. */
  seed?: number;
  /** Factor indices to score. Default: all (Chen et al. pass all but dSprites' shape). */
  include?: number[];
}

/**
 * MIG, Chen et al.'s protocol (`mutual_info_metric_shapes`). Cost: (1 + included factors) *
 * N * samples * dims Gaussian log-densities; on dSprites (N = 737280) with the default 10000
 * samples that is ~4e11, many minutes in JS; lower `samples` for a quicker, noisier estimate.
 *
 * One standard-normal draw e_n per grid point gives z_nj = mu_nj + sigma_nj e_n for every
 * dimension. Every entropy estimate uses one dimension's samples only, so each has exactly
 * the distribution of Chen et al.'s estimator (which draws dimensions independently); sharing
 * the draw makes the result exactly invariant to reordering the dimensions.
 */
export function migChen(posterior: PosteriorGrid, options: MigChenOptions = {}): MigResult {
  const { means, logvars, dims, factorSizes } = posterior;
  for (const [k, s] of factorSizes.entries()) {
    if (!Number.isInteger(s) || s < 1) {
      throw new RangeError(`factor size ${k} is ${s}, expected a whole number >= 1`);
    }
  }
  const n = factorSizes.reduce((a, b) => a * b, 1);
  if (means.length !== n * dims || logvars.length !== n * dims) {
    throw new RangeError(
      `means hold ${means.length} and logvars ${logvars.length} values, expected grid size * dims = ${n}*${dims}`,
    );
  }
  for (let i = 0; i < means.length; i++) {
    if (!Number.isFinite(means[i]) || !Number.isFinite(logvars[i])) {
      throw new RangeError(
        `posterior row ${Math.floor(i / dims)} dim ${i % dims}: mean ${means[i]}, logvar ${logvars[i]}, expected finite numbers`,
      );
    }
  }
  const samples = options.samples ?? 10000;
  const include = checkInclude(options.include, factorSizes.length);
  const rng = new Rng(options.seed ?? 0);

  const invVar = new Float64Array(n * dims);
  const logNorm = new Float64Array(n * dims);
  const z = new Float64Array(n * dims);
  for (let r = 0; r < n; r++) {
    const e = standardNormal(rng);
    for (let j = 0; j < dims; j++) {
      const i = r * dims + j;
      invVar[i] = Math.exp(-logvars[i]);
      logNorm[i] = -0.5 * (Math.log(2 * Math.PI) + logvars[i]);
      z[i] = means[i] + Math.exp(0.5 * logvars[i]) * e;
    }
  }
  const estimate = (rows: Int32Array): Float64Array => {
    const perm = permutation(rows.length, rng);
    const chosen = new Int32Array(Math.min(samples, rows.length));
    for (let s = 0; s < chosen.length; s++) chosen[s] = rows[perm[s]];
    return mixtureEntropies(means, invVar, logNorm, dims, z, chosen, rows);
  };
  const all = new Int32Array(n);
  for (let r = 0; r < n; r++) all[r] = r;
  const marginal = estimate(all);

  const mi: number[][] = [];
  const entropies: number[] = [];
  const scored: number[] = [];
  for (const k of include) {
    const size = factorSizes[k];
    if (size < 2) continue;
    const stride = factorSizes.slice(k + 1).reduce((a, b) => a * b, 1);
    const conditional = new Float64Array(dims);
    for (let v = 0; v < size; v++) {
      const rows = new Int32Array(n / size);
      let c = 0;
      for (let r = 0; r < n; r++) if (Math.floor(r / stride) % size === v) rows[c++] = r;
      const h = estimate(rows);
      for (let j = 0; j < dims; j++) conditional[j] += h[j] / size;
    }
    scored.push(k);
    entropies.push(Math.log(size));
    mi.push(Array.from(marginal, (h, j) => h - conditional[j]));
  }
  return gapResult("chen", scored, mi, entropies, true);
}

/**
 * Per dimension j: -1/S sum_s log( 1/M sum_{m in mixture} N(z_sj; mu_mj, var_mj) ), the
 * sampled entropy of the mixture of the posteriors of `mixture` rows, at the samples of
 * `sampleRows` (Chen et al.'s `estimate_entropies`).
 */
function mixtureEntropies(
  means: ArrayLike<number>,
  invVar: Float64Array,
  logNorm: Float64Array,
  dims: number,
  z: Float64Array,
  sampleRows: Int32Array,
  mixture: Int32Array,
): Float64Array {
  const h = new Float64Array(dims);
  const max = new Float64Array(dims);
  const acc = new Float64Array(dims);
  const zs = new Float64Array(dims);
  const logM = Math.log(mixture.length);
  for (const s of sampleRows) {
    for (let j = 0; j < dims; j++) {
      zs[j] = z[s * dims + j];
      max[j] = Number.NEGATIVE_INFINITY;
      acc[j] = 0;
    }
    for (const m of mixture) {
      const base = m * dims;
      for (let j = 0; j < dims; j++) {
        const d = zs[j] - means[base + j];
        const v = logNorm[base + j] - 0.5 * d * d * invVar[base + j];
        if (v > max[j]) {
          acc[j] = acc[j] * Math.exp(max[j] - v) + 1;
          max[j] = v;
        } else {
          acc[j] += Math.exp(v - max[j]);
        }
      }
    }
    for (let j = 0; j < dims; j++) h[j] -= max[j] + Math.log(acc[j]) - logM;
  }
  for (let j = 0; j < dims; j++) h[j] /= sampleRows.length;
  return h;
}

function gapResult(
  protocol: MigResult["protocol"],
  scored: number[],
  mi: number[][],
  entropies: number[],
  clamp: boolean,
): MigResult {
  const perFactor = mi.map((row, i) => {
    const sorted = row.map((m) => (clamp ? Math.max(0, m) : m)).sort((a, b) => b - a);
    return (sorted[0] - (sorted.length > 1 ? sorted[1] : 0)) / entropies[i];
  });
  const mig = perFactor.length === 0 ? Number.NaN : average(perFactor);
  return {
    protocol,
    mig,
    factors: scored,
    perFactor,
    mutualInformation: mi,
    factorEntropies: entropies,
  };
}

function checkInclude(include: number[] | undefined, k: number): number[] {
  if (include === undefined) return Array.from({ length: k }, (_, i) => i);
  for (const i of include) {
    if (!Number.isInteger(i) || i < 0 || i >= k) {
      throw new RangeError(`included factor ${i} is not an index in 0..${k - 1}`);
    }
  }
  return Array.from(new Set(include)).sort((a, b) => a - b);
}
