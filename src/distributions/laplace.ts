/**
 * The Laplace distribution Laplace(loc, b), b = exp(logscale), factorised over the latent
 * dimensions: a heavier-tailed prior p(z) (Chen et al. 2018 trained beta-TCVAE with a
 * factorised Laplace prior as well as a Gaussian one). Every function works elementwise with
 * NumPy broadcasting and consumes its array arguments.
 */
import { type Array, numpy as np, random } from "../engine/jax.ts";
import { batchShape, type Distribution } from "./distribution.ts";

export type LaplaceParams = {
  loc: Array;
  logscale: Array;
};

/** log Laplace(x; loc, b) = -log(2b) - |x - loc| / b, elementwise. Consumes its arguments. */
export function laplaceLogDensity(x: Array, loc: Array, logscale: Array): Array {
  const distance = np.abs(x.sub(loc)).mul(np.exp(logscale.ref.neg()));
  return distance.add(logscale).add(Math.LN2).neg();
}

/**
 * Laplace(loc, exp(logscale)) as a {@link Distribution}. Samples are loc + b · e with e a
 * standard Laplace draw (jax-js's `random.laplace`), so they are differentiable in loc and b.
 */
export function laplace({ loc, logscale }: LaplaceParams): Distribution {
  const params = { loc, logscale };
  return {
    family: "laplace",
    joint: false,
    params,
    logProb: (x) => laplaceLogDensity(x, loc, logscale),
    sample: (key, shape) =>
      loc.add(np.exp(logscale).mul(random.laplace(key, shape ?? batchShape(params)))),
    mean: () => {
      logscale.dispose();
      return loc;
    },
    map: (fn) => laplace({ loc: fn(loc), logscale: fn(logscale) }),
    marginals() {
      return this;
    },
    ref: () => laplace({ loc: loc.ref, logscale: logscale.ref }),
    dispose: () => {
      loc.dispose();
      logscale.dispose();
    },
  };
}
