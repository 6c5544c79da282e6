/**
 * A linear support vector classifier with the squared hinge loss and an L2 penalty, as
 * scikit-learn's `LinearSVC` (which calls LIBLINEAR: Fan, Chang, Hsieh, Wang & Lin, "LIBLINEAR:
 * a library for large linear classification", JMLR 9, 2008; its default solver is the dual
 * coordinate descent of Hsieh, Chang, Lin, Keerthi & Sundararajan, "A dual coordinate descent
 * method for large-scale linear SVM", ICML 2008). For labels y_i in {-1, +1} each binary
 * problem is
 *
 *   min_w  1/2 |w|^2 + sum_i C_i max(0, 1 - y_i w.x_i)^2,
 *
 * where x_i carries an extra feature of value 1 (intercept_scaling = 1) whose weight is the
 * intercept, penalised like the others, as LIBLINEAR does. With `classWeight: "balanced"`,
 * class c weighs n / (k count_c) over the k classes present (sklearn's
 * `compute_class_weight`). Two classes: one problem, the higher class positive, every row
 * weighted C * weight(class). More: one-vs-rest, one problem per class, predicting the class
 * of the largest decision value (ties to the lower class); as in LIBLINEAR's one-vs-rest, only
 * the positive class's rows are weighted (C * weight(c)) while the rest keep C.
 *
 * Where this departs from LIBLINEAR: it solves the same strictly convex primal problem, but
 * to the optimum (to rounding), by generalised Newton steps (the loss is once differentiable
 * and piecewise quadratic; Mangasarian, "A finite Newton method for classification", 2002;
 * Keerthi & DeCoste, JMLR 6, 2005) with a line search, instead of dual coordinate descent in
 * random order stopped at a projected-gradient tolerance (tol 1e-4). So the result is
 * deterministic and is LIBLINEAR's up to LIBLINEAR's own stopping error; predictions differ
 * only for points within that error of a decision boundary. Each Newton step solves a
 * (d+1)x(d+1) system, so this is meant for few features (SAP fits one code at a time).
 * A single class in the training rows (which sklearn refuses) predicts that class.
 */

export interface LinearSvcOptions {
  /** Inverse regularisation strength C. Default 1 (sklearn's default). */
  c?: number;
  /** "balanced": C_i = C n / (k count_{y_i}). Default: no class weights. */
  classWeight?: "balanced";
}

export interface LinearSvcModel {
  /** The labels present in the training rows, increasing. */
  classes: Int32Array;
  /** Features per row. */
  dims: number;
  /** Weights [problems, dims]: one problem for two classes, else one per class; row-major. */
  coef: Float64Array;
  /** Intercept of each problem. */
  intercept: Float64Array;
}

/** Fits on rows x [n, d] (row-major) with integer labels. */
export function fitLinearSvc(
  x: ArrayLike<number>,
  d: number,
  labels: ArrayLike<number>,
  options: LinearSvcOptions = {},
): LinearSvcModel {
  const n = labels.length;
  if (x.length !== n * d) {
    throw new RangeError(`x holds ${x.length} values, expected ${n} rows * ${d} features`);
  }
  const c = options.c ?? 1;
  if (!(c > 0) || !Number.isFinite(c)) throw new RangeError(`C must be positive, got ${c}`);
  const classes = Int32Array.from(new Set(Array.from(labels))).sort();
  const index = new Map(Array.from(classes, (l, i) => [l, i]));
  const y = Int32Array.from(labels, (l) => index.get(l) as number);
  const k = classes.length;
  const count = new Float64Array(k);
  for (const l of y) count[l]++;
  const weight = Float64Array.from(count, (m) =>
    options.classWeight === "balanced" ? n / (k * m) : 1,
  );
  const problems = k === 2 ? 1 : k < 2 ? 0 : k;
  const coef = new Float64Array(problems * d);
  const intercept = new Float64Array(problems);
  const sign = new Float64Array(n);
  const cost = new Float64Array(n);
  for (let p = 0; p < problems; p++) {
    const positive = k === 2 ? 1 : p;
    for (let i = 0; i < n; i++) {
      sign[i] = y[i] === positive ? 1 : -1;
      cost[i] = k === 2 || y[i] === positive ? c * weight[y[i]] : c;
    }
    const w = solvePrimal(x, d, sign, cost);
    coef.set(w.subarray(0, d), p * d);
    intercept[p] = w[d];
  }
  return { classes, dims: d, coef, intercept };
}

/** Decision values [n, problems] of rows x [n, d]. */
export function linearSvcDecision(model: LinearSvcModel, x: ArrayLike<number>): Float64Array {
  const d = model.dims;
  const n = x.length / d;
  const problems = model.intercept.length;
  const out = new Float64Array(n * problems);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < problems; p++) {
      let s = model.intercept[p];
      for (let j = 0; j < d; j++) s += model.coef[p * d + j] * x[i * d + j];
      out[i * problems + p] = s;
    }
  }
  return out;
}

/** Predicted labels of rows x [n, d]. */
export function linearSvcPredict(model: LinearSvcModel, x: ArrayLike<number>): Int32Array {
  const n = x.length / model.dims;
  const out = new Int32Array(n);
  const problems = model.intercept.length;
  if (problems === 0) return out.fill(model.classes[0] ?? 0);
  const f = linearSvcDecision(model, x);
  for (let i = 0; i < n; i++) {
    if (problems === 1) {
      out[i] = model.classes[f[i] > 0 ? 1 : 0];
      continue;
    }
    let best = 0;
    for (let p = 1; p < problems; p++) if (f[i * problems + p] > f[i * problems + best]) best = p;
    out[i] = model.classes[best];
  }
  return out;
}

/**
 * argmin_w 1/2 |w|^2 + sum_i cost_i max(0, 1 - sign_i w.(x_i, 1))^2, w of length d + 1 (the
 * last entry the intercept), by generalised Newton steps with an exact line search.
 */
function solvePrimal(
  x: ArrayLike<number>,
  d: number,
  sign: Float64Array,
  cost: Float64Array,
): Float64Array {
  const n = sign.length;
  const p = d + 1;
  const w = new Float64Array(p);
  const margin = new Float64Array(n); // 1 - sign_i w.x_i
  const along = new Float64Array(n); // sign_i s.x_i for the step s
  const feature = (i: number, j: number) => (j === d ? 1 : x[i * d + j]);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const step = new Float64Array(p);
  margin.fill(1);
  let gradScale = 0;
  for (let iter = 0; iter < 200; iter++) {
    // gradient w - 2 sum_{active} cost_i margin_i sign_i x_i; Hessian I + 2 sum_active cost_i x_i x_i^T
    grad.set(w);
    hess.fill(0);
    for (let j = 0; j < p; j++) hess[j * p + j] = 1;
    for (let i = 0; i < n; i++) {
      if (margin[i] <= 0) continue;
      const g = 2 * cost[i] * margin[i] * sign[i];
      for (let a = 0; a < p; a++) {
        const xa = feature(i, a);
        grad[a] -= g * xa;
        for (let b = 0; b <= a; b++) hess[a * p + b] += 2 * cost[i] * xa * feature(i, b);
      }
    }
    let gNorm = 0;
    for (const g of grad) gNorm = Math.max(gNorm, Math.abs(g));
    if (iter === 0) gradScale = gNorm;
    if (gNorm <= 1e-13 * Math.max(gradScale, 1e-300)) break;
    solveSymmetric(hess, p, grad, step); // step = H^-1 grad; the move is -step
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += step[j] * feature(i, j);
      along[i] = -sign[i] * s;
    }
    const t = lineSearch(w, step, margin, along, cost);
    if (!(t > 0)) break;
    let moved = 0;
    for (let j = 0; j < p; j++) {
      const before = w[j];
      w[j] -= t * step[j];
      moved = Math.max(moved, Math.abs(w[j] - before));
    }
    for (let i = 0; i < n; i++) margin[i] -= t * along[i];
    if (moved === 0) break;
  }
  return w;
}

/**
 * The minimiser t >= 0 of phi(t) = 1/2 |w - t s|^2 + sum_i cost_i max(0, m_i - t a_i)^2, a
 * convex piecewise-quadratic function; phi' is increasing and piecewise linear, and its root is
 * found by safeguarded Newton steps (bisection when a step leaves the bracket).
 */
function lineSearch(
  w: Float64Array,
  s: Float64Array,
  margin: Float64Array,
  along: Float64Array,
  cost: Float64Array,
): number {
  let ws = 0;
  let ss = 0;
  for (let j = 0; j < w.length; j++) {
    ws += w[j] * s[j];
    ss += s[j] * s[j];
  }
  const slope = (t: number): [number, number] => {
    let d1 = t * ss - ws;
    let d2 = ss;
    for (let i = 0; i < margin.length; i++) {
      const m = margin[i] - t * along[i];
      if (m > 0) {
        d1 -= 2 * cost[i] * m * along[i];
        d2 += 2 * cost[i] * along[i] * along[i];
      }
    }
    return [d1, d2];
  };
  let lo = 0;
  let hi = 1;
  const [d0] = slope(0);
  if (!(d0 < 0)) return 0;
  while (slope(hi)[0] < 0 && hi < 1e12) hi *= 2;
  let t = Math.min(1, hi);
  for (let iter = 0; iter < 100; iter++) {
    const [d1, d2] = slope(t);
    if (d1 === 0) return t;
    if (d1 < 0) lo = t;
    else hi = t;
    let next = t - d1 / d2;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-15 * Math.max(1, t)) return next;
    t = next;
  }
  return t;
}

/** Solves H s = g for a symmetric positive definite H (lower triangle filled) by Cholesky. */
function solveSymmetric(h: Float64Array, p: number, g: Float64Array, out: Float64Array): void {
  const l = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      let s = h[a * p + b];
      for (let k = 0; k < b; k++) s -= l[a * p + k] * l[b * p + k];
      l[a * p + b] = a === b ? Math.sqrt(s) : s / l[b * p + b];
    }
  }
  for (let a = 0; a < p; a++) {
    let s = g[a];
    for (let k = 0; k < a; k++) s -= l[a * p + k] * out[k];
    out[a] = s / l[a * p + a];
  }
  for (let a = p - 1; a >= 0; a--) {
    let s = out[a];
    for (let k = a + 1; k < p; k++) s -= l[k * p + a] * out[k];
    out[a] = s / l[a * p + a];
  }
}
