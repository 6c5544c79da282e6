/**
 * Encoder/decoder architectures, chosen by name. An architecture maps images [B,H,W,C]
 * to the parameters of a diagonal Gaussian posterior (mean and log-variance, [B,Z] each)
 * and latents [B,Z] to per-pixel decoder outputs [B,H,W,outputChannels] (logits, means, or a
 * mixture's parameters; the likelihood decides how they are read).
 */

import type { DiagonalGaussianParams } from "../distributions/diagonal-gaussian.ts";
import type { ConvSchedule } from "../engine/conv.ts";
import type { ConvParams, DenseParams } from "../engine/init.ts";
import type { Array } from "../engine/jax.ts";

/** Height, width, channels. */
export type ImageShape = readonly [height: number, width: number, channels: number];

export interface ArchitectureConfig {
  imageShape: ImageShape;
  latentDim: number;
  /**
   * Decoder outputs per pixel; default the image's channels. A likelihood with more
   * parameters per pixel than values (the logistic mixture) asks for more.
   */
  outputChannels?: number;
}

export type EncoderParams = {
  convs: ConvParams[];
  fcs: DenseParams[];
};

export type DecoderParams = {
  fcs: DenseParams[];
  convs: ConvParams[];
};

export interface Architecture {
  readonly name: ArchitectureName;
  readonly config: ArchitectureConfig;
  /** Fresh encoder parameters (PyTorch's default initialisation, `src/engine/init.ts`); consumes `key`. */
  initEncoder(key: Array): EncoderParams;
  /** Fresh decoder parameters, likewise; consumes `key`. */
  initDecoder(key: Array): DecoderParams;
  /**
   * Consumes `x` [B,H,W,C]; returns the posterior's mean and log-variance, [B,Z] each.
   * `schedule` picks the convolutions' schedule: "training" (default, under grad) or
   * "inference" (forward-only passes); the result is the same.
   */
  encode(params: EncoderParams, x: Array, schedule?: ConvSchedule): DiagonalGaussianParams;
  /** Consumes `z` [B,Z]; returns decoder outputs [B,H,W,outputChannels]. */
  decode(params: DecoderParams, z: Array, schedule?: ConvSchedule): Array;
}

/** Raised when an architecture cannot take the data's image shape or the latent size. */
export class ArchitectureShapeError extends Error {
  override name = "ArchitectureShapeError";
}

/** The encoder/decoder pairs, by name (see `src/nn/architectures/`). */
export const ARCHITECTURE_NAMES = ["mlp-chen", "conv-burgess", "conv-small"] as const;
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];

export function checkLatentDim(name: string, latentDim: number): void {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new ArchitectureShapeError(
      `${name}: latent size ${latentDim} is not a positive whole number`,
    );
  }
}
