/**
 * The Laplace likelihood Laplace(x; loc, b) on each pixel: an L1 reconstruction error with a
 * scale, heavier-tailed than the Gaussian, so a few badly reconstructed pixels cost less and
 * edges blur less (the L1 loss of pix2pix, Isola et al. 2017, Sec. 3.1, read as a likelihood).
 * The decoder outputs the location; b is fixed, learned per channel, or learned per pixel and
 * channel (scale.ts).
 */
import { z } from "zod";
import type { Array } from "../../engine/jax.ts";
import { laplaceLogDensity } from "../laplace.ts";
import { sumOverPixels } from "../sum-over-pixels.ts";
import { defineLikelihood } from "./pixel-likelihood.ts";
import { initLogScale, logScaleOf, scaleField } from "./scale.ts";

/**
 * log Laplace(x; loc, exp(logscale)) summed over pixels: [B, ...] loc and x -> [B]; `logscale`
 * broadcasts against x. Consumes its arrays.
 */
export function laplaceLogLikelihood(loc: Array, x: Array, logscale: Array): Array {
  return sumOverPixels(laplaceLogDensity(x, loc, logscale));
}

export const laplace = defineLikelihood({
  name: "laplace",
  summary:
    "Laplace(x; loc, b) on each pixel, decoder locations: an L1 error with a scale (as in Isola et al. 2017); b fixed, learned per channel or per pixel",
  file: "src/distributions/likelihoods/laplace.ts",
  schema: z.object({
    laplaceScale: scaleField()
      .default("learned-pixel")
      .describe(
        "b of the Laplace: a fixed scale, 'learned' (one per channel) or 'learned-pixel' (one per pixel and channel)",
      ),
  }),
  config: (options) => ({ kind: "laplace", scale: options.laplaceScale }),
  create: (config, imageShape) => ({
    config,
    outputChannels: imageShape[2],
    init: () => {
      const logscale = initLogScale(config.scale, imageShape);
      return logscale === undefined ? {} : { logscale };
    },
    logProb: (params, loc, x) =>
      laplaceLogLikelihood(loc, x, logScaleOf(config.scale, params.logscale, "logscale")),
    mean: (out) => out,
  }),
});
