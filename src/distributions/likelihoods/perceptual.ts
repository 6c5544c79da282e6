/**
 * A perceptual likelihood: Gaussians over the feature maps φ_l of a fixed random conv net
 * (random-conv-features.ts), optionally plus a Gaussian pixel term,
 *
 *   log p̃(x | m) = Σ_l log N(φ_l(x); φ_l(m), σ_f² I) [+ log N(x; m, σ_x² I)],
 *
 * with m the decoder's mean image: the VAE with a learned similarity metric of Larsen et al.
 * 2016 (Sec. 2.2, a Gaussian on a network's features), here with fixed random features (no
 * download, nothing trained) instead of a discriminator's. It is not a normalised likelihood of
 * x (it is a density of the features, and the pixel term counts x a second time), so the ELBO
 * it gives is a training objective only: do not compare it with the other likelihoods' ELBOs.
 */
import { z } from "zod";
import type { Array } from "../../engine/jax.ts";
import { gaussianLogLikelihood } from "../gaussian-likelihood.ts";
import { defineLikelihood } from "./pixel-likelihood.ts";
import { randomConvFeatures } from "./random-conv-features.ts";

export const perceptual = defineLikelihood({
  name: "perceptual",
  summary:
    "Gaussians on the feature maps of a fixed random conv net (seeded, untrained) + a Gaussian pixel term, decoder means (Larsen et al. 2016, Sec. 2.2, with random features); not normalised: its ELBO is not comparable",
  file: "src/distributions/likelihoods/perceptual.ts",
  schema: z.object({
    featureVariance: z
      .number()
      .positive()
      .default(0.1)
      .describe("σ² of the Gaussian on each feature map"),
    pixelVariance: z
      .union([z.number().positive(), z.literal("none")])
      .default(0.1)
      .describe("σ² of the Gaussian pixel term, or 'none' for the features alone"),
    featureSeed: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe("seed of the fixed random feature network"),
  }),
  config: (options) => ({
    kind: "perceptual",
    featureVariance: options.featureVariance,
    pixelVariance: options.pixelVariance,
    featureSeed: options.featureSeed,
  }),
  create: (config, [, , channels]) => {
    const features = randomConvFeatures(channels, config.featureSeed);
    const featureLogvar = Math.log(config.featureVariance);
    return {
      config,
      outputChannels: channels,
      init: () => ({}),
      logProb: (_params, mean: Array, x: Array) => {
        const pixel =
          config.pixelVariance === "none"
            ? undefined
            : gaussianLogLikelihood(mean.ref, x.ref, Math.log(config.pixelVariance));
        const ofMean = features(mean);
        const ofData = features(x);
        let total = pixel;
        for (const [l, map] of ofMean.entries()) {
          const term = gaussianLogLikelihood(map, ofData[l], featureLogvar);
          total = total === undefined ? term : total.add(term);
        }
        return total as Array;
      },
      mean: (out) => out,
    };
  },
});
