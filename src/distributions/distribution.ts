/**
 * The interface every distribution over latents implements, in the spirit of distrax
 * (one family per file, parameters as a tree, KL registered by the pair of families in
 * kl.ts). A distribution is a value: its methods consume it, as every jax-js function
 * consumes its arrays; `ref()` gives a second reference for a second use. Families are
 * factorised over the last axis: `logProb` is elementwise (per latent dimension), so the
 * caller sums over dimensions, masks them, or keeps them apart (beta-TCVAE's marginals). The
 * exception is a `joint` family (the learned priors' mixture, normal-mixture.ts): its logProb
 * keeps the last axis at size 1, so a sum over the last axis is log p(z) for every family, and
 * per-dimension uses take its `marginals()`.
 */
import type { Array } from "../engine/jax.ts";

/** The families, by name; each has one file in this folder. */
export const FAMILY_NAMES = [
  "normal",
  "laplace",
  "student-t",
  "kumaraswamy",
  "beta",
  "normal-mixture",
] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

/**
 * Whether a family's densities are over whole latent vectors (its logProb `joint`): per-dimension
 * uses of such a prior (beta-TCVAE's dimension-wise KL, the decomposition) are refused.
 */
export function isJointFamily(family: FamilyName): boolean {
  return family === "normal-mixture";
}

export interface Distribution {
  readonly family: FamilyName;
  /**
   * Whether the density is over whole latent vectors rather than per dimension: logProb of
   * x [..., Z] is then [..., 1], the joint log density.
   */
  readonly joint: boolean;
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
  /**
   * Each dimension's marginal as a factorised distribution (logProb per dimension): itself
   * for a factorised family. Consumes this.
   */
  marginals(): Distribution;
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
