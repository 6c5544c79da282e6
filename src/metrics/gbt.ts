/**
 * Gradient-boosted regression trees (Friedman, "Greedy function approximation: a gradient
 * boosting machine", Ann. Statist. 2001), the regressor behind disentanglement_lib's DCI
 * (sklearn `GradientBoostingClassifier` defaults: 100 stages, learning rate 0.1, depth 3).
 * - Classification: multinomial deviance, one tree per present class per stage, fitted to the
 *   residuals y_k - p_k, leaf values (K-1)/K * sum r / sum |r|(1-|r|) (Friedman's Algorithm 6,
 *   as sklearn), initial scores the log class priors.
 * - Regression: squared error, trees fitted to y - F, leaf values the mean residual.
 * Splits maximise the squared-error reduction of the residuals (equal to sklearn's
 * `friedman_mse` improvement without sample weights). By default every midpoint between
 * consecutive distinct training values of a feature is a candidate threshold, as sklearn's
 * exact search: no split between values closer than 1e-7 (sklearn's FEATURE_THRESHOLD), and
 * the threshold is the midpoint between the node's own adjacent values on either side, so
 * held-out rows between them fall as in sklearn. The search walks each feature's presorted
 * training rows once per tree level, O(n d) per level. `maxBins` instead limits the
 * candidates to that many quantile bins (global thresholds), as histogram-based boosting
 * does; that is no longer sklearn's tree (with 64 bins DCI's disentanglement and completeness
 * moved by ~0.017 on test/metrics/fixtures/sap-dci.json).
 * Feature importance is the summed split gain (the weighted impurity decrease), normalised
 * to sum to 1, as sklearn's `feature_importances_`. Features tied for the best split share its
 * gain; sklearn instead takes the first in a random feature order.
 */
export interface GbtOptions {
  /** Boosting stages. Default 100. */
  stages?: number;
  /** Shrinkage. Default 0.1. */
  learningRate?: number;
  /** Depth of each tree. Default 3. */
  maxDepth?: number;
  /**
   * Candidate thresholds per feature: at most this many bins (quantiles of the training
   * values), a whole number >= 2. Default Infinity: every midpoint (sklearn's exact search).
   */
  maxBins?: number;
}

interface Tree {
  feature: Int32Array;
  /** Rows whose feature value is <= threshold go left. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** The training rows as bins per feature, with what the split search needs to know of them. */
interface Prepared {
  /** Bin of each value, [n, d]: rows of a lower bin have lower values. */
  binned: Int32Array;
  /** Per feature: the rows 0..n-1 in increasing bin order, [d, n]. */
  order: Int32Array;
  /** Per feature: the bins of the rows in that order, [d, n]. */
  sortedBin: Int32Array;
  /**
   * Per feature and bin: the exact search's distinct values (split midway between a node's
   * adjacent values), or, for quantile bins, the upper cut of each bin (split there).
   */
  values: Float64Array[];
  /** Per feature: whether its bins are its distinct values. */
  exact: boolean[];
}

export interface GbtModel {
  kind: "classification" | "regression";
  /** Output columns: the number of classes, or 1. */
  outputs: number;
  init: Float64Array;
  /** trees[stage][output], null for an absent class. */
  trees: (Tree | null)[][];
  learningRate: number;
  /** Normalised feature importances (all zero when no tree split). */
  importance: Float64Array;
}

/** Fits a classifier on rows x [n, d] and labels 0..classes-1. */
export function fitGbtClassifier(
  x: Float64Array,
  d: number,
  labels: Int32Array,
  classes: number,
  options: GbtOptions = {},
): GbtModel {
  const n = labels.length;
  const counts = new Float64Array(classes);
  for (const l of labels) counts[l]++;
  const present = Array.from(counts.keys()).filter((c) => counts[c] > 0);
  const init = Float64Array.from(counts, (c) =>
    c > 0 ? Math.log(c / n) : Number.NEGATIVE_INFINITY,
  );
  const prepared = prepare(x, d, options.maxBins ?? Number.POSITIVE_INFINITY);
  const lr = options.learningRate ?? 0.1;
  const raw = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) raw.set(init, i * classes);
  const importance = new Float64Array(d);
  const trees: (Tree | null)[][] = [];
  const factor = (present.length - 1) / present.length;
  const residual = new Float64Array(n);
  const hess = new Float64Array(n);
  const prob = new Float64Array(n * classes);
  for (let stage = 0; stage < (options.stages ?? 100) && present.length > 1; stage++) {
    softmaxRows(raw, classes, prob);
    const row: (Tree | null)[] = new Array(classes).fill(null);
    for (const c of present) {
      for (let i = 0; i < n; i++) {
        const r = (labels[i] === c ? 1 : 0) - prob[i * classes + c];
        residual[i] = r;
        hess[i] = Math.abs(r) * (1 - Math.abs(r));
      }
      const { tree, leafOf } = fitTree(prepared, d, residual, hess, factor, options, importance);
      for (let i = 0; i < n; i++) raw[i * classes + c] += lr * tree.value[leafOf[i]];
      row[c] = tree;
    }
    trees.push(row);
  }
  return {
    kind: "classification",
    outputs: classes,
    init,
    trees,
    learningRate: lr,
    importance: normalise(importance),
  };
}

/** Fits a least-squares regressor on rows x [n, d] and targets y [n]. */
export function fitGbtRegressor(
  x: Float64Array,
  d: number,
  y: Float64Array,
  options: GbtOptions = {},
): GbtModel {
  const n = y.length;
  let mean = 0;
  for (const v of y) mean += v / n;
  const prepared = prepare(x, d, options.maxBins ?? Number.POSITIVE_INFINITY);
  const lr = options.learningRate ?? 0.1;
  const raw = new Float64Array(n).fill(mean);
  const importance = new Float64Array(d);
  const trees: (Tree | null)[][] = [];
  const residual = new Float64Array(n);
  const hess = new Float64Array(n).fill(1);
  for (let stage = 0; stage < (options.stages ?? 100); stage++) {
    for (let i = 0; i < n; i++) residual[i] = y[i] - raw[i];
    const { tree, leafOf } = fitTree(prepared, d, residual, hess, 1, options, importance);
    for (let i = 0; i < n; i++) raw[i] += lr * tree.value[leafOf[i]];
    trees.push([tree]);
  }
  return {
    kind: "regression",
    outputs: 1,
    init: Float64Array.of(mean),
    trees,
    learningRate: lr,
    importance: normalise(importance),
  };
}

/** Raw scores [n, outputs]: class log-odds up to a constant, or the regression prediction. */
export function gbtPredictRaw(model: GbtModel, x: Float64Array, d: number): Float64Array {
  const n = x.length / d;
  const k = model.outputs;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    out.set(model.init, i * k);
    for (const stage of model.trees) {
      for (let c = 0; c < k; c++) {
        const tree = stage[c];
        if (tree === null) continue;
        let node = 0;
        while (tree.feature[node] >= 0) {
          node =
            x[i * d + tree.feature[node]] <= tree.threshold[node]
              ? tree.left[node]
              : tree.right[node];
        }
        out[i * k + c] += model.learningRate * tree.value[node];
      }
    }
  }
  return out;
}

/** The highest-scoring class of each row (ties to the lower class). */
export function gbtPredictClass(model: GbtModel, x: Float64Array, d: number): Int32Array {
  const raw = gbtPredictRaw(model, x, d);
  const k = model.outputs;
  const out = new Int32Array(raw.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (raw[i * k + c] > raw[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Values closer than this are one value to the split search (sklearn's FEATURE_THRESHOLD). */
const SAME_VALUE = 1e-7;

function prepare(x: Float64Array, d: number, maxBins: number): Prepared {
  if (!(Number.isInteger(maxBins) || maxBins === Number.POSITIVE_INFINITY) || maxBins < 2) {
    throw new RangeError(`maxBins must be a whole number >= 2 or Infinity, got ${maxBins}`);
  }
  const n = x.length / d;
  const binned = new Int32Array(n * d);
  const order = new Int32Array(n * d);
  const values: Float64Array[] = [];
  const exact: boolean[] = [];
  for (let j = 0; j < d; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = x[i * d + j];
    const rows = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => col[a] - col[b]);
    order.set(rows, j * n);
    const distinct: number[] = [];
    for (let t = 0; t < n; t++) {
      const v = col[rows[t]];
      if (t === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
      binned[rows[t] * d + j] = distinct.length - 1;
    }
    if (distinct.length <= maxBins) {
      values.push(Float64Array.from(distinct));
      exact.push(true);
      continue;
    }
    const cuts: number[] = [];
    for (let q = 1; q < maxBins; q++) {
      const t = Math.floor((q * n) / maxBins);
      const lo = col[rows[t - 1]];
      const hi = col[rows[t]];
      if (lo === hi) continue;
      const m = midpoint(lo, hi);
      if (cuts.length === 0 || m > cuts[cuts.length - 1]) cuts.push(m);
    }
    // bin = the number of cuts below the value
    let b = 0;
    for (let t = 0; t < n; t++) {
      const v = col[rows[t]];
      while (b < cuts.length && cuts[b] < v) b++;
      binned[rows[t] * d + j] = b;
    }
    values.push(Float64Array.from(cuts));
    exact.push(false);
  }
  const sortedBin = new Int32Array(n * d);
  for (let j = 0; j < d; j++) {
    for (let t = 0; t < n; t++) sortedBin[j * n + t] = binned[order[j * n + t] * d + j];
  }
  return { binned, order, sortedBin, values, exact };
}

/** The midpoint of a < b as sklearn computes it, a when that rounds up to b. */
function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m < b ? m : a;
}

/**
 * Grows one tree, level by level, on the residuals; leaf values are
 * scale * sum(residual) / sum(hess). Adds each split's gain to `importance`.
 */
function fitTree(
  prepared: Prepared,
  d: number,
  residual: Float64Array,
  hess: Float64Array,
  scale: number,
  options: GbtOptions,
  importance: Float64Array,
): { tree: Tree; leafOf: Int32Array } {
  const { binned, order, sortedBin, values, exact } = prepared;
  const n = residual.length;
  const maxDepth = options.maxDepth ?? 3;
  const feature: number[] = [-1];
  const threshold: number[] = [0];
  const splitBin: number[] = [0];
  const left: number[] = [-1];
  const right: number[] = [-1];
  const nodeOf = new Int32Array(n); // every row starts at the root
  const slotOf = new Int32Array(n);
  let level = [0];
  // Tied features that split a node's rows differently (common while residuals take few
  // values) are told apart by the partition itself, not by feature order: the smaller sum of
  // fixed per-row weights over the two sides, least first.
  const canonicalSplit = (tied: number[], featureBin: Int32Array, node: number): number => {
    let best = tied[0];
    let bestKey = Number.POSITIVE_INFINITY;
    for (const j of tied) {
      let left = 0;
      let all = 0;
      for (let i = 0; i < n; i++) {
        if (nodeOf[i] !== node) continue;
        const w = rowWeight(i);
        all += w;
        if (binned[i * d + j] <= featureBin[j]) left += w;
      }
      const key = Math.min(left, all - left);
      if (key < bestKey) {
        bestKey = key;
        best = j;
      }
    }
    return best;
  };
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const m = level.length;
    const slotOfNode = new Int32Array(feature.length).fill(-1);
    for (const [s, node] of level.entries()) slotOfNode[node] = s;
    const total = new Float64Array(m);
    const totalCount = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const s = slotOfNode[nodeOf[i]];
      slotOf[i] = s;
      if (s < 0) continue;
      total[s] += residual[i];
      totalCount[s]++;
    }
    const parent = Float64Array.from(total, (t, s) => (t * t) / totalCount[s]);
    const gainOf = new Float64Array(m * d).fill(Number.NEGATIVE_INFINITY);
    const binOf = new Int32Array(m * d);
    const nextOf = new Int32Array(m * d);
    // One pass per feature over the rows in value order: each node's running left side, and
    // a candidate wherever the node's bin changes (between the node's adjacent values).
    const cl = new Float64Array(m);
    const sl = new Float64Array(m);
    const last = new Int32Array(m);
    for (let j = 0; j < d; j++) {
      cl.fill(0);
      sl.fill(0);
      last.fill(-1);
      const v = values[j];
      const ex = exact[j];
      for (let t = 0; t < n; t++) {
        const i = order[j * n + t];
        const s = slotOf[i];
        if (s < 0) continue;
        const b = sortedBin[j * n + t];
        const lb = last[s];
        if (lb >= 0 && b !== lb && (!ex || v[b] > v[lb] + SAME_VALUE)) {
          const sr = total[s] - sl[s];
          const gain = (sl[s] * sl[s]) / cl[s] + (sr * sr) / (totalCount[s] - cl[s]) - parent[s];
          const h = s * d + j;
          if (gain > gainOf[h]) {
            gainOf[h] = gain;
            binOf[h] = lb;
            nextOf[h] = b;
          }
        }
        cl[s]++;
        sl[s] += residual[i];
        last[s] = b;
      }
    }
    const next: number[] = [];
    for (const [s, node] of level.entries()) {
      const minGain = 1e-12 * Math.max(1, (total[s] * total[s]) / Math.max(1, totalCount[s]));
      const featureGain = gainOf.subarray(s * d, s * d + d);
      const featureBin = binOf.subarray(s * d, s * d + d);
      const bestGain = Math.max(...featureGain);
      if (!(bestGain > minGain)) continue;
      // Features tied for the best split (equal to rounding) share its importance, so that
      // importances do not depend on the order of the features.
      const tied = Array.from(featureGain.keys()).filter(
        (j) => featureGain[j] >= bestGain - 1e-9 * bestGain,
      );
      for (const j of tied) importance[j] += bestGain / tied.length;
      const f = tied.length === 1 ? tied[0] : canonicalSplit(tied, featureBin, node);
      const b = featureBin[f];
      feature[node] = f;
      splitBin[node] = b;
      threshold[node] = exact[f]
        ? midpoint(values[f][b], values[f][nextOf[s * d + f]])
        : values[f][b];
      left[node] = feature.length;
      right[node] = feature.length + 1;
      for (let c = 0; c < 2; c++) {
        next.push(feature.length);
        feature.push(-1);
        threshold.push(0);
        splitBin.push(0);
        left.push(-1);
        right.push(-1);
      }
    }
    for (let i = 0; i < n; i++) {
      const node = nodeOf[i];
      const f = feature[node];
      if (f >= 0) nodeOf[i] = binned[i * d + f] <= splitBin[node] ? left[node] : right[node];
    }
    level = next;
  }
  const nodes = feature.length;
  const sumR = new Float64Array(nodes);
  const sumH = new Float64Array(nodes);
  for (let i = 0; i < n; i++) {
    sumR[nodeOf[i]] += residual[i];
    sumH[nodeOf[i]] += hess[i];
  }
  const value = new Float64Array(nodes);
  for (let v = 0; v < nodes; v++) {
    value[v] = Math.abs(sumH[v]) < 1e-150 ? 0 : (scale * sumR[v]) / sumH[v];
  }
  return {
    tree: {
      feature: Int32Array.from(feature),
      threshold: Float64Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value,
    },
    leafOf: nodeOf,
  };
}

/** A fixed pseudo-random weight in [0, 1) for row i (Knuth's multiplicative hash). */
function rowWeight(i: number): number {
  return (Math.imul(i + 1, 2654435761) >>> 0) / 4294967296;
}

function softmaxRows(raw: Float64Array, k: number, out: Float64Array): void {
  for (let i = 0; i < raw.length; i += k) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) max = Math.max(max, raw[i + c]);
    let total = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(raw[i + c] - max);
      out[i + c] = e;
      total += e;
    }
    for (let c = 0; c < k; c++) out[i + c] /= total;
  }
}

function normalise(v: Float64Array): Float64Array {
  let total = 0;
  for (const x of v) total += x;
  return total > 0 ? v.map((x) => x / total) : v;
}
