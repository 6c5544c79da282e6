/**
 * Fully connected layer, PyTorch `nn.Linear` semantics and weight layout ([out, in]):
 * y = x Wᵀ + b. jax-js's Wasm matmul is fastest with its right operand stored [N, K]
 * ("NT"), which is exactly this layout; storing [in, out] instead cost the MLP VAE step
 * 25-33% (transposes of the weight gradients, a slow NN kernel).
 */
import { type Array, numpy as np } from "./jax.ts";

/** A type alias (not an interface) so that it is assignable to jax-js `JsTree`. */
export type DenseParams = {
  /** [out, in], as torch.nn.Linear.weight */
  w: Array;
  /** [out] */
  b: Array;
};

/**
 * y = x Wᵀ + b for x [..., in] → [..., out]. Leading axes are flattened into one matmul.
 * Consumes `x` and the parameters (pass `p.w.ref` / `p.b.ref`-holding trees to keep them).
 */
export function dense(p: DenseParams, x: Array): Array {
  const [outFeatures, inFeatures] = p.w.shape;
  const lead = x.shape.slice(0, -1);
  if (x.shape[x.ndim - 1] !== inFeatures) {
    throw new RangeError(
      `dense: input shape [${x.shape}] has last axis ${x.shape[x.ndim - 1]}, weight [${p.w.shape}] expects ${inFeatures}`,
    );
  }
  const y = np.matmul(x.reshape([-1, inFeatures]), p.w.transpose()).add(p.b);
  return y.reshape([...lead, outFeatures]);
}
