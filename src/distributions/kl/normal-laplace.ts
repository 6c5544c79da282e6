/**
 * KL from a diagonal Gaussian to a Laplace distribution in closed form. With d = mu - loc,
 * σ = exp(logvar / 2) and b = exp(logscale):
 *   KL(N(mu, σ²) || Lap(loc, b)) = -½ log(2πe σ²) + log(2b) + E|z - loc| / b,
 *   E|z - loc| = σ √(2/π) exp(-d² / 2σ²) + d · erf(d / (σ √2))   (the folded normal's mean).
 * This is the KL of a Gaussian VAE with the factorised Laplace prior.
 */
import { type Array, numpy as np, scipySpecial } from "../../engine/jax.ts";
import type { Distribution } from "../distribution.ts";

const LOG_2PI_E = Math.log(2 * Math.PI) + 1;

/** KL(q || p) per element, q Gaussian, p Laplace. Consumes both. */
export function klNormalLaplace(q: Distribution, p: Distribution): Array {
  const { mu, logvar } = q.params;
  const { loc, logscale } = p.params;
  const d = mu.sub(loc);
  const sigma = np.exp(logvar.ref.mul(0.5));
  const folded = sigma.ref
    .mul(Math.sqrt(2 / Math.PI))
    .mul(np.exp(np.square(d.ref).div(np.square(sigma.ref).mul(-2))))
    .add(d.ref.mul(scipySpecial.erf(d.div(sigma.mul(Math.SQRT2)))));
  const negEntropy = logvar.add(LOG_2PI_E).mul(-0.5);
  return negEntropy
    .add(logscale.ref)
    .add(Math.LN2)
    .add(folded.mul(np.exp(logscale.neg())));
}
