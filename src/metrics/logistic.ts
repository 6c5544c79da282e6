/**
 * L2-regularised logistic regression, fitted exactly by Newton's method (iteratively
 * reweighted least squares) with step halving, and its one-vs-rest multi-class form.
 * Minimises sum_i [log(1 + e^{s_i}) - y_i s_i] + ||w||^2 / (2C), s_i = w.x_i + b, the
 * intercept unpenalised; C = 1 as sklearn's `LogisticRegression` default, which
 * disentanglement_lib uses for the beta-VAE score and explicitness.
 */
import type { FactorLabels } from "./discretize.ts";

export interface LogisticModel {
  weights: Float64Array;
  bias: number;
}

export interface LogisticOptions {
  /** Inverse regularisation strength C. Default 1. */
  c?: number;
  /** Newton iterations at most. Default 100. */
  maxIterations?: number;
}

/** Fits P(y=1|x) = sigmoid(w.x + b) on rows x [n, d] and targets y in {0, 1}. */
export function fitLogistic(
  x: Float64Array,
  d: number,
  y: ArrayLike<number>,
  options: LogisticOptions = {},
): LogisticModel {
  const n = y.length;
  const c = options.c ?? 1;
  if (!(c > 0) || !Number.isFinite(c))
    throw new RangeError(`C must be a positive number, got ${c}`);
  const lambda = 1 / c;
  const maxIterations = options.maxIterations ?? 100;
  const p = d + 1; // weights, then the bias
  let theta = new Float64Array(p);
  const loss = (t: Float64Array): number => {
    let l = 0;
    for (let i = 0; i < n; i++) {
      const s = score(t, x, d, i);
      l += softplus(s) - y[i] * s;
    }
    for (let j = 0; j < d; j++) l += 0.5 * lambda * t[j] * t[j];
    return l;
  };
  let current = loss(theta);
  for (let iter = 0; iter < maxIterations; iter++) {
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    for (let i = 0; i < n; i++) {
      const prob = sigmoid(score(theta, x, d, i));
      const r = prob - y[i];
      const w = prob * (1 - prob);
      const row = i * d;
      for (let a = 0; a < p; a++) {
        const xa = a < d ? x[row + a] : 1;
        grad[a] += r * xa;
        for (let b = 0; b <= a; b++) hess[a * p + b] += w * xa * (b < d ? x[row + b] : 1);
      }
    }
    for (let j = 0; j < d; j++) {
      grad[j] += lambda * theta[j];
      hess[j * p + j] += lambda;
    }
    const step = choleskySolve(hess, p, grad);
    let t = 1;
    let next = theta;
    let nextLoss = current;
    for (let halving = 0; halving < 30; halving++) {
      const candidate = theta.map((v, j) => v - t * step[j]);
      const l = loss(candidate);
      if (l <= current) {
        next = candidate;
        nextLoss = l;
        break;
      }
      t /= 2;
    }
    let maxStep = 0;
    for (let j = 0; j < p; j++) maxStep = Math.max(maxStep, Math.abs(next[j] - theta[j]));
    const decrease = current - nextLoss;
    theta = next;
    current = nextLoss;
    if (maxStep < 1e-10 || decrease <= 1e-12 * Math.max(1, Math.abs(current))) break;
  }
  return { weights: theta.slice(0, d), bias: theta[d] };
}

/** w.x_i + b for row i of x [n, d]. */
export function logisticScore(model: LogisticModel, x: Float64Array, d: number, i: number): number {
  let s = model.bias;
  for (let j = 0; j < d; j++) s += model.weights[j] * x[i * d + j];
  return s;
}

/** One binary model per class; null for a class absent from (or the only class in) the training labels. */
export interface OneVsRest {
  classes: number;
  models: (LogisticModel | null)[];
  /** The class every training row had, when there was only one. */
  onlyClass: number | undefined;
}

export function fitOneVsRest(
  x: Float64Array,
  d: number,
  y: FactorLabels,
  options: LogisticOptions = {},
): OneVsRest {
  const counts = new Int32Array(y.classes);
  for (const l of y.labels) counts[l]++;
  const present = Array.from(counts.keys()).filter((c) => counts[c] > 0);
  if (present.length === 1) {
    return { classes: y.classes, models: new Array(y.classes).fill(null), onlyClass: present[0] };
  }
  const target = new Uint8Array(y.labels.length);
  const models = Array.from({ length: y.classes }, (_, c) => {
    if (counts[c] === 0) return null;
    for (let i = 0; i < target.length; i++) target[i] = y.labels[i] === c ? 1 : 0;
    return fitLogistic(x, d, target, options);
  });
  return { classes: y.classes, models, onlyClass: undefined };
}

/**
 * Class probabilities [n, classes] as sklearn's one-vs-rest `predict_proba`: each class's
 * sigmoid, divided by their sum over classes (absent classes get 0).
 */
export function predictProba(model: OneVsRest, x: Float64Array, d: number): Float64Array {
  const n = x.length / d;
  const k = model.classes;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    if (model.onlyClass !== undefined) {
      out[i * k + model.onlyClass] = 1;
      continue;
    }
    let total = 0;
    for (let c = 0; c < k; c++) {
      const m = model.models[c];
      const v = m === null ? 0 : sigmoid(logisticScore(m, x, d, i));
      out[i * k + c] = v;
      total += v;
    }
    for (let c = 0; c < k; c++) out[i * k + c] /= total;
  }
  return out;
}

/** The most probable class of each row (ties to the lower class). */
export function predictClass(model: OneVsRest, x: Float64Array, d: number): Int32Array {
  const k = model.classes;
  const proba = predictProba(model, x, d);
  const out = new Int32Array(proba.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

function score(theta: Float64Array, x: Float64Array, d: number, i: number): number {
  let s = theta[d];
  for (let j = 0; j < d; j++) s += theta[j] * x[i * d + j];
  return s;
}

function sigmoid(s: number): number {
  return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
}

function softplus(s: number): number {
  return s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
}

/**
 * Solves A x = b for symmetric positive (semi)definite A [p, p], of which only the lower
 * triangle is read, by Cholesky; a tiny ridge is added when A is numerically singular.
 */
function choleskySolve(a: Float64Array, p: number, b: Float64Array): Float64Array {
  let trace = 0;
  for (let i = 0; i < p; i++) trace += a[i * p + i];
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-12 * (trace / p + 1) : jitter * 10) {
    const l = new Float64Array(p * p);
    let ok = true;
    for (let i = 0; i < p && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = a[i * p + j] + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          l[i * p + i] = Math.sqrt(s);
        } else {
          l[i * p + j] = s / l[j * p + j];
        }
      }
    }
    if (!ok) {
      if (!(jitter < 1e300)) throw new RangeError("the Newton system is not a finite matrix");
      continue;
    }
    const y = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
      y[i] = s / l[i * p + i];
    }
    const out = new Float64Array(p);
    for (let i = p - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < p; k++) s -= l[k * p + i] * out[k];
      out[i] = s / l[i * p + i];
    }
    return out;
  }
}
