/**
 * Numerically stable softplus, `log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))`.
 * `nn.softplus` of @jax-js/jax 0.1.25 overflows to Infinity (and its gradient to NaN) for
 * x ≳ 89 in float32; this form stays finite for every finite x, with gradient sigmoid(x)
 * (exactly 0.5 at x = 0). Consumes `x`.
 */
import { type Array, numpy as np } from "../engine/jax.ts";

export function softplus(x: Array): Array {
  const relu = x.ref.add(np.abs(x.ref)).mul(0.5);
  return relu.add(np.log1p(np.exp(np.abs(x).neg())));
}
