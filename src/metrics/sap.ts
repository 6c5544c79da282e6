/**
 * Separated Attribute Predictability (Kumar, Sattigeri & Balakrishnan, "Variational inference
 * of disentangled latent concepts from unlabeled observations", ICLR 2018, Sec. 3): a score
 * matrix S[j][k] of how well code j alone predicts factor k; per factor the difference of its
 * two largest scores; averaged over the factors that take two or more values.
 *
 * Two variants share everything but the score of a discrete factor:
 * - `sap` (metric name `sap`) is disentanglement_lib's `sap_score.py`, the definition
 *   published results use: S = the plain test accuracy, `np.mean(pred == y_test)`, of
 *   `LinearSVC(C=0.01, class_weight="balanced")` (`linear-svm.ts`) fitted on the single code
 *   column z_j of the training rows. It depends on the scale of z_j (C is fixed), an
 *   uninformative code scores the share of whichever class it predicts rather than 0, and a one-vs-rest linear
 *   rule on one dimension rarely predicts a class whose z_j values lie between others', so a
 *   perfect code of a factor with C > 2 classes can score well below 1.
 * - `sapBalanced` (metric name `sap-balanced`) is this project's variant: S = the
 *   chance-adjusted balanced accuracy on the test rows, (b - 1/C) / (1 - 1/C) with b the mean
 *   per-class recall over the C classes present there (sklearn's
 *   `balanced_accuracy_score(adjusted=True)`, clamped at 0), of a threshold classifier on z_j: nearest
 *   training class mean, i.e. thresholds at the midpoints between the class means. It is
 *   invariant to affine rescaling of z_j, puts an uninformative code at 0 whatever the number
 *   of classes, and gives any monotone ordering of the classes along z_j full credit.
 * Both exist because the first is the one to compare with the literature and the second the
 * one whose values mean the same across codes' scales and factors' numbers of classes.
 *
 * Continuous factors (both variants): S = R^2 of a linear fit, cov(z_j, v_k)^2 /
 * (var z_j var v_k), on the training rows (0 when var z_j <= 1e-12), as disentanglement_lib.
 * With no test rows a discrete factor's scores are 0.
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
import { fitLinearSvc, linearSvcPredict } from "./linear-svm.ts";
import { defineMetric, finite, needsFactors, trainTestShape } from "./metric.ts";

export interface SapOptions {
  /** Training rows. Default 10000. */
  numTrain?: number;
  /** Held-out rows for the discrete factors' accuracy. Default 5000. */
  numTest?: number;
  /** Seed of the row split. Default 0. */
  seed?: number;
  /** Explicit train and test rows; when given, numTrain, numTest and seed are unused. */
  split?: RowSplit;
}

export interface SapResult {
  sap: number;
  /** S[code j][factor k]. */
  scores: number[][];
  /** Top-two gap of each factor with two or more distinct values, in index order. */
  perFactor: number[];
  factors: number[];
}

/**
 * How well one code column predicts a discrete factor: fitted on the training rows' codes and
 * labels (0..classes-1), scored on the test rows'.
 */
export type DiscreteScore = (
  zTrain: Float64Array,
  yTrain: Int32Array,
  zTest: Float64Array,
  yTest: Int32Array,
  classes: number,
) => number;

/** disentanglement_lib's SAP: discrete factors scored by a linear SVM's test accuracy. */
export function sap(codes: CodeMatrix, factors: FactorMatrix, options: SapOptions = {}): SapResult {
  return sapWith(codes, factors, options, svmAccuracy);
}

/** SAP with discrete factors scored by the chance-adjusted balanced accuracy of a threshold rule. */
export function sapBalanced(
  codes: CodeMatrix,
  factors: FactorMatrix,
  options: SapOptions = {},
): SapResult {
  return sapWith(codes, factors, options, thresholdAccuracy);
}

/** The score matrix (R^2 for continuous factors, `discrete` otherwise) and its SAP. */
export function sapWith(
  codes: CodeMatrix,
  factors: FactorMatrix,
  options: SapOptions,
  discrete: DiscreteScore,
): SapResult {
  checkShapes(codes, factors);
  const { train, test } = options.split ?? trainTestRows(codes.count, options);
  const d = codes.dims;
  const scores = Array.from({ length: d }, () => new Array<number>(factors.factors).fill(0));
  const scored: number[] = [];
  for (let k = 0; k < factors.factors; k++) {
    const all = isDiscrete(factors, k) ? factorLabels(factors, k) : undefined;
    const values = column(factors.data, factors.factors, k);
    if (new Set(values).size < 2) continue;
    scored.push(k);
    for (let j = 0; j < d; j++) {
      const z = column(codes.data, d, j);
      if (all === undefined) {
        scores[j][k] = squaredCorrelation(takeRows(z, 1, train), takeRows(values, 1, train));
      } else if (test.length > 0) {
        scores[j][k] = discrete(
          takeRows(z, 1, train),
          takeLabels(all.labels, train),
          takeRows(z, 1, test),
          takeLabels(all.labels, test),
          all.classes,
        );
      }
    }
  }
  const { sap: score, perFactor } = sapFromScores(scores, scored);
  return { sap: score, scores, perFactor, factors: scored };
}

/** Mean over `factors` of the gap between the two largest S[j][k] over codes j. */
export function sapFromScores(
  scores: number[][],
  factors: number[],
): { sap: number; perFactor: number[] } {
  const perFactor = factors.map((k) => {
    const sorted = scores.map((row) => row[k]).sort((a, b) => b - a);
    return sorted[0] - (sorted.length > 1 ? sorted[1] : 0);
  });
  return { sap: perFactor.length === 0 ? Number.NaN : average(perFactor), perFactor };
}

function squaredCorrelation(z: Float64Array, v: Float64Array): number {
  const mz = average(z);
  const mv = average(v);
  let czv = 0;
  let czz = 0;
  let cvv = 0;
  for (let i = 0; i < z.length; i++) {
    czv += (z[i] - mz) * (v[i] - mv);
    czz += (z[i] - mz) ** 2;
    cvv += (v[i] - mv) ** 2;
  }
  const n1 = z.length - 1;
  if (czz / n1 <= 1e-12 || cvv === 0) return 0;
  return (czv * czv) / (czz * cvv);
}

/** Test accuracy of `LinearSVC(C=0.01, class_weight="balanced")` fitted on one code column. */
function svmAccuracy(
  zTrain: Float64Array,
  yTrain: Int32Array,
  zTest: Float64Array,
  yTest: Int32Array,
): number {
  const predicted = linearSvcPredict(
    fitLinearSvc(zTrain, 1, yTrain, { c: 0.01, classWeight: "balanced" }),
    zTest,
  );
  let hits = 0;
  for (let i = 0; i < yTest.length; i++) if (predicted[i] === yTest[i]) hits++;
  return hits / yTest.length;
}

/** Chance-adjusted balanced test accuracy of the nearest-training-class-mean rule on one code. */
function thresholdAccuracy(
  zTrain: Float64Array,
  yTrain: Int32Array,
  zTest: Float64Array,
  yTest: Int32Array,
  classes: number,
): number {
  const sum = new Float64Array(classes);
  const count = new Float64Array(classes);
  for (let i = 0; i < zTrain.length; i++) {
    sum[yTrain[i]] += zTrain[i];
    count[yTrain[i]]++;
  }
  const known = Array.from(count.keys()).filter((c) => count[c] > 0);
  const means = known.map((c) => sum[c] / count[c]);
  const hits = new Float64Array(classes);
  const seen = new Float64Array(classes);
  for (let i = 0; i < zTest.length; i++) {
    let best = 0;
    for (let c = 1; c < known.length; c++) {
      if (Math.abs(zTest[i] - means[c]) < Math.abs(zTest[i] - means[best])) best = c;
    }
    seen[yTest[i]]++;
    if (known[best] === yTest[i]) hits[yTest[i]]++;
  }
  const recalls = Array.from(seen.keys())
    .filter((c) => seen[c] > 0)
    .map((c) => hits[c] / seen[c]);
  if (recalls.length < 2) return 0;
  const chance = 1 / recalls.length;
  // Below chance is no information: a negative score would widen the gap past 1.
  return Math.max(0, (average(recalls) - chance) / (1 - chance));
}

/** A SAP variant as a metric: its name, summary and scoring of one code against a factor. */
function sapVariant(name: string, summary: string, score: typeof sap) {
  return defineMetric({
    name,
    summary,
    missing: needsFactors,
    schema: z.object(trainTestShape(DEFAULT_TRAIN_ROWS, DEFAULT_TEST_ROWS)),
    async compute(input, { numTrain, numTest, seed }) {
      const r = score(input.codes, input.factors as FactorMatrix, { numTrain, numTest, seed });
      return {
        values: { sap: finite(r.sap) },
        options: { numTrain, numTest, seed },
        details: { ...r },
      };
    },
  });
}

export const sapMetric = sapVariant(
  "sap",
  "SAP, Kumar et al. 2018 as disentanglement_lib computes it: R² (continuous factors) or the test accuracy of LinearSVC(C=0.01, balanced) on each single code (discrete factors), top-two gap",
  sap,
);

export const sapBalancedMetric = sapVariant(
  "sap-balanced",
  "SAP with the chance-adjusted balanced accuracy of a threshold rule on each single code (discrete factors): 0 for an uninformative code whatever the number of classes",
  sapBalanced,
);
