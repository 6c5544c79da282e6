/**
 * Adam (Kingma & Ba 2015, Algorithm 1) as a pure update on parameter trees, usable inside
 * `jit`. Follows `torch.optim.Adam` (1.13): L2 weight decay added to the gradient,
 * bias corrections folded into the step size and the denominator,
 *   m_t = b1 m + (1 - b1) g,  v_t = b2 v + (1 - b2) g^2,
 *   p_t = p - lr / (1 - b1^t) * m_t / (sqrt(v_t) / sqrt(1 - b2^t) + eps).
 * `decoupledWeightDecay` gives AdamW (Loshchilov & Hutter 2019, Algorithm 2, as
 * `torch.optim.AdamW`): p <- p (1 - lr wd) before the Adam step, no L2 in the gradient.
 * `clipGradNorm` rescales all gradients by min(1, c / (||g||_2 + 1e-6)) over the whole tree
 * first, as `torch.nn.utils.clip_grad_norm_` before `optimizer.step()`.
 */
import { type Array, type JsTree, numpy as np, tree } from "./jax.ts";

export interface AdamConfig {
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (torch.optim.Adam), or decoupled decay (AdamW). */
  weightDecay?: number;
  /** Apply `weightDecay` as AdamW's decoupled decay instead of as an L2 gradient term. */
  decoupledWeightDecay?: boolean;
  /** Maximum global L2 norm of the gradients (torch.nn.utils.clip_grad_norm_). */
  clipGradNorm?: number;
}

/** A type alias, not an interface, so that it is assignable to jax-js `JsTree` (jit outputs). */
export type AdamState<T> = {
  /** Number of updates taken so far, a float32 scalar (an Array so jit does not retrace). */
  step: Array;
  /** First-moment estimates, same tree as the parameters. */
  m: T;
  /** Second-moment estimates, same tree as the parameters. */
  v: T;
};

/** torch.nn.utils.clip_grad_norm_'s guard against division by zero. */
const CLIP_EPS = 1e-6;

function checkConfig(config: AdamConfig): Required<Omit<AdamConfig, "clipGradNorm">> {
  const full = {
    lr: config.lr,
    beta1: config.beta1 ?? 0.9,
    beta2: config.beta2 ?? 0.999,
    eps: config.eps ?? 1e-8,
    weightDecay: config.weightDecay ?? 0,
    decoupledWeightDecay: config.decoupledWeightDecay ?? false,
  };
  const bad = (field: string, value: unknown, expected: string) =>
    new Error(`Adam config: ${field} = ${value}, expected ${expected}`);
  if (!(Number.isFinite(full.lr) && full.lr > 0)) throw bad("lr", full.lr, "a positive number");
  for (const field of ["beta1", "beta2"] as const) {
    if (!(full[field] >= 0 && full[field] < 1)) throw bad(field, full[field], "a number in [0, 1)");
  }
  if (!(full.eps >= 0 && Number.isFinite(full.eps))) throw bad("eps", full.eps, "a number >= 0");
  if (!(full.weightDecay >= 0 && Number.isFinite(full.weightDecay))) {
    throw bad("weightDecay", full.weightDecay, "a number >= 0");
  }
  const clip = config.clipGradNorm;
  if (clip !== undefined && !(clip > 0 && Number.isFinite(clip))) {
    throw bad("clipGradNorm", clip, "a positive number");
  }
  return full;
}

/** Zero moments and step 0 for `params`, a tree of Arrays (consumes nothing). */
export function adamInit<T>(params: T): AdamState<T> {
  const zeros = () =>
    tree.map(
      (p: Array) => np.zeros(p.shape, { dtype: p.dtype, device: p.device }),
      params as JsTree<Array>,
    ) as T;
  return { step: np.zeros([], { dtype: np.float32 }), m: zeros(), v: zeros() };
}

/** 1 - beta^t computed as -expm1(t log beta), accurate in float32 for beta near 1. */
function biasCorrection(beta: number, step: Array): Array {
  if (beta === 0) {
    step.dispose();
    return np.array(1, { dtype: np.float32 });
  }
  return np.expm1(step.mul(Math.log(beta))).mul(-1);
}

/** Scales all gradients so their global L2 norm is at most `maxNorm`. Consumes `grads`. */
function clipByGlobalNorm(grads: Array[], maxNorm: number): Array[] {
  let sumSquares = np.sum(np.square(grads[0].ref));
  for (const g of grads.slice(1)) sumSquares = sumSquares.add(np.sum(np.square(g.ref)));
  const coef = np.minimum(np.reciprocal(np.sqrt(sumSquares).add(CLIP_EPS)).mul(maxNorm), 1);
  const clipped = grads.map((g) => g.mul(coef.ref));
  coef.dispose();
  return clipped;
}

/**
 * One Adam step. Pure: consumes `params`, `grads` and `state` and returns new ones.
 * `grads` and the moments must have the same tree structure as `params`.
 */
export function adamUpdate<T>(
  params: T,
  grads: T,
  state: AdamState<T>,
  config: AdamConfig,
): { params: T; state: AdamState<T> } {
  let full: ReturnType<typeof checkConfig>;
  const [ps, def] = tree.flatten(params as JsTree<Array>);
  let [gs, gradDef] = tree.flatten(grads as JsTree<Array>);
  const [ms, mDef] = tree.flatten(state.m as JsTree<Array>);
  const [vs, vDef] = tree.flatten(state.v as JsTree<Array>);
  try {
    full = checkConfig(config);
    for (const [what, other] of [
      ["grads", gradDef],
      ["state.m", mDef],
      ["state.v", vDef],
    ] as const) {
      if (!other.equals(def)) {
        throw new Error(`adamUpdate: ${what} has structure ${other}, expected params' ${def}`);
      }
    }
  } catch (error) {
    tree.dispose([ps, gs, ms, vs, state.step]);
    throw error;
  }
  const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay } = full;
  if (config.clipGradNorm !== undefined && gs.length > 0)
    gs = clipByGlobalNorm(gs, config.clipGradNorm);

  const step = state.step.add(1);
  const stepSize = np.reciprocal(biasCorrection(beta1, step.ref)).mul(lr);
  const sqrtCorrection2 = np.sqrt(biasCorrection(beta2, step.ref));
  const newP: Array[] = [];
  const newM: Array[] = [];
  const newV: Array[] = [];
  for (let i = 0; i < ps.length; i++) {
    let p = ps[i];
    let g = gs[i];
    if (weightDecay > 0 && !decoupledWeightDecay) g = g.add(p.ref.mul(weightDecay));
    if (weightDecay > 0 && decoupledWeightDecay) p = p.mul(1 - lr * weightDecay);
    const m = ms[i].mul(beta1).add(g.ref.mul(1 - beta1));
    const v = vs[i].mul(beta2).add(np.square(g).mul(1 - beta2));
    const denom = np.sqrt(v.ref).div(sqrtCorrection2.ref).add(eps);
    newP.push(p.sub(m.ref.mul(stepSize.ref).div(denom)));
    newM.push(m);
    newV.push(v);
  }
  stepSize.dispose();
  sqrtCorrection2.dispose();
  return {
    params: tree.unflatten(def, newP) as T,
    state: {
      step,
      m: tree.unflatten(def, newM) as T,
      v: tree.unflatten(def, newV) as T,
    },
  };
}
