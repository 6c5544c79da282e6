/**
 * The interface every distribution over latents implements, in the spirit of distrax
 * (one family per file, parameters as a tree, KL registered by the pair of families in
 * kl.ts). A distribution is a value: its methods consume it, as every jax-js function
 * consumes its arrays; `ref()` gives a second reference for a second use. Families are
 * factorised over the last axis: `logProb` is elementwise (per latent dimension), so the
 * caller sums over dimensions, masks them, or keeps them apart (beta-TCVAE's marginals).
 */
import type { Array } from "../engine/jax.ts";

/** The families, by name; each has one file in this folder. */
export const FAMILY_NAMES = ["normal", "laplace", "student-t", "kumaraswamy", "beta"] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

export interface Distribution {
  readonly family: FamilyName;
  /** Parameters by name, broadcast against each other (e.g. [B, Z] or [Z]). */
  readonly params: Readonly<Record<string, Array>>;
  /** log density of `x` per element (broadcast against the parameters). Consumes this and x. */
  logProb(x: Array): Array;
  /**
   * A reparameterised sample of `shape` (default: the parameters' broadcast shape) drawn
   * with `key`; differentiable in the parameters. Consumes this and key.
   */
  sample(key: Array, shape?: number[]): Array;
  /** The mean, elementwise. Consumes this. */
  mean(): Array;
  /** The same family with every parameter passed through `fn` (reshape, slice). Consumes this. */
  map(fn: (param: Array) => Array): Distribution;
  /** A second reference: the parameters' `.ref`. */
  ref(): Distribution;
  /** Frees the parameters' arrays (jax-js ownership: a distribution owns its parameters). */
  dispose(): void;
}

/** The shape the parameters broadcast to. */
export function batchShape(params: Readonly<Record<string, Array>>): number[] {
  const shapes = Object.values(params).map((p) => p.shape);
  const rank = Math.max(...shapes.map((s) => s.length));
  return globalThis.Array.from({ length: rank }, (_, i) =>
    Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)),
  );
}
