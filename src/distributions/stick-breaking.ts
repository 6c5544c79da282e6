/**
 * The stick-breaking construction (Sethuraman 1994; Nalisnick & Smyth 2017, eq. 3): stick
 * fractions v_1..v_K in (0, 1) break a unit stick into weights
 *   π_k = v_k Π_{j<k} (1 - v_j),
 * which sum to 1 - Π_k (1 - v_k) (the truncation's remainder is not a weight here: the
 * decoder reads π_1..π_K). Computed in log space, log π_k = log v_k + Σ_{j<k} log(1 - v_j),
 * so long products of small factors do not underflow.
 */
import { type Array, numpy as np } from "../engine/jax.ts";

/** Keeps fractions inside (0, 1), so the logs stay finite (traversals sweep past the ends). */
const EDGE = 1e-6;

/** π from stick fractions v [..., K]: same shape. Consumes v. */
export function stickWeights(v: Array): Array {
  const safe = np.clip(v, EDGE, 1 - EDGE);
  const logRest = np.log1p(safe.ref.neg());
  const before = np.cumsum(logRest.ref, -1).sub(logRest);
  return np.exp(np.log(safe).add(before));
}
