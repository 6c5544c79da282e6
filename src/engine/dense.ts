/**
 * Fully connected layer, PyTorch `nn.Linear` semantics with the weight stored transposed
 * ([in, out], so that y = x W + b needs no transpose).
 */
import { type Array, numpy as np } from "./jax.ts";

/** A type alias (not an interface) so that it is assignable to jax-js `JsTree`. */
export type DenseParams = {
  /** [in, out] */
  w: Array;
  /** [out] */
  b: Array;
};

/**
 * y = x W + b for x [..., in] → [..., out]. Leading axes are flattened into one matmul.
 * Consumes `x` and the parameters (pass `p.w.ref` / `p.b.ref`-holding trees to keep them).
 */
export function dense(p: DenseParams, x: Array): Array {
  const [inFeatures, outFeatures] = p.w.shape;
  const lead = x.shape.slice(0, -1);
  if (x.shape[x.ndim - 1] !== inFeatures) {
    throw new RangeError(
      `dense: input shape [${x.shape}] has last axis ${x.shape[x.ndim - 1]}, weight [${p.w.shape}] expects ${inFeatures}`,
    );
  }
  const y = np.matmul(x.reshape([-1, inFeatures]), p.w).add(p.b);
  return y.reshape([...lead, outFeatures]);
}
