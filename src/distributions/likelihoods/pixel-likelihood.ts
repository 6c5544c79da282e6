/**
 * The decoder likelihood p(x|z) of a VAE, read from the decoder's per-pixel outputs: what the
 * model's config says (a {@link LikelihoodConfig}) and what it computes (a
 * {@link PixelLikelihood}), and its descriptor (name, paper, options with their defaults), from
 * which the config, the `train` flags and the README's table derive. Each likelihood is one
 * file of this folder; registry.ts names them.
 */
import type { z } from "zod";
import type { Array } from "../../engine/jax.ts";
import type { ImageShape } from "../../nn/architecture.ts";

/**
 * A scale that is fixed (a positive number: the variance of a Gaussian, the scale b of a
 * Laplace), learned once per channel ("learned"), or learned per pixel and channel
 * ("learned-pixel"). A learned scale is a parameter of the model, not a function of z.
 */
export type ScaleSetting = number | "learned" | "learned-pixel";

/** A model's likelihood, with its settings resolved. */
export type LikelihoodConfig =
  | { kind: "bernoulli" }
  | { kind: "gaussian"; variance: ScaleSetting }
  | { kind: "laplace"; scale: ScaleSetting }
  | { kind: "discretised-logistic"; components: number }
  | {
      kind: "perceptual";
      /** Variance of the Gaussian over each feature map. */
      featureVariance: number;
      /** Variance of the Gaussian pixel term, or "none" for the features alone. */
      pixelVariance: number | "none";
      /** Seed of the fixed random feature network. */
      featureSeed: number;
    };

export type LikelihoodKind = LikelihoodConfig["kind"];

/** The likelihood's learned parameters (a subtree of the VAE's parameters); empty when none. */
export type LikelihoodParams = {
  /** Log-variance of a Gaussian with a learned scale, [C] or [H,W,C]. */
  logvar?: Array;
  /** Log-scale of a Laplace with a learned scale, [C] or [H,W,C]. */
  logscale?: Array;
};

export interface PixelLikelihood {
  readonly config: LikelihoodConfig;
  /** Decoder outputs per pixel: the image's channels, or more (the logistic mixture's). */
  readonly outputChannels: number;
  /** Fresh learned parameters (zeros: unit scale), or {} when it learns none. */
  init(): LikelihoodParams;
  /**
   * log p(x | decoder outputs) summed over pixels: consumes params, `out` [B,H,W,outputChannels]
   * and x [B,H,W,C] in [0,1]; returns [B].
   */
  logProb(params: LikelihoodParams, out: Array, x: Array): Array;
  /**
   * The likelihood's mean image [B,H,W,C] from decoder outputs (consumes `out`): in [0,1] for
   * the Bernoulli and the logistic mixture; a Gaussian's or Laplace's location may stray
   * outside it, and pictures clip it.
   */
  mean(out: Array): Array;
}

export interface LikelihoodDescriptor<K extends LikelihoodKind, S extends z.ZodObject> {
  readonly name: K;
  /** One line: what p(x|z) is, with the paper. */
  readonly summary: string;
  /** The likelihood's file, for the README's table. */
  readonly file: string;
  /** Options: each field with `.default(...)` and `.describe(...)`; the config's fields. */
  readonly schema: S;
  /** The model's likelihood from validated options. */
  config(options: z.output<S>): Extract<LikelihoodConfig, { kind: K }>;
  /** The likelihood for images of `imageShape` (height, width, channels). */
  create(config: Extract<LikelihoodConfig, { kind: K }>, imageShape: ImageShape): PixelLikelihood;
}

/** Ties a descriptor's functions to its kind and schema. */
export function defineLikelihood<K extends LikelihoodKind, S extends z.ZodObject>(
  descriptor: LikelihoodDescriptor<K, S>,
): LikelihoodDescriptor<K, S> {
  return descriptor;
}
