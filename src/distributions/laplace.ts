/** Laplace(loc, scale) density, a heavier-tailed alternative prior p(z). */
import type { Array } from "../engine/jax.ts";
import { numpy as np } from "../engine/jax.ts";

/** log Laplace(z; loc, scale) = -log(2·scale) - |z - loc| / scale, elementwise. Consumes z. */
export function laplaceLogDensity(z: Array, loc = 0, scale = 1): Array {
  if (!(scale > 0) || !Number.isFinite(scale) || !Number.isFinite(loc)) {
    throw new RangeError(
      `laplaceLogDensity: loc ${loc}, scale ${scale}: expected a finite loc and a finite scale > 0`,
    );
  }
  return np
    .abs(z.sub(loc))
    .mul(-1 / scale)
    .sub(Math.log(2 * scale));
}
