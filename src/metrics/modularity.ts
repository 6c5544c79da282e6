/**
 * Modularity (Ridgeway & Mozer, "Learning deep disentangled embeddings with the F-statistic
 * loss", NeurIPS 2018, Sec. 3): each code dimension should carry information about at most one
 * factor. With m_jk = I(z_j; v_k) and theta_j = max_k m_jk,
 * delta_j = sum_{k != argmax} m_jk^2 / (theta_j^2 (K - 1)), modularity_j = 1 - delta_j
 * (0 for a dimension with no information), averaged over dimensions. As disentanglement_lib,
 * the MI is the plug-in estimate between 20-bin histograms of the codes and the factors'
 * classes, on a subsample of rows. With a single factor, delta is 0.
 */

import { z } from "zod";
import { Rng } from "../data/random.ts";
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
import { mutualInformation } from "./information.ts";
import { binsOption, defineMetric, finite, needsFactors, rowsOption } from "./metric.ts";

export interface ModularityOptions {
  /** Rows for the MI estimate. Default 10000. */
  numTrain?: number;
  /** Histogram bins per code dimension (and continuous factor). Default 20. */
  bins?: number;
  /** Seed of the subsample. Default 0. */
  seed?: number;
}

export interface ModularityResult {
  modularity: number;
  perDim: number[];
  /** I(z_j; v_k) in nats, [dim j][factor k]. */
  mutualInformation: number[][];
}

/**
 * Modularity (Ridgeway & Mozer 2018, Sec. 3) of `codes` for `factors`: how far each dimension
 * informs one factor only, from histogram mutual information as disentanglement_lib.
 */
export function modularity(
  codes: CodeMatrix,
  factors: FactorMatrix,
  options: ModularityOptions = {},
): ModularityResult {
  checkShapes(codes, factors);
  const bins = options.bins ?? DEFAULT_BINS;
  const rng = new Rng(options.seed ?? 0);
  const rows = splitRows(codes.count, options.numTrain ?? DEFAULT_TRAIN_ROWS, 0, rng).train;
  const labels = Array.from({ length: factors.factors }, (_, k) => {
    const all = factorLabels(factors, k, bins);
    return { labels: takeLabels(all.labels, rows), classes: all.classes };
  });
  const mi = Array.from({ length: codes.dims }, (_, j) => {
    const z = histogramBins(takeRows(column(codes.data, codes.dims, j), 1, rows), bins);
    return labels.map((l) => mutualInformation(z, l));
  });
  return { ...modularityFromMutualInformation(mi), mutualInformation: mi };
}

/** Modularity of a mutual-information matrix [dim][factor]. */
export function modularityFromMutualInformation(mi: number[][]): {
  modularity: number;
  perDim: number[];
} {
  const perDim = mi.map((row) => {
    const squared = row.map((m) => m * m);
    const max = Math.max(...squared);
    if (max === 0) return 0;
    if (row.length < 2) return 1;
    const rest = squared.reduce((a, b) => a + b, 0) - max;
    return 1 - rest / (max * (row.length - 1));
  });
  return { modularity: average(perDim), perDim };
}

export const modularityMetric = defineMetric({
  name: "modularity",
  summary:
    "Modularity (Ridgeway & Mozer 2018): how much each code's mutual information concentrates on one factor",
  missing: needsFactors,
  schema: z.object({
    numTrain: rowsOption(DEFAULT_TRAIN_ROWS, "rows the mutual information is estimated on"),
    bins: binsOption(DEFAULT_BINS),
  }),
  async compute(input, { numTrain, bins, seed }) {
    const r = modularity(input.codes, input.factors as FactorMatrix, { numTrain, bins, seed });
    return {
      values: { modularity: finite(r.modularity) },
      options: { numTrain, bins, seed },
      details: { ...r },
    };
  },
});
