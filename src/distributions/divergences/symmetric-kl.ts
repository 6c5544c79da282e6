/**
 * Symmetric KL (Jeffreys) divergence between diagonal Gaussians, per dimension:
 * J(p, q) = KL(p||q) + KL(q||p) = 0.5 [(σp² + Δ²)/σq² + (σq² + Δ²)/σp²] - 1, Δ = mu_p - mu_q
 * (Kullback 1959; one of the posterior divergences of Karaletsos et al. 2016, Sec. 3).
 */
import type { Array } from "../../engine/jax.ts";
import type { DiagonalGaussianParams } from "../diagonal-gaussian.ts";
import { klDiagonalGaussians } from "../diagonal-gaussian.ts";

/** Elementwise KL(p||q) + KL(q||p). Consumes p and q. */
export function symmetricKl(p: DiagonalGaussianParams, q: DiagonalGaussianParams): Array {
  const forward = klDiagonalGaussians(p.mu.ref, p.logvar.ref, q.mu.ref, q.logvar.ref);
  return forward.add(klDiagonalGaussians(q.mu, q.logvar, p.mu, p.logvar));
}
