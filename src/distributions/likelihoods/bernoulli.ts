/**
 * The Bernoulli likelihood over pixels in [0,1] (Kingma & Welling 2014, App. C.1): the decoder
 * outputs logits and the mean image is their sigmoid. For grey levels it is not a normalised
 * density of x (the "continuous Bernoulli" of Loaiza-Ganem & Cunningham 2019 would be); it is
 * the disentanglement literature's usual choice.
 */
import { z } from "zod";
import { nn } from "../../engine/jax.ts";
import { bernoulliLogLikelihood } from "../bernoulli.ts";
import { defineLikelihood } from "./pixel-likelihood.ts";

export const bernoulli = defineLikelihood({
  name: "bernoulli",
  summary: "Bernoulli on each pixel, decoder logits (Kingma & Welling 2014, App. C.1)",
  file: "src/distributions/likelihoods/bernoulli.ts",
  schema: z.object({}),
  config: () => ({ kind: "bernoulli" }),
  create: (config, [, , channels]) => ({
    config,
    outputChannels: channels,
    init: () => ({}),
    logProb: (_params, logits, x) => bernoulliLogLikelihood(logits, x),
    mean: (logits) => nn.sigmoid(logits),
  }),
});
