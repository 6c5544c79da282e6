/**
 * A mixture of K diagonal Gaussians over whole latent vectors,
 *   p(z) = Σ_k w_k N(z; μ_k, diag exp(logvar_k)),  w = softmax(logits),
 * the family of the learned priors: the mixture-of-Gaussians prior and the VampPrior, whose
 * components are the encoder's posteriors at learned pseudo-inputs (Tomczak & Welling 2018,
 * eq. 9 and eq. 12). It does not factorise over dimensions, so it is a joint distribution
 * (`joint`): `logProb` of z [..., Z] is the joint log density, [..., 1]. Its `marginals()` are
 * each dimension's own 1-D mixture, p(z_j) = Σ_k w_k N(z_j; μ_kj, exp(logvar_kj)), per dimension
 * [..., Z]. Parameters: logits [K], mu and logvar [K, Z].
 */
import { type Array, nn, numpy as np, random } from "../engine/jax.ts";
import { splitKey } from "../engine/prng.ts";
import { gaussianLogDensity, reparameterize } from "./diagonal-gaussian.ts";
import type { Distribution } from "./distribution.ts";

export type NormalMixtureParams = {
  /** Unnormalised log weights of the components, [K]. */
  logits: Array;
  /** Component means, [K, Z]. */
  mu: Array;
  /** Component log-variances, [K, Z]. */
  logvar: Array;
};

/**
 * log Σ_k w_k N(x; μ_k, σ_k²) of x [..., Z]: the joint density ([..., 1]) when `joint`, else
 * each dimension's marginal ([..., Z]). Consumes all.
 */
function mixtureLogDensity(x: Array, params: NormalMixtureParams, joint: boolean): Array {
  const { logits, mu, logvar } = params;
  const [k, d] = mu.shape;
  const perComponent = gaussianLogDensity(x.reshape([...x.shape.slice(0, -1), 1, d]), mu, logvar);
  const logWeights = nn.logSoftmax(logits);
  if (joint) {
    const logJoint = np.sum(perComponent, -1).add(logWeights);
    return nn.logsumexp(logJoint, -1, { keepdims: true });
  }
  return nn.logsumexp(perComponent.add(logWeights.reshape([k, 1])), -2);
}

/**
 * The mixture as a {@link Distribution}, joint (the prior itself) or as its per-dimension
 * marginals. Samples pick a component by its weight (Gumbel-max, jax-js's `categorical`) and
 * draw from it by reparameterisation, so they are differentiable in the means and
 * log-variances but not in the weights (the choice is discrete). `map` applies to the means
 * and log-variances only (e.g. slicing latent dimensions gives those dimensions' marginal
 * mixture); the weights are shared by every dimension.
 */
export function normalMixture(params: NormalMixtureParams, joint = true): Distribution {
  const { logits, mu, logvar } = params;
  if (mu.shape.length !== 2 || logvar.shape.join() !== mu.shape.join()) {
    throw new RangeError(
      `normalMixture: mu and logvar must both be [K, Z], got [${mu.shape}] and [${logvar.shape}]`,
    );
  }
  if (logits.shape.length !== 1 || logits.shape[0] !== mu.shape[0]) {
    throw new RangeError(
      `normalMixture: logits must be [K] with K = ${mu.shape[0]} components, got [${logits.shape}]`,
    );
  }
  const [k, d] = mu.shape;
  return {
    family: "normal-mixture",
    joint,
    params,
    logProb: (x) => mixtureLogDensity(x, params, joint),
    sample(key, shape = [d]) {
      const [componentKey, noiseKey] = splitKey(key, 2);
      const batch = shape.slice(0, -1);
      const chosen = nn.oneHot(random.categorical(componentKey, logits, { shape: batch }), k);
      // [..., K] @ [K, Z]: the chosen component's parameters, differentiable in them.
      const chosenMu = np.matmul(chosen.ref, mu);
      const chosenLogvar = np.matmul(chosen, logvar);
      return reparameterize(chosenMu, chosenLogvar, random.normal(noiseKey, shape));
    },
    mean() {
      logvar.dispose();
      return np.matmul(nn.softmax(logits).reshape([1, k]), mu).reshape([d]);
    },
    map: (fn) => normalMixture({ logits, mu: fn(mu), logvar: fn(logvar) }, joint),
    marginals: () => normalMixture(params, false),
    ref: () => normalMixture({ logits: logits.ref, mu: mu.ref, logvar: logvar.ref }, joint),
    dispose: () => {
      logits.dispose();
      mu.dispose();
      logvar.dispose();
    },
  };
}
