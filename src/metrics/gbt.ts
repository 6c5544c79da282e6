/**
 * Gradient-boosted regression trees (Friedman, "Greedy function approximation: a gradient
 * boosting machine", Ann. Statist. 2001), the regressor behind disentanglement_lib's DCI
 * (sklearn `GradientBoostingClassifier` defaults: 100 stages, learning rate 0.1, depth 3).
 * - Classification: multinomial deviance, one tree per present class per stage, fitted to the
 *   residuals y_k - p_k, leaf values (K-1)/K * sum r / sum |r|(1-|r|) (Friedman's Algorithm 6,
 *   as sklearn), initial scores the log class priors.
 * - Regression: squared error, trees fitted to y - F, leaf values the mean residual.
 * Splits maximise the squared-error reduction of the residuals, searched over at most
 * `maxBins` candidate thresholds per feature (midpoints between distinct training values,
 * thinned to quantiles when there are more), as histogram-based boosting does; sklearn's
 * exact search tries every midpoint. Feature importance is the summed split gain (the
 * weighted impurity decrease), normalised to sum to 1, as sklearn's `feature_importances_`.
 */
export interface GbtOptions {
  /** Boosting stages. Default 100. */
  stages?: number;
  /** Shrinkage. Default 0.1. */
  learningRate?: number;
  /** Depth of each tree. Default 3. */
  maxDepth?: number;
  /** Candidate thresholds per feature, at most this many bins. Default 64 (<= 256). */
  maxBins?: number;
}

interface Tree {
  feature: Int32Array;
  /** Rows whose bin is <= threshold go left. */
  threshold: Int32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** Per-feature thresholds learnt from the training rows. */
interface Binning {
  thresholds: Float64Array[];
}

export interface GbtModel {
  kind: "classification" | "regression";
  /** Output columns: the number of classes, or 1. */
  outputs: number;
  init: Float64Array;
  /** trees[stage][output], null for an absent class. */
  trees: (Tree | null)[][];
  learningRate: number;
  binning: Binning;
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
  const { binning, binned, bins } = prepare(x, d, options.maxBins ?? 64);
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
      const { tree, leafOf } = fitTree(
        binned,
        d,
        bins,
        residual,
        hess,
        factor,
        options,
        importance,
      );
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
    binning,
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
  const { binning, binned, bins } = prepare(x, d, options.maxBins ?? 64);
  const lr = options.learningRate ?? 0.1;
  const raw = new Float64Array(n).fill(mean);
  const importance = new Float64Array(d);
  const trees: (Tree | null)[][] = [];
  const residual = new Float64Array(n);
  const hess = new Float64Array(n).fill(1);
  for (let stage = 0; stage < (options.stages ?? 100); stage++) {
    for (let i = 0; i < n; i++) residual[i] = y[i] - raw[i];
    const { tree, leafOf } = fitTree(binned, d, bins, residual, hess, 1, options, importance);
    for (let i = 0; i < n; i++) raw[i] += lr * tree.value[leafOf[i]];
    trees.push([tree]);
  }
  return {
    kind: "regression",
    outputs: 1,
    init: Float64Array.of(mean),
    trees,
    learningRate: lr,
    binning,
    importance: normalise(importance),
  };
}

/** Raw scores [n, outputs]: class log-odds up to a constant, or the regression prediction. */
export function gbtPredictRaw(model: GbtModel, x: Float64Array, d: number): Float64Array {
  const binned = applyBinning(x, d, model.binning);
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
            binned[i * d + tree.feature[node]] <= tree.threshold[node]
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

function prepare(
  x: Float64Array,
  d: number,
  maxBins: number,
): { binning: Binning; binned: Uint8Array; bins: Int32Array } {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 256) {
    throw new RangeError(`maxBins must be a whole number in 2..256, got ${maxBins}`);
  }
  const n = x.length / d;
  const thresholds: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const sorted = new Float64Array(n);
    for (let i = 0; i < n; i++) sorted[i] = x[i * d + j];
    sorted.sort();
    const distinct: number[] = [];
    for (let i = 0; i < n; i++)
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    const cuts: number[] = [];
    if (distinct.length <= maxBins) {
      for (let i = 1; i < distinct.length; i++) cuts.push(midpoint(distinct[i - 1], distinct[i]));
    } else {
      for (let q = 1; q < maxBins; q++) {
        const i = Math.floor((q * n) / maxBins);
        if (sorted[i] === sorted[i - 1]) continue;
        const t = midpoint(sorted[i - 1], sorted[i]);
        if (cuts.length === 0 || t > cuts[cuts.length - 1]) cuts.push(t);
      }
    }
    thresholds.push(Float64Array.from(cuts));
  }
  const binning = { thresholds };
  return {
    binning,
    binned: applyBinning(x, d, binning),
    bins: Int32Array.from(thresholds, (t) => t.length + 1),
  };
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m < b ? m : a;
}

/** Bin of each value: the number of the feature's thresholds below it. */
function applyBinning(x: Float64Array, d: number, binning: Binning): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const t = binning.thresholds[i % d];
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid] < x[i]) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/**
 * Grows one tree, level by level, on the residuals; leaf values are
 * scale * sum(residual) / sum(hess). Adds each split's gain to `importance`.
 */
function fitTree(
  binned: Uint8Array,
  d: number,
  bins: Int32Array,
  residual: Float64Array,
  hess: Float64Array,
  scale: number,
  options: GbtOptions,
  importance: Float64Array,
): { tree: Tree; leafOf: Int32Array } {
  const n = residual.length;
  const maxDepth = options.maxDepth ?? 3;
  const maxB = Math.max(...bins);
  const feature: number[] = [-1];
  const threshold: number[] = [0];
  const left: number[] = [-1];
  const right: number[] = [-1];
  const nodeOf = new Int32Array(n); // every row starts at the root
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
    const slot = new Map(level.map((node, s) => [node, s]));
    const count = new Float64Array(level.length * d * maxB);
    const sum = new Float64Array(level.length * d * maxB);
    const total = new Float64Array(level.length);
    const totalCount = new Float64Array(level.length);
    for (let i = 0; i < n; i++) {
      const s = slot.get(nodeOf[i]);
      if (s === undefined) continue;
      const r = residual[i];
      total[s] += r;
      totalCount[s]++;
      const base = s * d * maxB;
      for (let j = 0; j < d; j++) {
        const h = base + j * maxB + binned[i * d + j];
        count[h]++;
        sum[h] += r;
      }
    }
    const next: number[] = [];
    for (const [s, node] of level.entries()) {
      const minGain = 1e-12 * Math.max(1, (total[s] * total[s]) / Math.max(1, totalCount[s]));
      const parent = (total[s] * total[s]) / totalCount[s];
      const featureGain = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
      const featureBin = new Int32Array(d);
      for (let j = 0; j < d; j++) {
        let cl = 0;
        let sl = 0;
        const base = (s * d + j) * maxB;
        for (let b = 0; b < bins[j] - 1; b++) {
          cl += count[base + b];
          sl += sum[base + b];
          const cr = totalCount[s] - cl;
          if (cl < 1 || cr < 1) continue;
          const sr = total[s] - sl;
          const gain = (sl * sl) / cl + (sr * sr) / cr - parent;
          if (gain > featureGain[j]) {
            featureGain[j] = gain;
            featureBin[j] = b;
          }
        }
      }
      const bestGain = Math.max(...featureGain);
      if (!(bestGain > minGain)) continue;
      // Features tied for the best split (equal to rounding) share its importance, so that
      // importances do not depend on the order of the features.
      const tied = Array.from(featureGain.keys()).filter(
        (j) => featureGain[j] >= bestGain - 1e-9 * bestGain,
      );
      for (const j of tied) importance[j] += bestGain / tied.length;
      const bestFeature = tied.length === 1 ? tied[0] : canonicalSplit(tied, featureBin, node);
      const bestBin = featureBin[bestFeature];
      feature[node] = bestFeature;
      threshold[node] = bestBin;
      left[node] = feature.length;
      right[node] = feature.length + 1;
      for (let c = 0; c < 2; c++) {
        next.push(feature.length);
        feature.push(-1);
        threshold.push(0);
        left.push(-1);
        right.push(-1);
      }
    }
    for (let i = 0; i < n; i++) {
      const node = nodeOf[i];
      const f = feature[node];
      if (f >= 0) nodeOf[i] = binned[i * d + f] <= threshold[node] ? left[node] : right[node];
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
      threshold: Int32Array.from(threshold),
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
