/**
 * The Beta distribution Beta(α, β) on (0, 1), the stick-breaking prior over stick fractions:
 * Beta(1, α₀) in every dimension is the truncated GEM(α₀) prior of a Dirichlet process
 * (Sethuraman 1994; Nalisnick & Smyth 2017, Sec. 2.2). α and β are fixed hyperparameters
 * (numbers), held as arrays for broadcasting. Sampling is by the closed-form inverse CDF, which
 * exists for α = 1 (x = 1 - (1 - u)^(1/β)) or β = 1 (x = u^(1/α)); jax-js 0.1.25 has no
 * Gamma sampler for the general case, which is refused.
 */
import { type Array, numpy as np, random } from "../engine/jax.ts";
import { batchShape, type Distribution } from "./distribution.ts";
import { logBetaFunction } from "./gamma-functions.ts";

/** Keeps x inside (0, 1) in float32, so the logs stay finite. */
const EDGE = 1e-6;

/** log Beta(x; α, β) = (α-1) log x + (β-1) log(1-x) - log B(α, β). Consumes all. */
export function betaLogDensity(x: Array, alpha: Array, beta: Array): Array {
  const safe = np.clip(x, EDGE, 1 - EDGE);
  const normaliser = logBetaFunction(alpha.ref, beta.ref);
  return np
    .log(safe.ref)
    .mul(alpha.sub(1))
    .add(np.log1p(safe.neg()).mul(beta.sub(1)))
    .sub(normaliser);
}

/** Beta(α, β) in each of `dims` dimensions, α, β > 0 fixed numbers. */
export function betaDistribution(alpha: number, beta: number, dims: number): Distribution {
  if (!(alpha > 0 && beta > 0 && Number.isFinite(alpha) && Number.isFinite(beta))) {
    throw new RangeError(`beta: α and β must be finite numbers > 0, got α = ${alpha}, β = ${beta}`);
  }
  return fromArrays(np.full([dims], alpha), np.full([dims], beta), alpha, beta);
}

function fromArrays(a: Array, b: Array, alpha: number, beta: number): Distribution {
  const params = { alpha: a, beta: b };
  return {
    family: "beta",
    joint: false,
    params,
    logProb: (x) => betaLogDensity(x, a, b),
    sample(key, shape) {
      const u = np.clip(random.uniform(key, shape ?? batchShape(params)), EDGE, 1 - EDGE);
      // α and β are the fixed numbers: the arrays are not needed.
      a.dispose();
      b.dispose();
      if (alpha === 1) return np.expm1(np.log1p(u.neg()).div(beta)).neg();
      if (beta === 1) return np.exp(np.log(u).div(alpha));
      u.dispose();
      throw new RangeError(
        `beta: sampling Beta(${alpha}, ${beta}) needs α = 1 or β = 1 (closed-form inverse CDF)`,
      );
    },
    mean: () => {
      const shape = batchShape(params);
      a.dispose();
      b.dispose();
      return np.full(shape, alpha / (alpha + beta));
    },
    map: (fn) => fromArrays(fn(a), fn(b), alpha, beta),
    marginals() {
      return this;
    },
    ref: () => fromArrays(a.ref, b.ref, alpha, beta),
    dispose: () => {
      a.dispose();
      b.dispose();
    },
  };
}
