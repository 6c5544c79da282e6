/**
 * Likelihoods p(x|z) by name: one descriptor per likelihood (pixel-likelihood.ts), whose
 * options are config fields and `train` flags, and whose summaries make the README's table.
 * Adding a likelihood: its file in this folder, a case in {@link LikelihoodConfig}, one line here.
 */
import type { z } from "zod";
import type { ImageShape } from "../../nn/architecture.ts";
import { bernoulli } from "./bernoulli.ts";
import { discretisedLogistic } from "./discretised-logistic.ts";
import { gaussian } from "./gaussian.ts";
import { laplace } from "./laplace.ts";
import { perceptual } from "./perceptual.ts";
import type {
  LikelihoodConfig,
  LikelihoodDescriptor,
  LikelihoodKind,
  PixelLikelihood,
} from "./pixel-likelihood.ts";

/** The likelihood registry: name -> descriptor (paper, options, constructor). */
export const LIKELIHOODS = {
  bernoulli,
  gaussian,
  laplace,
  "discretised-logistic": discretisedLogistic,
  perceptual,
} as const satisfies { [K in LikelihoodKind]: LikelihoodDescriptor<K, z.ZodObject> };

export type LikelihoodName = keyof typeof LIKELIHOODS;
/** The names of {@link LIKELIHOODS}, as `train --likelihood` accepts them. */
export const LIKELIHOOD_NAMES = Object.keys(LIKELIHOODS) as [LikelihoodName, ...LikelihoodName[]];

/** The registry's descriptor of `name`, typed loosely (options checked by its schema). */
export function likelihoodDescriptor(
  name: LikelihoodName,
): LikelihoodDescriptor<LikelihoodKind, z.ZodObject> {
  const descriptor = LIKELIHOODS[name];
  if (descriptor === undefined) {
    throw new RangeError(
      `likelihood ${JSON.stringify(name)}: expected one of ${LIKELIHOOD_NAMES.join(", ")}`,
    );
  }
  return descriptor as never;
}

/** The likelihood `config` describes, for images of `imageShape`. */
export function createLikelihood(
  config: LikelihoodConfig,
  imageShape: ImageShape,
): PixelLikelihood {
  return likelihoodDescriptor(config.kind).create(config as never, imageShape);
}
