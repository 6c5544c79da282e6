/**
 * The discretised logistic mixture likelihood for 8-bit images (Salimans et al. 2017,
 * "PixelCNN++", Sec. 2.1, eq. 2; the single-component form is Kingma et al. 2016's, "IAF",
 * App. C). Each pixel value x ∈ {0, 1/255, ..., 1} gets the mass of the bin [x - δ, x + δ]
 * (δ = 1/510) under a mixture of K logistics, the edge bins taking the tails:
 *
 *   p(x) = Σ_k π_k Π_c [σ((x_c + δ - μ_kc)/s_kc) - σ((x_c - δ - μ_kc)/s_kc)],
 *
 * with the lower bound replaced by -∞ at x_c = 0 and the upper by +∞ at x_c = 1, so the 256
 * bins of every channel sum to 1 exactly. One mixture indicator per pixel is shared by its
 * channels, as in PixelCNN++; unlike PixelCNN++ the channels' means do not depend linearly on
 * the preceding channels (that coupling serves an autoregressive decoder, which a VAE's
 * decoder is not), and values stay in [0,1] units (PixelCNN++ rescales to [-1,1]).
 *
 * The decoder outputs, per pixel, K mixture logits, then K·C means, then K·C log-scales
 * (component-major). log s is floored at -7 as in PixelCNN++. The bin mass is computed in a
 * form exact in floating point for every bin (not PixelCNN++'s switch to the density at the
 * bin centre when the mass is below 1e-5): for a = (x + δ - μ)/s and b = (x - δ - μ)/s,
 * log[σ(a) - σ(b)] = log σ(a) + log(1 - σ(b)) + log(1 - e^{-(a - b)}), where a - b = 2δ/s.
 * Data are rounded to the nearest of the 256 levels first.
 */
import { z } from "zod";
import { type Array, nn, numpy as np } from "../../engine/jax.ts";
import { softplus } from "../softplus.ts";
import { sumOverPixels } from "../sum-over-pixels.ts";
import { defineLikelihood } from "./pixel-likelihood.ts";

/** Pixel levels of an 8-bit image. */
const LEVELS = 256;
/** Half a bin in [0,1] units. */
const HALF_BIN = 0.5 / (LEVELS - 1);
/** PixelCNN++'s floor on the log-scale. */
const MIN_LOG_SCALE = -7;

/** Decoder outputs per pixel for K components over C channels: K logits, K·C means, K·C log-scales. */
export function mixtureOutputChannels(components: number, channels: number): number {
  return components * (1 + 2 * channels);
}

/** The mixture's parameters from decoder outputs [B,H,W,K(1+2C)]. Consumes `out`. */
function mixtureParams(out: Array, components: number, channels: number) {
  const [batch, height, width] = out.shape;
  const kc = components * channels;
  const [logits, means, logScales] = np.split(out, [components, components + kc], -1);
  const perComponent = [batch, height, width, components, channels];
  return {
    logits,
    means: means.reshape(perComponent),
    logScales: np.maximum(logScales.reshape(perComponent), MIN_LOG_SCALE),
  };
}

/**
 * log p(x) of each value x [..., C] under logistics (`means`, exp(`logScales`)) [..., C]
 * discretised to 256 bins over [0,1], elementwise. Consumes its arguments.
 */
export function discretisedLogisticLogProb(x: Array, means: Array, logScales: Array): Array {
  const inverseScale = np.exp(logScales.neg());
  const centred = x.ref.sub(means);
  const upper = centred.ref.add(HALF_BIN).mul(inverseScale.ref); // a
  const lower = centred.sub(HALF_BIN).mul(inverseScale.ref); // b
  const logCdfUpper = softplus(upper.neg()).neg(); // log σ(a)
  const logSurvivalLower = softplus(lower).neg(); // log(1 - σ(b))
  // log(1 - e^{-(a - b)}) with a - b = 2δ/s.
  const logBinWidth = np.log(np.expm1(inverseScale.mul(-2 * HALF_BIN)).neg());
  const interior = logCdfUpper.ref.add(logSurvivalLower.ref).add(logBinWidth);
  return np.where(
    x.ref.less(HALF_BIN),
    logCdfUpper,
    np.where(x.greater(1 - HALF_BIN), logSurvivalLower, interior),
  );
}

/** Images in [0,1] rounded to the nearest of the 256 levels. Consumes `x`. */
function quantise(x: Array): Array {
  return np.round(x.mul(LEVELS - 1)).div(LEVELS - 1);
}

/**
 * log p(x | decoder outputs) summed over pixels: x [B,H,W,C] in [0,1], `out` [B,H,W,K(1+2C)]
 * -> [B]. Consumes both.
 */
export function discretisedLogisticMixtureLogLikelihood(
  out: Array,
  x: Array,
  components: number,
): Array {
  const channels = x.shape[3];
  const { logits, means, logScales } = mixtureParams(out, components, channels);
  const levels = np.expandDims(quantise(x), 3); // [B,H,W,1,C] against K components
  const perComponent = np.sum(discretisedLogisticLogProb(levels, means, logScales), -1);
  return sumOverPixels(nn.logsumexp(perComponent.add(nn.logSoftmax(logits, -1)), -1));
}

/**
 * The mixture's mean image [B,H,W,C] in [0,1]: Σ_k π_k m_k with m_k the mean of component k's
 * logistic censored to [0,1], m = ∫_0^1 P(X > t) dt = s [softplus(μ/s) - softplus((μ - 1)/s)].
 * The discretised value is that censored variable rounded to the nearest level, so m is its
 * mean up to the rounding (at most half a bin, 0.002). Not Σ_k π_k μ_k clipped: components sit
 * past the edges (a black background is a narrow component far below 0) or are wide enough to
 * split their mass between the two edge bins (mean 1/2 whatever μ), and on pure-colour images
 * (colored-shapes) the trained decoder does both, so that mean came out black everywhere.
 * Consumes `out`.
 */
export function discretisedLogisticMixtureMean(
  out: Array,
  components: number,
  channels: number,
): Array {
  const { logits, means, logScales } = mixtureParams(out, components, channels);
  const scale = np.exp(logScales);
  const inverseScale = np.reciprocal(scale.ref);
  const censoredMeans = scale.mul(
    softplus(means.ref.mul(inverseScale.ref)).sub(softplus(means.sub(1).mul(inverseScale))),
  );
  const weights = np.expandDims(nn.softmax(logits, -1), -1); // [B,H,W,K,1]
  return np.clip(np.sum(weights.mul(censoredMeans), 3), 0, 1);
}

export const discretisedLogistic = defineLikelihood({
  name: "discretised-logistic",
  summary:
    "mixture of K logistics discretised to the 256 levels of 8-bit images (Salimans et al. 2017, PixelCNN++, eq. 2; K = 1: Kingma et al. 2016); decoder logits, means and log-scales per pixel",
  file: "src/distributions/likelihoods/discretised-logistic.ts",
  schema: z.object({
    mixtureComponents: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(5)
      .describe("mixture components K per pixel (1: a single discretised logistic)"),
  }),
  config: (options) => ({ kind: "discretised-logistic", components: options.mixtureComponents }),
  create: (config, [, , channels]) => ({
    config,
    outputChannels: mixtureOutputChannels(config.components, channels),
    init: () => ({}),
    logProb: (_params, out, x) =>
      discretisedLogisticMixtureLogLikelihood(out, x, config.components),
    mean: (out) => discretisedLogisticMixtureMean(out, config.components, channels),
  }),
});
