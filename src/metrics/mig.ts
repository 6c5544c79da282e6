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

import { z } from "zod";
import { permutation, Rng } from "../data/random.ts";
import { LOG_2PI } from "../distributions/diagonal-gaussian.ts";
import { type Array as JaxArray, jit, numpy as np } from "../engine/jax.ts";
import {
  average,
  type CodeMatrix,
  checkShapes,
  column,
  DEFAULT_BINS,
  DEFAULT_TRAIN_ROWS,
  type FactorMatrix,
  factorLabels,
  splitRows,
  takeLabels,
  takeRows,
} from "./arrays.ts";
import { histogramBins } from "./discretize.ts";
import { entropy, mutualInformation } from "./information.ts";
import {
  binsOption,
  defineMetric,
  factorIndices,
  finite,
  includeOption,
  type MetricInput,
  namesOf,
  needsFactors,
  needsGaussianPosterior,
  rowsOption,
} from "./metric.ts";
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
  const bins = options.bins ?? DEFAULT_BINS;
  const rng = new Rng(options.seed ?? 0);
  const rows = splitRows(codes.count, options.numTrain ?? DEFAULT_TRAIN_ROWS, 0, rng).train;
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
  /** Posteriors per jitted call. Default: about 2^27 / (dims * samples) (memory and speed only). */
  chunk?: number;
}

/**
 * MIG, Chen et al.'s protocol (`mutual_info_metric_shapes`). Cost: (1 + included factors) *
 * N * samples * dims Gaussian densities (~4e11 on dSprites, N = 737280, with the default
 * 10000 samples), evaluated in jitted, SIMD-friendly chunks (see `mixtureEntropies`).
 *
 * One standard-normal draw e_n per grid point gives z_nj = mu_nj + sigma_nj e_n for every
 * dimension. Every entropy estimate uses one dimension's samples only, so each has exactly
 * the distribution of Chen et al.'s estimator (which draws dimensions independently); sharing
 * the draw makes the result exactly invariant to reordering the dimensions.
 */
export async function migChen(
  posterior: PosteriorGrid,
  options: MigChenOptions = {},
): Promise<MigResult> {
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
  const samples = options.samples ?? MIG_CHEN_SAMPLES;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`samples is ${samples}, expected a whole number >= 1`);
  }
  if (options.chunk !== undefined && (!Number.isInteger(options.chunk) || options.chunk < 1)) {
    throw new RangeError(`chunk is ${options.chunk}, expected a whole number >= 1`);
  }
  const include = checkInclude(options.include, factorSizes.length);
  const rng = new Rng(options.seed ?? 0);

  const noise = new Float64Array(n);
  for (let r = 0; r < n; r++) noise[r] = standardNormal(rng);
  const terms = densityTerms(means, logvars);
  const estimate = (rows: Int32Array): Promise<Float64Array> => {
    const perm = permutation(rows.length, rng);
    const chosen = new Int32Array(Math.min(samples, rows.length));
    for (let s = 0; s < chosen.length; s++) chosen[s] = rows[perm[s]];
    return mixtureEntropies(means, logvars, terms, dims, noise, chosen, rows, options.chunk);
  };
  const all = new Int32Array(n);
  for (let r = 0; r < n; r++) all[r] = r;
  const marginal = await estimate(all);

  const mi: number[][] = [];
  const entropies: number[] = [];
  const scored: number[] = [];
  for (const k of include) {
    const size = factorSizes[k];
    if (size < 2) continue;
    const stride = factorSizes.slice(k + 1).reduce((a, b) => a * b, 1);
    const conditional = new Float64Array(dims);
    // The rows of each value of factor k, in row order (one pass over the grid).
    const byValue = Array.from({ length: size }, () => new Int32Array(n / size));
    const filled = new Int32Array(size);
    for (let r = 0; r < n; r++) {
      const v = Math.floor(r / stride) % size;
      byValue[v][filled[v]++] = r;
    }
    for (let v = 0; v < size; v++) {
      const h = await estimate(byValue[v]);
      for (let j = 0; j < dims; j++) conditional[j] += h[j] / size;
    }
    scored.push(k);
    entropies.push(Math.log(size));
    mi.push(Array.from(marginal, (h, j) => h - conditional[j]));
  }
  return gapResult("chen", scored, mi, entropies, true);
}

/** Exponent range kept relative to a sample's shift: below, terms count as e^-40 (negligible). */
const EXP_FLOOR = -40;
/** The shift is at most this far below the largest density normaliser, so terms stay < e^30. */
const EXP_CEILING = 30;
/** exp(x) = exp(x / 2^8)^(2^8): a degree-5 Taylor polynomial on |x / 2^8| <= 0.16, squared 8 times. */
const SQUARINGS = 8;
const TAYLOR_DEGREE = 5;
/** Density evaluations per jitted call (about 0.1 s on the native backend, 2 threads). */
const CHUNK_ELEMENTS = 2 ** 29;

/**
 * exp(x) for x in [EXP_FLOOR, EXP_CEILING] from additions and multiplications only, which
 * jax-js's Wasm backend vectorises (its `exp` is a scalar call): x is clamped below, put
 * through Taylor's polynomial of exp(x / 2^8) and squared 8 times. The scaling by 2^-8 is
 * folded into the coefficients (a_k / 2^8k), so the polynomial is 5 multiply-adds in x.
 * Relative error <= 3e-5 in float32 over the range (checked against float64 exp), so
 * log-sums are off by <= 3e-5 nats.
 */
function expBySquaring(x: JaxArray): JaxArray {
  const xc = np.maximum(x, EXP_FLOOR);
  const scale = 2 ** -SQUARINGS;
  // Coefficients of x^k: 1 / (k! 2^(8k)), highest degree first.
  const coefficients: number[] = [];
  let factorial = 1;
  for (let k = 1; k <= TAYLOR_DEGREE; k++) {
    factorial *= k;
    coefficients.unshift(scale ** k / factorial);
  }
  let p = xc.ref.mul(coefficients[0]);
  for (const c of coefficients.slice(1)) p = p.add(c).mul(xc.ref);
  xc.dispose();
  p = p.add(1);
  for (let i = 0; i < SQUARINGS; i++) p = np.square(p);
  return p;
}

/**
 * Sums over a chunk of posteriors c of exp(log N(z_js; mu_jc, var_jc) - shift_js), for every
 * dimension j and sample s: inputs z, negShift = -shift [D, S]; negMu = -mu,
 * negHalfPrecision = -1/(2 var), logNorm = -log(2 pi var)/2, all [D, C]; output [D, S].
 * The operands come negated so that the density is sums and products only: jax-js lowers
 * x - y to x + (0 - y), which costs a native kernel an operation per subtraction (one in
 * eight of this loop's).
 */
const chunkSums = jit(
  (
    z: JaxArray,
    negShift: JaxArray,
    negMu: JaxArray,
    negHalfPrecision: JaxArray,
    logNorm: JaxArray,
  ): JaxArray => {
    const [d, s] = z.shape;
    const c = negMu.shape[1];
    const diff = z.reshape([d, s, 1]).add(negMu.reshape([d, 1, c]));
    const logDensity = logNorm
      .reshape([d, 1, c])
      .add(np.square(diff).mul(negHalfPrecision.reshape([d, 1, c])))
      .add(negShift.reshape([d, s, 1]));
    return np.sum(expBySquaring(logDensity), 2);
  },
);

/** Per posterior row and dimension, the float32 operands of {@link chunkSums}. */
interface DensityTerms {
  negMu: Float32Array;
  negHalfPrecision: Float32Array;
  logNorm: Float32Array;
}

/** -mu, -1/(2 var) and -log(2 pi var)/2 of every row, computed once for all the estimates. */
function densityTerms(means: ArrayLike<number>, logvars: ArrayLike<number>): DensityTerms {
  const negMu = new Float32Array(means.length);
  const negHalfPrecision = new Float32Array(means.length);
  const logNorm = new Float32Array(means.length);
  for (let i = 0; i < means.length; i++) {
    negMu[i] = -means[i];
    negHalfPrecision[i] = -0.5 * Math.exp(-logvars[i]);
    logNorm[i] = -0.5 * (LOG_2PI + logvars[i]);
  }
  return { negMu, negHalfPrecision, logNorm };
}

/**
 * Per dimension j: -1/S sum_s log( 1/M sum_{m in mixture} N(z_sj; mu_mj, var_mj) ), the
 * sampled entropy of the mixture of the posteriors of `mixture` rows at the samples
 * z_sj = mu_sj + sigma_sj e_s of `sampleRows` (Chen et al.'s `estimate_entropies`).
 * Each sample's sum is shifted by s_j = max(log q(z_sj | x_s), max_m logNorm_mj - 30): its
 * own term (the sample rows lie in the mixture) is then e^0, no term exceeds e^30, and only
 * terms below e^-40 of the own term are approximated (by e^-40: a relative error below
 * M e^-40 = 4e-18 M). The chunk sums run in float32 (the data's precision); chunks and logs
 * accumulate in float64.
 */
async function mixtureEntropies(
  means: ArrayLike<number>,
  logvars: ArrayLike<number>,
  terms: DensityTerms,
  dims: number,
  noise: Float64Array,
  sampleRows: Int32Array,
  mixture: Int32Array,
  chunkOption: number | undefined,
): Promise<Float64Array> {
  const samples = sampleRows.length;
  const paddedSamples = roundUp(samples, 4);
  // At most the requested chunk, and as even as that allows: a last chunk that is mostly
  // padding is work for nothing (18,432 rows in chunks of 5,368 padded 16%).
  const largest = roundUp(chunkOption ?? Math.floor(CHUNK_ELEMENTS / (dims * paddedSamples)), 4);
  const chunks = Math.ceil(mixture.length / largest);
  const chunk = Math.min(largest, roundUp(Math.ceil(mixture.length / chunks), 4));
  // Largest density normaliser of each dimension over the mixture.
  const maxLogNorm = new Float64Array(dims).fill(Number.NEGATIVE_INFINITY);
  for (const m of mixture) {
    for (let j = 0; j < dims; j++) {
      maxLogNorm[j] = Math.max(maxLogNorm[j], -0.5 * (LOG_2PI + logvars[m * dims + j]));
    }
  }
  const z = new Float32Array(dims * paddedSamples);
  const shift = new Float32Array(dims * paddedSamples);
  for (const [s, row] of sampleRows.entries()) {
    const e = noise[row];
    for (let j = 0; j < dims; j++) {
      const i = row * dims + j;
      z[j * paddedSamples + s] = means[i] + Math.exp(0.5 * logvars[i]) * e;
      const own = -0.5 * (LOG_2PI + logvars[i] + e * e);
      shift[j * paddedSamples + s] = Math.max(own, maxLogNorm[j] - EXP_CEILING);
    }
  }
  const sums = new Float64Array(dims * paddedSamples);
  const negMu = new Float32Array(dims * chunk);
  const negHalfPrecision = new Float32Array(dims * chunk);
  const logNorm = new Float32Array(dims * chunk);
  const zArray = np.array(z, { shape: [dims, paddedSamples] });
  const negShiftArray = np.array(
    shift.map((x) => -x),
    { shape: [dims, paddedSamples] },
  );
  try {
    for (let start = 0; start < mixture.length; start += chunk) {
      const filled = Math.min(chunk, mixture.length - start);
      // Padding posteriors get a density far below the floor: each adds e^-40.
      logNorm.fill(-1e30);
      negMu.fill(0);
      negHalfPrecision.fill(0);
      for (let c = 0; c < filled; c++) {
        const row = mixture[start + c];
        for (let j = 0; j < dims; j++) {
          const i = row * dims + j;
          negMu[j * chunk + c] = terms.negMu[i];
          negHalfPrecision[j * chunk + c] = terms.negHalfPrecision[i];
          logNorm[j * chunk + c] = terms.logNorm[i];
        }
      }
      const out = chunkSums(
        zArray.ref,
        negShiftArray.ref,
        np.array(negMu, { shape: [dims, chunk] }),
        np.array(negHalfPrecision, { shape: [dims, chunk] }),
        np.array(logNorm, { shape: [dims, chunk] }),
      );
      const data = (await out.data()) as Float32Array;
      for (let i = 0; i < sums.length; i++) sums[i] += data[i];
    }
  } finally {
    zArray.dispose();
    negShiftArray.dispose();
  }
  const h = new Float64Array(dims);
  const logM = Math.log(mixture.length);
  for (let j = 0; j < dims; j++) {
    let total = 0;
    for (let s = 0; s < samples; s++) {
      const i = j * paddedSamples + s;
      total += shift[i] + Math.log(sums[i]) - logM;
    }
    h[j] = -total / samples;
  }
  return h;
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
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

/** Chen et al.'s `n_samples`: samples per entropy estimate. */
export const MIG_CHEN_SAMPLES = 10000;

function migDetails(input: MetricInput, r: MigResult) {
  return {
    factors: namesOf(input, r.factors),
    perFactor: r.perFactor,
    mutualInformation: r.mutualInformation,
    factorEntropies: r.factorEntropies,
  };
}

export const migMetric = defineMetric({
  name: "mig",
  summary:
    "Mutual Information Gap, Chen et al. 2018's protocol: entropies from samples of q(z|x) over the full factor grid, gaps normalised by log(factor size)",
  needsGrid: true,
  missing: (input) =>
    needsFactors(input) ??
    needsGaussianPosterior(input) ??
    (input.grid === undefined
      ? "needs the full factor grid (every combination of factor values, in row-major order)"
      : input.logvars === undefined
        ? "needs posterior log-variances"
        : null),
  schema: z.object({
    samples: z
      .number()
      .int()
      .positive()
      .default(MIG_CHEN_SAMPLES)
      .describe("samples per entropy estimate"),
    include: includeOption(),
  }),
  async compute(input, { samples, include, seed }) {
    const r = await migChen(
      {
        means: input.codes.data,
        logvars: input.logvars as Float32Array,
        dims: input.codes.dims,
        factorSizes: input.grid as number[],
      },
      { samples, seed, include: factorIndices(input, include) },
    );
    return {
      values: { mig: finite(r.mig) },
      options: { protocol: "chen", samples, seed, include: include ?? null },
      details: migDetails(input, r),
    };
  },
});

export const migDlibMetric = defineMetric({
  name: "mig-dlib",
  summary:
    "Mutual Information Gap, disentanglement_lib's protocol: posterior means binned, discrete mutual information, every factor",
  missing: needsFactors,
  schema: z.object({
    numTrain: rowsOption(DEFAULT_TRAIN_ROWS, "rows the mutual information is estimated on"),
    bins: binsOption(DEFAULT_BINS),
    include: includeOption(),
  }),
  async compute(input, { numTrain, bins, include, seed }) {
    const r = migDlib(input.codes, input.factors as FactorMatrix, {
      numTrain,
      bins,
      seed,
      include: factorIndices(input, include),
    });
    return {
      values: { mig: finite(r.mig) },
      options: { protocol: "disentanglement_lib", numTrain, bins, seed, include: include ?? null },
      details: migDetails(input, r),
    };
  },
});
