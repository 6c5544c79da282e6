/**
 * DCI: disentanglement, completeness and informativeness (Eastwood & Williams, "A framework
 * for the quantitative evaluation of disentangled representations", ICLR 2018, Sec. 3).
 * A regressor per factor gives an importance matrix R[j][k] (code j for factor k):
 * disentanglement = sum_j rho_j (1 - H_K(P_j.)), rho_j = sum_k R_jk / sum R,
 * P_jk = R_jk / sum_k R_jk, H_K the entropy in base K (eq. 1-2); completeness likewise per
 * factor in base D (eq. 3); informativeness the regressor's prediction quality on held-out rows.
 *
 * Regressor, as disentanglement_lib: gradient-boosted trees (`gbt.ts`, 100 stages of depth 3)
 * with impurity-based importances, with sklearn's exact split search by default. Against
 * disentanglement_lib's dci.py with sklearn 1.2.1's `GradientBoostingClassifier()` on
 * test/metrics/fixtures/sap-dci.json (1400 training rows, 6 codes, 5 factors) the measured
 * differences are: disentanglement 1.6e-4, completeness 5e-5, test informativeness 1.3e-3,
 * train informativeness 0, importances <= 6e-4; sklearn differs from itself by as much
 * across random_state (5e-4, 5e-4, 1.7e-3), which only breaks ties between equally good
 * splits (its random feature order; `gbt.ts` shares a tie's gain instead). With
 * `gbt: { maxBins: 64 }` (quantile thresholds) the same numbers move by 0.018, 0.016, 0.004. A discrete factor is classified and its informativeness is
 * the test accuracy (disentanglement_lib's `informativeness_test`; higher is better, unlike
 * Eastwood & Williams' prediction error); a continuous factor is regressed and its
 * informativeness is the test R^2 (which can be negative). Following disentanglement_lib, 1e-11
 * is added to R before the entropies, and all-zero importances weigh codes/factors equally.
 * Disentanglement and completeness are invariant to permuting and monotonically rescaling the
 * codes; informativeness too, except that when several codes split the training rows alike
 * (a tie), the first is used, and they may differ on the test rows.
 */

import { z } from "zod";
import {
  average,
  type CodeMatrix,
  checkShapes,
  column,
  DEFAULT_TEST_ROWS,
  DEFAULT_TRAIN_ROWS,
  type FactorMatrix,
  factorLabels,
  isDiscrete,
  type RowSplit,
  takeLabels,
  takeRows,
  trainTestRows,
} from "./arrays.ts";
import {
  fitGbtClassifier,
  fitGbtRegressor,
  type GbtOptions,
  gbtPredictClass,
  gbtPredictRaw,
} from "./gbt.ts";
import { defineMetric, finite, needsFactors, trainTestShape } from "./metric.ts";

export interface DciOptions {
  /** Training rows. Default 10000. */
  numTrain?: number;
  /** Held-out rows for informativeness. Default 5000. */
  numTest?: number;
  /** Seed of the row split. Default 0. */
  seed?: number;
  /** Explicit train and test rows; when given, numTrain, numTest and seed are unused. */
  split?: RowSplit;
  /** The boosted trees' settings. */
  gbt?: GbtOptions;
}

export interface DciResult {
  disentanglement: number;
  completeness: number;
  /** Mean over factors of test accuracy (discrete) or test R^2 (continuous). */
  informativeness: number;
  informativenessTrain: number;
  perFactorInformativeness: number[];
  /** R[code j][factor k], each factor's column normalised to sum 1 (or all 0). */
  importance: number[][];
}

/**
 * DCI disentanglement, completeness (Eastwood & Williams 2018, eq. 1-3) and informativeness
 * of `codes` for `factors`, from gradient-boosted trees' importances as disentanglement_lib.
 */
export function dci(codes: CodeMatrix, factors: FactorMatrix, options: DciOptions = {}): DciResult {
  checkShapes(codes, factors);
  const { train, test } = options.split ?? trainTestRows(codes.count, options);
  const d = codes.dims;
  const xTrain = takeRows(codes.data, d, train);
  const xTest = takeRows(codes.data, d, test);
  const importance = Array.from({ length: d }, () => new Array<number>(factors.factors).fill(0));
  const infoTest: number[] = [];
  const infoTrain: number[] = [];
  for (let k = 0; k < factors.factors; k++) {
    let imp: Float64Array;
    if (isDiscrete(factors, k)) {
      const all = factorLabels(factors, k);
      const yTrain = takeLabels(all.labels, train);
      const yTest = takeLabels(all.labels, test);
      const model = fitGbtClassifier(xTrain, d, yTrain, all.classes, options.gbt);
      imp = model.importance;
      infoTrain.push(accuracy(gbtPredictClass(model, xTrain, d), yTrain));
      infoTest.push(accuracy(gbtPredictClass(model, xTest, d), yTest));
    } else {
      const values = column(factors.data, factors.factors, k);
      const yTrain = takeRows(values, 1, train);
      const yTest = takeRows(values, 1, test);
      const model = fitGbtRegressor(xTrain, d, yTrain, options.gbt);
      imp = model.importance;
      infoTrain.push(rSquared(gbtPredictRaw(model, xTrain, d), yTrain));
      infoTest.push(rSquared(gbtPredictRaw(model, xTest, d), yTest));
    }
    for (let j = 0; j < d; j++) importance[j][k] = imp[j];
  }
  return {
    ...dciFromImportance(importance),
    informativeness: average(infoTest),
    informativenessTrain: average(infoTrain),
    perFactorInformativeness: infoTest,
    importance,
  };
}

/** Disentanglement and completeness of an importance matrix R[code][factor] (non-negative). */
export function dciFromImportance(importance: number[][]): {
  disentanglement: number;
  completeness: number;
} {
  const d = importance.length;
  const k = importance[0]?.length ?? 0;
  if (d === 0 || k === 0) throw new RangeError("the importance matrix is empty");
  const at = (j: number, f: number) => importance[j][f];
  return {
    disentanglement: weightedSpecificity(d, k, at),
    completeness: weightedSpecificity(k, d, (f, j) => at(j, f)),
  };
}

/**
 * sum_a w_a (1 - H_B(p_a.)) with p_ab proportional to m(a, b) + 1e-11, w_a proportional to
 * sum_b m(a, b) (equal when m is all zero), H_B the entropy in base B; 1 - H is 1 when B = 1.
 */
function weightedSpecificity(a: number, b: number, m: (i: number, j: number) => number): number {
  let grand = 0;
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) grand += m(i, j);
  let score = 0;
  for (let i = 0; i < a; i++) {
    let rowSum = 0;
    let rowEps = 0;
    for (let j = 0; j < b; j++) {
      rowSum += m(i, j);
      rowEps += m(i, j) + 1e-11;
    }
    let h = 0;
    for (let j = 0; j < b; j++) {
      const p = (m(i, j) + 1e-11) / rowEps;
      h -= p * Math.log(p);
    }
    const specificity = b === 1 ? 1 : 1 - h / Math.log(b);
    score += specificity * (grand > 0 ? rowSum / grand : 1 / a);
  }
  return score;
}

function accuracy(predicted: Int32Array, truth: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) hits++;
  return hits / truth.length;
}

/** 1 - SSE / SST around the targets' own mean (1 when the targets are constant and fitted). */
function rSquared(predicted: Float64Array, y: Float64Array): number {
  const m = average(y);
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    sse += (y[i] - predicted[i]) ** 2;
    sst += (y[i] - m) ** 2;
  }
  if (sst === 0) return sse === 0 ? 1 : 0;
  return 1 - sse / sst;
}

export const dciMetric = defineMetric({
  name: "dci",
  summary:
    "DCI disentanglement, completeness, informativeness (Eastwood & Williams 2018) with gradient-boosted trees as disentanglement_lib",
  missing: needsFactors,
  schema: z.object(trainTestShape(DEFAULT_TRAIN_ROWS, DEFAULT_TEST_ROWS)),
  async compute(input, { numTrain, numTest, seed }) {
    const r = dci(input.codes, input.factors as FactorMatrix, { numTrain, numTest, seed });
    return {
      values: {
        disentanglement: finite(r.disentanglement),
        completeness: finite(r.completeness),
        informativeness: finite(r.informativeness),
      },
      options: { numTrain, numTest, seed },
      details: { ...r },
    };
  },
});
