/**
 * KL between Laplace distributions in closed form: with d = |loc_q - loc_p|,
 *   KL(Lap(loc_q, b_q) || Lap(loc_p, b_p)) = log(b_p / b_q) + d / b_p + (b_q / b_p) exp(-d / b_q) - 1
 * (from E_q|z - loc_p| = d + b_q exp(-d / b_q) and the entropy log(2 e b_q)).
 */
import { type Array, numpy as np } from "../../engine/jax.ts";
import type { Distribution } from "../distribution.ts";

/** KL(q || p) per element for two Laplace distributions. Consumes both. */
export function klLaplaceLaplace(q: Distribution, p: Distribution): Array {
  const { loc: locQ, logscale: logscaleQ } = q.params;
  const { loc: locP, logscale: logscaleP } = p.params;
  const distance = np.abs(locQ.sub(locP));
  const invScaleP = np.exp(logscaleP.ref.neg());
  const ratio = np.exp(logscaleQ.ref.sub(logscaleP.ref));
  const decay = np.exp(distance.ref.mul(np.exp(logscaleQ.ref.neg())).neg());
  return logscaleP.sub(logscaleQ).add(distance.mul(invScaleP)).add(ratio.mul(decay)).sub(1);
}
