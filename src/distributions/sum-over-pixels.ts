/** Per-example totals of a per-pixel quantity. */
import { type Array, numpy as np } from "../engine/jax.ts";

/** Sums [B, ...] over every axis but the first; a [B] array comes back as is. Consumes `a`. */
export function sumOverPixels(a: Array): Array {
  const axes = a.shape.map((_, i) => i).slice(1);
  return axes.length === 0 ? a : np.sum(a, axes);
}
