/**
 * Exact t-SNE (van der Maaten & Hinton 2008, "Visualizing Data using t-SNE", JMLR 9:2579-2605)
 * with scikit-learn's definitions (`sklearn.manifold.TSNE(method="exact")`, checked against
 * 1.2.1 by `tools/golden/viz_tsne.py`):
 *
 * - input affinities: squared Euclidean distances rounded to float32, a Gaussian conditional
 *   p(j|i) per point whose precision beta_i = 1/(2 sigma_i^2) is found by sklearn's binary search
 *   (`_binary_search_perplexity`: beta starts at 1, doubles/halves until bracketed, then
 *   bisects; entropy in nats within 1e-5 of log(perplexity), at most 100 steps), then
 *   P = (P + P^T) / sum, entries floored at float64 machine epsilon (2.2e-16) as sklearn's
 *   `_joint_probabilities` does;
 * - Student-t (one degree of freedom) Q, KL(P || Q) objective and its exact O(N^2) gradient
 *   4 sum_j (p_ij - q_ij)(1 + |y_i - y_j|^2)^-1 (y_i - y_j), with q_ij floored at 2.2e-16;
 * - sklearn's `_gradient_descent`: early exaggeration for the first 250 iterations at momentum
 *   0.5, then momentum 0.8 with fresh updates and gains; delta-bar-delta gains (+0.2 where the
 *   update and gradient disagree in sign, x0.8 otherwise, floored at 0.01); learning rate
 *   "auto" = max(N / earlyExaggeration / 4, 50); every 50 iterations the KL and the norm of the
 *   gain-scaled gradient are checked: stop after 250 (first phase) / 300 (second phase)
 *   iterations without progress, or when the norm is <= 1e-7. The KL reported is the one
 *   sklearn reports as `kl_divergence_`: that of the last iterate before its final update.
 * - init "pca": the first two principal components, signs as sklearn's `svd_flip` (the largest
 *   |value| of each projected column positive), scaled so the first has standard deviation
 *   1e-4; "random": N(0, 1e-4^2) draws from our own seeded generator.
 *
 * Where it departs from sklearn:
 * - the optimiser runs on the engine in float32 throughout (sklearn keeps the embedding,
 *   updates and gains in float32 but forms P, Q and the gradient in float64); the input
 *   affinities are computed in float64 here, as sklearn does;
 * - the principal components come from an exact eigendecomposition of the covariance (Jacobi)
 *   rather than sklearn's randomized SVD, so `init: "pca"` is deterministic and seed-free;
 * - random init draws from `src/data/random.ts`, so a seed does not reproduce sklearn's
 *   `random_state` embedding;
 * - only the Euclidean metric, two output dimensions and the exact (not Barnes-Hut) method.
 *
 * One jitted step (distances, Q, gradient, gains, momentum update) is traced once per N and
 * reused for every iteration; memory is a few N x N float32 matrices (16 MB each at N = 2000).
 */
import { Rng } from "../data/random.ts";
import { type Array, jit, numpy as np } from "../engine/jax.ts";

export interface TsneOptions {
  /** Effective number of neighbours of each point's Gaussian conditional (sklearn: 30). */
  perplexity?: number;
  /** Factor on P during the first 250 iterations (sklearn: 12). */
  earlyExaggeration?: number;
  /** Step size, or "auto" = max(N / earlyExaggeration / 4, 50) (sklearn >= 1.2 default). */
  learningRate?: number | "auto";
  /** Total iterations including the 250 exaggerated ones, at least 250 (sklearn: 1000). */
  maxIter?: number;
  /** Seed for `init: "random"`; PCA init uses none. */
  seed?: number;
  init?: "pca" | "random";
  /** Called after every iteration with (iterations done, maxIter). */
  onProgress?: (iteration: number, total: number) => void;
}

export interface TsneResult {
  /** Row-major [n, 2]. */
  embedding: Float64Array;
  /** KL(P || Q) of the last iterate before the final update (sklearn's `kl_divergence_`). */
  kl: number;
}

/** The option defaults: sklearn's TSNE defaults (>= 1.2). */
export const TSNE_DEFAULTS = {
  perplexity: 30,
  earlyExaggeration: 12,
  learningRate: "auto",
  maxIter: 1000,
  seed: 0,
  init: "pca",
} as const satisfies Required<Omit<TsneOptions, "onProgress">>;

/** sklearn's fixed optimiser constants (`TSNE._EXPLORATION_N_ITER`, `_gradient_descent`). */
const EXPLORATION_ITER = 250;
const MOMENTUM_EXPLORATION = 0.5;
const MOMENTUM_FINAL = 0.8;
const CHECK_EVERY = 50;
const WITHOUT_PROGRESS_FINAL = 300;
const MIN_GRAD_NORM = 1e-7;
const MIN_GAIN = 0.01;
const INIT_STD = 1e-4;
/** np.finfo(np.double).eps: sklearn's floor on P and Q. */
const MACHINE_EPSILON = 2.220446049250313e-16;
/** `_binary_search_perplexity`'s tolerance on the entropy (nats), step limit, empty-row floor. */
const PERPLEXITY_TOLERANCE = 1e-5;
const PERPLEXITY_STEPS = 100;
const EPSILON_DBL = 1e-8;

function checkInput(points: ArrayLike<number>, n: number, dims: number): void {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`n must be an integer >= 2, got ${n}`);
  if (!(Number.isInteger(dims) && dims >= 1)) {
    throw new RangeError(`dims must be a positive integer, got ${dims}`);
  }
  if (points.length !== n * dims) {
    throw new RangeError(`points: ${points.length} values, expected n * dims = ${n * dims}`);
  }
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i]))
      throw new RangeError(`points[${i}] = ${points[i]} is not finite`);
  }
}

/** Squared Euclidean distances [n, n] (float64), zero on the diagonal. */
export function squaredDistances(points: ArrayLike<number>, n: number, dims: number): Float64Array {
  checkInput(points, n, dims);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dims; k++) {
        const t = points[i * dims + k] - points[j * dims + k];
        s += t * t;
      }
      d[i * n + j] = s;
      d[j * n + i] = s;
    }
  }
  return d;
}

/**
 * The conditionals p(j|i) [n, n] (row-major, rows sum to 1, zero diagonal) and each row's
 * precision beta_i = 1/(2 sigma_i^2), as sklearn's `_binary_search_perplexity` on the squared
 * distances rounded to float32.
 */
export function conditionalAffinities(
  points: ArrayLike<number>,
  n: number,
  dims: number,
  perplexity: number = TSNE_DEFAULTS.perplexity,
): { p: Float64Array; beta: Float64Array } {
  if (!(Number.isFinite(perplexity) && perplexity > 0 && perplexity < n)) {
    throw new RangeError(`perplexity must be in (0, n = ${n}), got ${perplexity}`);
  }
  const d = squaredDistances(points, n, dims);
  for (let i = 0; i < d.length; i++) d[i] = Math.fround(d[i]);
  const p = new Float64Array(n * n);
  const beta = new Float64Array(n);
  const desiredEntropy = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const row = d.subarray(i * n, (i + 1) * n);
    const pr = p.subarray(i * n, (i + 1) * n);
    let betaMin = Number.NEGATIVE_INFINITY;
    let betaMax = Number.POSITIVE_INFINITY;
    let b = 1;
    for (let step = 0; step < PERPLEXITY_STEPS; step++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        pr[j] = Math.exp(-row[j] * b);
        sum += pr[j];
      }
      if (sum === 0) sum = EPSILON_DBL;
      let sumDistP = 0;
      for (let j = 0; j < n; j++) {
        pr[j] /= sum;
        sumDistP += row[j] * pr[j];
      }
      const entropyDiff = Math.log(sum) + b * sumDistP - desiredEntropy;
      if (Math.abs(entropyDiff) <= PERPLEXITY_TOLERANCE) break;
      if (entropyDiff > 0) {
        betaMin = b;
        b = betaMax === Number.POSITIVE_INFINITY ? b * 2 : (b + betaMax) / 2;
      } else {
        betaMax = b;
        b = betaMin === Number.NEGATIVE_INFINITY ? b / 2 : (b + betaMin) / 2;
      }
    }
    beta[i] = b;
  }
  return { p, beta };
}

/**
 * The joint P [n, n]: (p(j|i) + p(i|j)) / sum over all pairs, off-diagonal entries floored at
 * 2.2e-16 and the diagonal zero (sklearn's condensed `_joint_probabilities`, squared).
 */
export function jointAffinities(
  points: ArrayLike<number>,
  n: number,
  dims: number,
  perplexity: number = TSNE_DEFAULTS.perplexity,
): Float64Array {
  const { p } = conditionalAffinities(points, n, dims, perplexity);
  let total = 0;
  for (let i = 0; i < n * n; i++) total += p[i];
  // sum(P + P^T) = 2 sum(P).
  const scale = 1 / Math.max(2 * total, MACHINE_EPSILON);
  const joint = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((p[i * n + j] + p[j * n + i]) * scale, MACHINE_EPSILON);
      joint[i * n + j] = v;
      joint[j * n + i] = v;
    }
  }
  return joint;
}

/** Eigenvectors of a symmetric [d, d] matrix by cyclic Jacobi rotations, largest eigenvalue first. */
function symmetricEigen(
  a: Float64Array,
  d: number,
): { values: Float64Array; vectors: Float64Array[] } {
  const m = Float64Array.from(a);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < d; i++) {
      diag += m[i * d + i] ** 2;
      for (let j = i + 1; j < d; j++) off += m[i * d + j] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (apq === 0) continue;
        const theta = (m[q * d + q] - m[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const mkp = m[k * d + p];
          const mkq = m[k * d + q];
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          const mpk = m[p * d + k];
          const mqk = m[q * d + k];
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Int32Array.from({ length: d }, (_, i) => i)].sort(
    (i, j) => m[j * d + j] - m[i * d + i],
  );
  return {
    values: Float64Array.from(order, (i) => m[i * d + i]),
    vectors: order.map((c) => Float64Array.from({ length: d }, (_, k) => v[k * d + c])),
  };
}

/** sklearn's PCA init: two principal components, svd_flip signs, std of the first = 1e-4. [2, n] float32. */
function pcaInit(points: ArrayLike<number>, n: number, dims: number): Float32Array {
  if (dims < 2) throw new RangeError(`init "pca" needs dims >= 2 (two components), got ${dims}`);
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let k = 0; k < dims; k++) mean[k] += points[i * dims + k] / n;
  const cov = new Float64Array(dims * dims);
  const row = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dims; k++) row[k] = points[i * dims + k] - mean[k];
    for (let a = 0; a < dims; a++)
      for (let b = a; b < dims; b++) cov[a * dims + b] += row[a] * row[b];
  }
  for (let a = 0; a < dims; a++) for (let b = 0; b < a; b++) cov[a * dims + b] = cov[b * dims + a];
  const { vectors } = symmetricEigen(cov, dims);
  const projected = [new Float64Array(n), new Float64Array(n)];
  for (let c = 0; c < 2; c++) {
    const w = vectors[c];
    let largest = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < dims; k++) s += (points[i * dims + k] - mean[k]) * w[k];
      projected[c][i] = s;
      if (Math.abs(s) > Math.abs(largest)) largest = s;
    }
    if (largest < 0) for (let i = 0; i < n; i++) projected[c][i] = -projected[c][i];
  }
  // sklearn rounds the projection to float32, then divides by np.std of its first column.
  const y = Float32Array.from({ length: 2 * n }, (_, k) => projected[k < n ? 0 : 1][k % n]);
  let m0 = 0;
  for (let i = 0; i < n; i++) m0 += y[i] / n;
  let v0 = 0;
  for (let i = 0; i < n; i++) v0 += (y[i] - m0) ** 2 / n;
  const scale = v0 > 0 ? INIT_STD / Math.sqrt(v0) : 1;
  for (let k = 0; k < 2 * n; k++) y[k] *= scale;
  return y;
}

/** N(0, 1e-4^2) draws (Box-Muller on our seeded generator), [2, n] float32. */
function randomInit(n: number, seed: number): Float32Array {
  const rng = new Rng(seed, 0x75e);
  const y = new Float32Array(2 * n);
  for (let k = 0; k < 2 * n; k += 2) {
    const u = 1 - rng.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u)) * INIT_STD;
    const angle = 2 * Math.PI * rng.nextFloat();
    y[k] = r * Math.cos(angle);
    if (k + 1 < 2 * n) y[k + 1] = r * Math.sin(angle);
  }
  return y;
}

/** (1 + |y_i - y_j|^2)^-1 for y [2, n]: [n, n], diagonal 1. */
function studentKernel(y: Array): Array {
  const n = y.shape[1];
  const y0 = y.ref.slice([0, 1]);
  const y1 = y.slice([1, 2]);
  const d0 = y0.ref.reshape([n, 1]).sub(y0);
  const d1 = y1.ref.reshape([n, 1]).sub(y1);
  return np.reciprocal(np.square(d0).add(np.square(d1)).add(1));
}

/** q_ij = max(num_ij / sum_{k != l} num_kl, eps), consuming `num` (diagonal included, ignored downstream). */
function studentQ(num: Array): Array {
  const n = num.shape[0];
  const z = np.sum(num.ref).sub(n);
  return np.maximum(num.mul(np.reciprocal(z)), MACHINE_EPSILON);
}

/**
 * One iteration of sklearn's `_gradient_descent` on `_kl_divergence`: y, update, gains [2, n];
 * p [n, n] (zero diagonal); scalars [exaggeration, momentum, learningRate]. Returns the new
 * y, update, gains and the squared norm of the gain-scaled gradient.
 */
const tsneStep = jit((y: Array, update: Array, gains: Array, p: Array, scalars: Array) => {
  const n = y.shape[1];
  const exaggeration = scalars.ref.slice([0, 1]);
  const momentum = scalars.ref.slice([1, 2]);
  const learningRate = scalars.slice([2, 3]);
  const num = studentKernel(y.ref);
  const q = studentQ(num.ref);
  // (p_ij - q_ij) num_ij; its diagonal multiplies y_i - y_i = 0 and drops out.
  const pqd = p.mul(exaggeration).sub(q).mul(num);
  const rows = np.sum(pqd.ref, 1).reshape([1, n]);
  const pqdY = np.matmul(pqd, y.ref.transpose()).transpose(); // [2, n]
  const grad = y.ref.mul(rows).sub(pqdY).mul(4);
  const increase = update.ref.mul(grad.ref).less(0);
  const newGains = np.maximum(np.where(increase, gains.ref.add(0.2), gains.mul(0.8)), MIN_GAIN);
  const scaled = grad.mul(newGains.ref);
  const normSq = np.sum(np.square(scaled.ref));
  const newUpdate = update.mul(momentum).sub(scaled.mul(learningRate));
  return [y.add(newUpdate.ref), newUpdate, newGains, normSq];
});

/** Per row i: sum_j P'_ij log(max(P'_ij, eps) / q_ij) with P' = exaggeration * P: [n]. */
const klRows = jit((y: Array, p: Array, exaggeration: Array) => {
  const q = studentQ(studentKernel(y));
  const pe = p.mul(exaggeration);
  const terms = pe.ref.mul(np.log(np.maximum(pe, MACHINE_EPSILON)).sub(np.log(q)));
  return np.sum(terms, 1);
});

function resolveOptions(options: TsneOptions, n: number) {
  const o = { ...TSNE_DEFAULTS, ...stripUndefined(options) };
  const bad = (field: string, value: unknown, expected: string) =>
    new RangeError(`tsne: ${field} = ${String(value)}, expected ${expected}`);
  if (!(Number.isFinite(o.earlyExaggeration) && o.earlyExaggeration >= 1)) {
    throw bad("earlyExaggeration", o.earlyExaggeration, "a number >= 1");
  }
  const learningRate =
    o.learningRate === "auto" ? Math.max(n / o.earlyExaggeration / 4, 50) : o.learningRate;
  if (!(Number.isFinite(learningRate) && learningRate > 0)) {
    throw bad("learningRate", o.learningRate, `a positive number or "auto"`);
  }
  if (!(Number.isInteger(o.maxIter) && o.maxIter >= EXPLORATION_ITER)) {
    throw bad("maxIter", o.maxIter, `an integer >= ${EXPLORATION_ITER}`);
  }
  if (o.init !== "pca" && o.init !== "random") throw bad("init", o.init, `"pca" or "random"`);
  if (!Number.isFinite(o.seed)) throw bad("seed", o.seed, "a finite number");
  return { ...o, learningRate };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Exact t-SNE of `n` points of `dims` dimensions (row-major) to two dimensions. See the module
 * comment for the algorithm, its sklearn references and where it departs from sklearn.
 */
export async function tsne(
  points: Float32Array | Float64Array,
  n: number,
  dims: number,
  options: TsneOptions = {},
): Promise<TsneResult> {
  checkInput(points, n, dims);
  const o = resolveOptions(options, n);
  const joint = jointAffinities(points, n, dims, o.perplexity);
  const init = o.init === "pca" ? pcaInit(points, n, dims) : randomInit(n, o.seed);

  const p = np.array(Float32Array.from(joint), { shape: [n, n] });
  let y = np.array(init, { shape: [2, n] });
  let kl = Number.NaN;
  try {
    /** One run of `_gradient_descent` from iteration `start` up to `stop` (exclusive). */
    const phase = async (
      start: number,
      stop: number,
      momentum: number,
      exaggeration: number,
      withoutProgress: number,
    ): Promise<number> => {
      let update = np.zeros([2, n]);
      let gains = np.ones([2, n]);
      const scalars = np.array([exaggeration, momentum, o.learningRate]);
      const exaggerationArray = np.array([exaggeration]);
      let best = Number.POSITIVE_INFINITY;
      let bestIter = start;
      let i = start;
      try {
        for (; i < stop; i++) {
          const check = (i + 1) % CHECK_EVERY === 0;
          if (check || i === stop - 1) {
            const rows = await klRows(y.ref, p.ref, exaggerationArray.ref).data();
            kl = 0;
            for (const r of rows) kl += r;
          }
          let normSq: Array;
          [y, update, gains, normSq] = tsneStep(y, update, gains, p.ref, scalars.ref) as Array[];
          o.onProgress?.(i + 1, o.maxIter);
          if (check) {
            const gradNorm = Math.sqrt((await normSq.data())[0]);
            if (kl < best) {
              best = kl;
              bestIter = i;
            } else if (i - bestIter > withoutProgress) {
              break;
            }
            if (gradNorm <= MIN_GRAD_NORM) break;
          } else {
            normSq.dispose();
            // Waiting here keeps the engine's queue (and its N x N temporaries) one step deep.
            await y.ref.data();
          }
        }
      } finally {
        update.dispose();
        gains.dispose();
        scalars.dispose();
        exaggerationArray.dispose();
      }
      return Math.min(i, stop - 1);
    };

    const it = await phase(
      0,
      EXPLORATION_ITER,
      MOMENTUM_EXPLORATION,
      o.earlyExaggeration,
      EXPLORATION_ITER,
    );
    if (it + 1 < o.maxIter) {
      await phase(it + 1, o.maxIter, MOMENTUM_FINAL, 1, WITHOUT_PROGRESS_FINAL);
    }
    const yData = await y.ref.data();
    const embedding = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      embedding[2 * i] = yData[i];
      embedding[2 * i + 1] = yData[n + i];
    }
    return { embedding, kl };
  } finally {
    y.dispose();
    p.dispose();
  }
}
