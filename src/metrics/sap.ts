/**
 * Separated Attribute Predictability (Kumar, Sattigeri & Balakrishnan, "Variational inference
 * of disentangled latent concepts from unlabeled observations", ICLR 2018, Sec. 3): a score
 * matrix S[j][k] of how well code j alone predicts factor k; per factor the difference of its
 * two largest scores; averaged over factors.
 * - Continuous factor: S = R^2 of a linear fit, cov(z_j, v_k)^2 / (var z_j var v_k), on the
 *   training rows (0 when var z_j <= 1e-12), as disentanglement_lib.
 * - Discrete factor: the chance-adjusted balanced accuracy on held-out rows,
 *   (b - 1/C) / (1 - 1/C) with b the mean per-class recall over the C classes present there
 *   (sklearn's `balanced_accuracy_score(adjusted=True)`), of a threshold classifier on z_j:
 *   nearest class mean, i.e. thresholds at the midpoints between the training class means of
 *   z_j. disentanglement_lib instead reports the raw accuracy of a `LinearSVC(C=0.01)` on the
 *   single code. Ours is also a one-dimensional threshold rule, but invariant to affine
 *   rescaling of z_j, and the adjustment puts an uninformative code at 0 whatever the number of
 *   classes (raw accuracy would give it 1/C, capping a perfect code's gap at 1 - 1/C).
 */

import {
  average,
  type CodeMatrix,
  checkShapes,
  column,
  type FactorMatrix,
  factorLabels,
  isDiscrete,
  takeLabels,
  takeRows,
  trainTestRows,
} from "./arrays.ts";

export interface SapOptions {
  /** Training rows. Default 10000. */
  numTrain?: number;
  /** Held-out rows for the discrete factors' accuracy. Default 5000. */
  numTest?: number;
  /** Seed of the row split. Default 0. */
  seed?: number;
}

export interface SapResult {
  sap: number;
  /** S[code j][factor k]. */
  scores: number[][];
  /** Top-two gap of each factor with two or more distinct values, in index order. */
  perFactor: number[];
  factors: number[];
}

export function sap(codes: CodeMatrix, factors: FactorMatrix, options: SapOptions = {}): SapResult {
  checkShapes(codes, factors);
  const { train, test } = trainTestRows(codes.count, options);
  const d = codes.dims;
  const scores = Array.from({ length: d }, () => new Array<number>(factors.factors).fill(0));
  const scored: number[] = [];
  for (let k = 0; k < factors.factors; k++) {
    const discrete = isDiscrete(factors, k);
    const all = discrete ? factorLabels(factors, k) : undefined;
    const values = column(factors.data, factors.factors, k);
    if (new Set(values).size < 2) continue;
    scored.push(k);
    for (let j = 0; j < d; j++) {
      const z = column(codes.data, d, j);
      if (all !== undefined) {
        scores[j][k] = thresholdAccuracy(
          takeRows(z, 1, train),
          takeLabels(all.labels, train),
          takeRows(z, 1, test),
          takeLabels(all.labels, test),
          all.classes,
        );
      } else {
        scores[j][k] = squaredCorrelation(takeRows(z, 1, train), takeRows(values, 1, train));
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
  return (average(recalls) - chance) / (1 - chance);
}
