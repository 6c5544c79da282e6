/**
 * Explicitness (Ridgeway & Mozer, "Learning deep disentangled embeddings with the F-statistic
 * loss", NeurIPS 2018, Sec. 3): how linearly decodable each factor is from the whole code.
 * Per factor, a one-vs-rest L2 logistic regression (C = 1) on the standardised codes predicts
 * its classes; the score is the ROC AUC of each class's (normalised one-vs-rest) probability,
 * averaged over classes, then over factors. As disentanglement_lib's `modularity_explicitness`:
 * codes standardised with the training rows' moments, probabilities as sklearn's
 * `predict_proba`. A class is left out of the average when it is absent from the training rows
 * or when the rows it is scored on lack positives or negatives; a factor with fewer than two
 * classes is left out. Continuous factors are first binned into 20 equal-width bins.
 */

import { z } from "zod";
import {
  average,
  type CodeMatrix,
  checkShapes,
  columnMoments,
  DEFAULT_BINS,
  DEFAULT_TEST_ROWS,
  DEFAULT_TRAIN_ROWS,
  type FactorMatrix,
  factorLabels,
  standardize,
  takeLabels,
  takeRows,
  trainTestRows,
} from "./arrays.ts";
import { rocAuc } from "./auc.ts";
import type { FactorLabels } from "./discretize.ts";
import { fitOneVsRest, type LogisticOptions, type OneVsRest, predictProba } from "./logistic.ts";
import { binsOption, defineMetric, finite, needsFactors, trainTestShape } from "./metric.ts";

export interface ExplicitnessOptions {
  /** Training rows. Default 10000. */
  numTrain?: number;
  /** Held-out rows. Default 5000. */
  numTest?: number;
  /** Bins for continuous factors. Default 20. */
  bins?: number;
  /** Seed of the row split. Default 0. */
  seed?: number;
  logistic?: LogisticOptions;
}

export interface ExplicitnessResult {
  /** Mean test AUC over the scored factors. */
  explicitness: number;
  explicitnessTrain: number;
  perFactor: number[];
  factors: number[];
}

/**
 * Explicitness (Ridgeway & Mozer 2018, Sec. 3): the mean one-vs-rest ROC AUC of a logistic
 * regression predicting each factor's classes from the whole code.
 */
export function explicitness(
  codes: CodeMatrix,
  factors: FactorMatrix,
  options: ExplicitnessOptions = {},
): ExplicitnessResult {
  checkShapes(codes, factors);
  const { train, test } = trainTestRows(codes.count, options);
  const d = codes.dims;
  const xTrain = takeRows(codes.data, d, train);
  const xTest = takeRows(codes.data, d, test);
  const moments = columnMoments(xTrain, d);
  standardize(xTrain, d, moments);
  standardize(xTest, d, moments);
  const perFactor: number[] = [];
  const perFactorTrain: number[] = [];
  const scored: number[] = [];
  for (let k = 0; k < factors.factors; k++) {
    const all = factorLabels(factors, k, options.bins ?? DEFAULT_BINS);
    const yTrain = { labels: takeLabels(all.labels, train), classes: all.classes };
    const yTest = { labels: takeLabels(all.labels, test), classes: all.classes };
    if (new Set(yTrain.labels).size < 2) continue;
    const model = fitOneVsRest(xTrain, d, yTrain, options.logistic);
    const testAuc = meanClassAuc(model, xTest, d, yTest);
    if (Number.isNaN(testAuc)) continue;
    scored.push(k);
    perFactor.push(testAuc);
    perFactorTrain.push(meanClassAuc(model, xTrain, d, yTrain));
  }
  return {
    explicitness: perFactor.length === 0 ? Number.NaN : average(perFactor),
    explicitnessTrain: perFactor.length === 0 ? Number.NaN : average(perFactorTrain),
    perFactor,
    factors: scored,
  };
}

/** Macro-averaged one-vs-rest AUC over the classes that can be scored (NaN if none). */
function meanClassAuc(model: OneVsRest, x: Float64Array, d: number, y: FactorLabels): number {
  const proba = predictProba(model, x, d);
  const n = y.labels.length;
  const aucs: number[] = [];
  for (let c = 0; c < y.classes; c++) {
    if (model.models[c] === null) continue;
    const score = new Float64Array(n);
    const positive = new Array<boolean>(n);
    for (let i = 0; i < n; i++) {
      score[i] = proba[i * y.classes + c];
      positive[i] = y.labels[i] === c;
    }
    const auc = rocAuc(score, positive);
    if (!Number.isNaN(auc)) aucs.push(auc);
  }
  return aucs.length === 0 ? Number.NaN : average(aucs);
}

export const explicitnessMetric = defineMetric({
  name: "explicitness",
  summary:
    "Explicitness (Ridgeway & Mozer 2018): mean test ROC AUC of one-vs-rest logistic regression from all codes to each factor",
  missing: needsFactors,
  schema: z.object({
    ...trainTestShape(DEFAULT_TRAIN_ROWS, DEFAULT_TEST_ROWS),
    bins: binsOption(DEFAULT_BINS).describe("bins of continuous factors, made classes"),
  }),
  async compute(input, { numTrain, numTest, bins, seed }) {
    const r = explicitness(input.codes, input.factors as FactorMatrix, {
      numTrain,
      numTest,
      bins,
      seed,
    });
    return {
      values: { explicitness: finite(r.explicitness) },
      options: { numTrain, numTest, bins, seed },
      details: { ...r },
    };
  },
});
