/**
 * The array inputs of the metrics and their common preparation: a representation is a row-major
 * code matrix [N, D] (one row per observation), the ground truth a factor matrix [N, K] on the
 * same rows. Factors are discrete (their distinct values are class labels) unless marked
 * continuous; metrics that need classes bin a continuous factor into histogram bins.
 */

import { permutation, Rng } from "../data/random.ts";
import { type FactorLabels, histogramBins } from "./discretize.ts";

/** Codes [count, dims], row-major. */
export interface CodeMatrix {
  data: Float32Array | Float64Array;
  count: number;
  dims: number;
}

/** Ground-truth factors [count, factors], row-major, actual values or value indices. */
export interface FactorMatrix {
  data: ArrayLike<number>;
  count: number;
  factors: number;
  /** Per factor: true when its values are classes. Default: every factor is discrete. */
  discrete?: boolean[];
}

export function checkShapes(codes: CodeMatrix, factors: FactorMatrix): void {
  if (codes.data.length !== codes.count * codes.dims) {
    throw new RangeError(
      `codes hold ${codes.data.length} values, expected count*dims = ${codes.count}*${codes.dims}`,
    );
  }
  if (factors.data.length !== factors.count * factors.factors) {
    throw new RangeError(
      `factors hold ${factors.data.length} values, expected count*factors = ${factors.count}*${factors.factors}`,
    );
  }
  if (codes.count !== factors.count) {
    throw new RangeError(`codes have ${codes.count} rows but factors have ${factors.count}`);
  }
  if (factors.discrete !== undefined && factors.discrete.length !== factors.factors) {
    throw new RangeError(
      `discrete flags name ${factors.discrete.length} factors, expected ${factors.factors}`,
    );
  }
  for (let i = 0; i < codes.data.length; i++) {
    if (!Number.isFinite(codes.data[i])) {
      throw new RangeError(
        `codes[${Math.floor(i / codes.dims)}, ${i % codes.dims}] is ${codes.data[i]}, expected a finite number`,
      );
    }
  }
  for (let i = 0; i < factors.data.length; i++) {
    if (!Number.isFinite(factors.data[i])) {
      throw new RangeError(
        `factors[${Math.floor(i / factors.factors)}, ${i % factors.factors}] is ${factors.data[i]}, expected a finite number`,
      );
    }
  }
}

export function isDiscrete(factors: FactorMatrix, k: number): boolean {
  return factors.discrete === undefined || factors.discrete[k];
}

/** Column k of a row-major matrix with `cols` columns, as float64. */
export function column(data: ArrayLike<number>, cols: number, k: number): Float64Array {
  const n = data.length / cols;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * cols + k];
  return out;
}

/**
 * Factor k as class labels over all rows: a discrete factor's distinct values in increasing
 * order; a continuous factor's `bins` equal-width histogram bins over its range.
 */
export function factorLabels(factors: FactorMatrix, k: number, bins = 20): FactorLabels {
  const values = column(factors.data, factors.factors, k);
  if (!isDiscrete(factors, k)) return histogramBins(values, bins);
  const distinct = Array.from(new Set(values)).sort((a, b) => a - b);
  const index = new Map(distinct.map((v, i) => [v, i]));
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) labels[i] = index.get(values[i]) as number;
  return { labels, classes: distinct.length };
}

/** Train and test row indices: a seeded shuffle split into the first `train` and next `test`. */
export interface RowSplit {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Draws `numTrain` then `numTest` distinct rows at random. When there are fewer rows than
 * asked for, all rows are used, split in the ratio numTrain : numTest (at least one each).
 */
export function splitRows(count: number, numTrain: number, numTest: number, rng: Rng): RowSplit {
  const perm = permutation(count, rng);
  let nTrain = numTrain;
  let nTest = numTest;
  if (numTrain + numTest > count) {
    nTrain = numTest === 0 ? count : Math.round((count * numTrain) / (numTrain + numTest));
    if (numTest > 0) nTrain = Math.min(Math.max(nTrain, 1), count - 1);
    nTest = numTest === 0 ? 0 : count - nTrain;
  }
  if (nTrain < 1 || (numTest > 0 && nTest < 1)) {
    throw new RangeError(`${count} rows are too few to split into train and test sets`);
  }
  return { train: perm.slice(0, nTrain), test: perm.slice(nTrain, nTrain + nTest) };
}

/** Options of the metrics that fit on some rows and score on others. */
export interface TrainTestOptions {
  /** Training rows (default 10000). */
  numTrain?: number;
  /** Held-out rows (default 5000). */
  numTest?: number;
  /** Seed of the split (default 0). */
  seed?: number;
}

/** Training rows of the array metrics by default (disentanglement_lib's num_train). */
export const DEFAULT_TRAIN_ROWS = 10000;
/** Held-out rows of the array metrics by default (disentanglement_lib's num_test). */
export const DEFAULT_TEST_ROWS = 5000;
/** Histogram bins of the discretised codes by default (disentanglement_lib's num_bins). */
export const DEFAULT_BINS = 20;

/** The seeded train/test rows of {@link TrainTestOptions}, with their defaults. */
export function trainTestRows(count: number, options: TrainTestOptions): RowSplit {
  return splitRows(
    count,
    options.numTrain ?? DEFAULT_TRAIN_ROWS,
    options.numTest ?? DEFAULT_TEST_ROWS,
    new Rng(options.seed ?? 0),
  );
}

/** Rows `rows` of a [*, cols] matrix, as a new float64 matrix. */
export function takeRows(data: ArrayLike<number>, cols: number, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * cols);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r] * cols;
    for (let j = 0; j < cols; j++) out[r * cols + j] = data[base + j];
  }
  return out;
}

/** Elements `rows` of a vector. */
export function takeLabels(labels: Int32Array, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = labels[rows[r]];
  return out;
}

/**
 * Per-column mean and standard deviation (population) of a [n, cols] matrix; a constant
 * column gets standard deviation 1 so that standardising leaves it at zero.
 */
export function columnMoments(
  data: Float64Array,
  cols: number,
): { mean: Float64Array; std: Float64Array } {
  const n = data.length / cols;
  const mean = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) {
      const d = data[i * cols + j] - mean[j];
      std[j] += d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    const s = Math.sqrt(std[j] / n);
    std[j] = s > 1e-12 * (Math.abs(mean[j]) + 1) ? s : 1;
  }
  return { mean, std };
}

/** (x - mean) / std per column, in place; returns x. */
export function standardize(
  x: Float64Array,
  cols: number,
  moments: { mean: Float64Array; std: Float64Array },
): Float64Array {
  for (let i = 0; i < x.length; i++) {
    const j = i % cols;
    x[i] = (x[i] - moments.mean[j]) / moments.std[j];
  }
  return x;
}

/** The arithmetic mean of a non-empty list. */
export function average(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}
