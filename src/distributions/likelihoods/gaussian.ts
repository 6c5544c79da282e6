/**
 * The Gaussian likelihood N(x; mean, σ²) on each pixel (Kingma & Welling 2014, App. C.2): the
 * decoder outputs the mean; σ² is fixed, learned per channel, or learned per pixel and channel
 * (scale.ts). A learned σ² is the maximum-likelihood choice that the fixed-σ² "β" hides
 * (Lucas et al. 2019, "Don't blame the ELBO!", Sec. 4; Rybkin et al. 2021, "σ-VAE").
 */

import { z } from "zod";
import { gaussianLogLikelihood } from "../gaussian-likelihood.ts";
import { defineLikelihood } from "./pixel-likelihood.ts";
import { initLogScale, logScaleOf, scaleField } from "./scale.ts";

export const gaussian = defineLikelihood({
  name: "gaussian",
  summary:
    "Gaussian N(x; mean, σ²) on each pixel, decoder means (Kingma & Welling 2014, App. C.2); σ² fixed, learned per channel or per pixel (Lucas et al. 2019)",
  file: "src/distributions/likelihoods/gaussian.ts",
  schema: z.object({
    gaussianVariance: scaleField()
      .default(1)
      .describe(
        "σ² of the Gaussian: a fixed variance, 'learned' (one per channel) or 'learned-pixel' (one per pixel and channel)",
      ),
  }),
  config: (options) => ({ kind: "gaussian", variance: options.gaussianVariance }),
  create: (config, imageShape) => ({
    config,
    outputChannels: imageShape[2],
    init: () => {
      const logvar = initLogScale(config.variance, imageShape);
      return logvar === undefined ? {} : { logvar };
    },
    logProb: (params, mean, x) =>
      gaussianLogLikelihood(mean, x, logScaleOf(config.variance, params.logvar, "logvar")),
    mean: (out) => out,
  }),
});
