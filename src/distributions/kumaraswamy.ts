/**
 * The Kumaraswamy distribution Kumaraswamy(a, b) on (0, 1) (Kumaraswamy 1980), the
 * stick-breaking VAE's posterior over stick fractions (Nalisnick & Smyth 2017, Sec. 3.1): a
 * Beta-like density a b x^(a-1) (1 - x^a)^(b-1) whose inverse CDF is closed-form, so samples
 * x = (1 - u^(1/b))^(1/a), u ~ U(0, 1), are differentiable in a and b (the Beta's are not).
 * Parameters a, b > 0 as arrays. Kumaraswamy(1, b) is Beta(1, b). Factorised over the last
 * axis; every function works elementwise with broadcasting and consumes its array arguments.
 */
import { type Array, numpy as np, random } from "../engine/jax.ts";
import { batchShape, type Distribution } from "./distribution.ts";
import { logBetaFunction } from "./gamma-functions.ts";

export type KumaraswamyParams = {
  a: Array;
  b: Array;
};

/** Keeps u and x inside (0, 1) in float32, so logs and powers stay finite. */
const EDGE = 1e-6;

/** log Kumaraswamy(x; a, b) = log a + log b + (a-1) log x + (b-1) log(1 - x^a). Consumes all. */
export function kumaraswamyLogDensity(x: Array, a: Array, b: Array): Array {
  const safe = np.clip(x, EDGE, 1 - EDGE);
  const logX = np.log(safe);
  const oneMinusXa = np.log1p(np.exp(logX.ref.mul(a.ref)).neg());
  return np
    .log(a.ref)
    .add(np.log(b.ref))
    .add(logX.mul(a.sub(1)))
    .add(oneMinusXa.mul(b.sub(1)));
}

/**
 * x = (1 - u^(1/b))^(1/a) for uniform u: the inverse CDF F⁻¹(u), F(x) = 1 - (1 - x^a)^b.
 * Consumes all.
 */
export function kumaraswamyInverseCdf(u: Array, a: Array, b: Array): Array {
  const safe = np.clip(u, EDGE, 1 - EDGE);
  const inner = np.expm1(np.log(safe).div(b)).neg(); // 1 - u^(1/b)
  return np.exp(np.log(np.clip(inner, EDGE, 1)).div(a));
}

/** E[x] = b B(1 + 1/a, b), elementwise. Consumes a and b. */
export function kumaraswamyMean(a: Array, b: Array): Array {
  const p = np.reciprocal(a).add(1);
  return b.ref.mul(np.exp(logBetaFunction(p, b)));
}

/** Kumaraswamy(a, b) as a {@link Distribution}; samples by the inverse CDF of uniform draws. */
export function kumaraswamy({ a, b }: KumaraswamyParams): Distribution {
  const params = { a, b };
  return {
    family: "kumaraswamy",
    joint: false,
    params,
    logProb: (x) => kumaraswamyLogDensity(x, a, b),
    sample: (key, shape) =>
      kumaraswamyInverseCdf(random.uniform(key, shape ?? batchShape(params)), a, b),
    mean: () => kumaraswamyMean(a, b),
    map: (fn) => kumaraswamy({ a: fn(a), b: fn(b) }),
    marginals() {
      return this;
    },
    ref: () => kumaraswamy({ a: a.ref, b: b.ref }),
    dispose: () => {
      a.dispose();
      b.dispose();
    },
  };
}
