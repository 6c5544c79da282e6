/** KL between diagonal Gaussians in closed form (Kingma & Welling 2014, Appendix B). */
import type { Array } from "../../engine/jax.ts";
import { klDiagonalGaussians } from "../diagonal-gaussian.ts";
import type { Distribution } from "../distribution.ts";

/** KL(N(mu_q, var_q) || N(mu_p, var_p)) per element. Consumes both. */
export function klNormalNormal(q: Distribution, p: Distribution): Array {
  return klDiagonalGaussians(q.params.mu, q.params.logvar, p.params.mu, p.params.logvar);
}
