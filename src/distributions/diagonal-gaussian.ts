/**
 * Diagonal Gaussian N(mu, diag(exp(logvar))), the VAE encoder's posterior q(z|x)
 * (Kingma & Welling 2014, Sec. 3 and Appendix B). Every function works elementwise (per
 * latent dimension) with NumPy broadcasting and consumes its array arguments.
 */
import { type Array, numpy as np, random } from "../engine/jax.ts";
import { batchShape, type Distribution } from "./distribution.ts";

/** log 2π, the Gaussian log-density's constant. */
export const LOG_2PI = Math.log(2 * Math.PI);

/** log N(z; mu, exp(logvar)) = -0.5 (log 2π + logvar + (z - mu)² exp(-logvar)), elementwise. */
export function gaussianLogDensity(z: Array, mu: Array, logvar: Array): Array {
  const precision = np.exp(logvar.ref.neg());
  return np.square(z.sub(mu)).mul(precision).add(logvar).add(LOG_2PI).mul(-0.5);
}

/** Reparameterised sample z = mu + exp(logvar / 2) · eps with eps ~ N(0, I) (Kingma & Welling 2014, eq. 10). */
export function reparameterize(mu: Array, logvar: Array, eps: Array): Array {
  return mu.add(np.exp(logvar.mul(0.5)).mul(eps));
}

/**
 * KL(N(mu1, exp(logvar1)) || N(mu2, exp(logvar2))) per dimension
 * = 0.5 (logvar2 - logvar1 + (exp(logvar1) + (mu1 - mu2)²) exp(-logvar2) - 1).
 */
export function klDiagonalGaussians(mu1: Array, logvar1: Array, mu2: Array, logvar2: Array): Array {
  const spread = np.exp(logvar1.ref).add(np.square(mu1.sub(mu2)));
  const ratio = spread.mul(np.exp(logvar2.ref.neg()));
  return logvar2.sub(logvar1).add(ratio).sub(1).mul(0.5);
}

/** N(mu, exp(logvar)) elementwise, as the encoder outputs it: means and log-variances, [B, Z] each. */
export type DiagonalGaussianParams = {
  mu: Array;
  logvar: Array;
};

/**
 * The diagonal Gaussian as a {@link Distribution}: the VAE's posterior q(z|x) and the
 * standard normal prior. Samples are mu + exp(logvar / 2) · eps, eps ~ N(0, I) drawn with
 * the key.
 */
export function diagonalGaussian({ mu, logvar }: DiagonalGaussianParams): Distribution {
  const params = { mu, logvar };
  return {
    family: "normal",
    joint: false,
    params,
    logProb: (x) => gaussianLogDensity(x, mu, logvar),
    sample: (key, shape) =>
      reparameterize(mu, logvar, random.normal(key, shape ?? batchShape(params))),
    mean: () => {
      logvar.dispose();
      return mu;
    },
    map: (fn) => diagonalGaussian({ mu: fn(mu), logvar: fn(logvar) }),
    marginals() {
      return this;
    },
    ref: () => diagonalGaussian({ mu: mu.ref, logvar: logvar.ref }),
    dispose: () => {
      mu.dispose();
      logvar.dispose();
    },
  };
}
