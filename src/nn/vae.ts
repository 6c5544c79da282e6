/**
 * The VAE as a pure function of its parameters (Kingma & Welling 2014): a Gaussian
 * encoder q(z|x) = N(mu(x), diag exp(logvar(x))), the reparameterised sample
 * z = mu + exp(logvar / 2) * eps (or, with the stick-breaking prior, a Kumaraswamy posterior
 * and stick weights for the decoder: posterior-family.ts), a decoder with a likelihood p(x|z) of the registry
 * (src/distributions/likelihoods/), and the prior p(z) (src/distributions/priors.ts), which is
 * part of the model; a learned prior's parameters are in the tree with the networks', and the
 * VampPrior's pseudo-inputs go through the encoder with each batch.
 */
import type { DiagonalGaussianParams } from "../distributions/diagonal-gaussian.ts";
import type { Distribution } from "../distributions/distribution.ts";
import type {
  LikelihoodConfig,
  LikelihoodParams,
} from "../distributions/likelihoods/pixel-likelihood.ts";
import { createLikelihood } from "../distributions/likelihoods/registry.ts";
import type { Prior, PriorParams } from "../distributions/priors.ts";
import type { ConvSchedule } from "../engine/conv.ts";
import { type Array, numpy as np, tree } from "../engine/jax.ts";
import { splitKey } from "../engine/prng.ts";
import type { LatentBatch } from "../objectives/objective.ts";
import {
  type Architecture,
  ArchitectureShapeError,
  type DecoderParams,
  type EncoderParams,
} from "./architecture.ts";
import { type PosteriorFamily, posteriorFamily } from "./posterior-family.ts";

export type { LikelihoodConfig } from "../distributions/likelihoods/pixel-likelihood.ts";

export type VaeParams = {
  encoder: EncoderParams;
  decoder: DecoderParams;
  /** The likelihood's learned scale (a Gaussian's log-variance, a Laplace's log-scale); empty otherwise. */
  likelihood: LikelihoodParams;
  /** A learned prior's parameters (src/distributions/priors.ts); empty for a fixed prior. */
  prior: PriorParams;
};

export interface Vae {
  readonly architecture: Architecture;
  readonly likelihood: LikelihoodConfig;
  readonly prior: Prior;
  /** The encoder's posterior family, chosen by the prior (posterior-family.ts). */
  readonly posteriorFamily: PosteriorFamily;
  /**
   * Fresh parameters: encoder, decoder, a learned likelihood scale and a learned prior where
   * configured; consumes `key`.
   */
  init(key: Array): VaeParams;
  /**
   * p(z), made from the model's parameters for a learned prior (for the VampPrior, by encoding
   * its pseudo-inputs). Consumes params' encoder and prior (pass `tree.ref` to keep them).
   */
  priorDistribution(params: Pick<VaeParams, "encoder" | "prior">): Distribution;
  /**
   * The prior with `params` bound, for code that takes a {@link Prior} (metrics, pictures):
   * its `distribution(latentDim)` is {@link priorDistribution} of the trained model. Borrows
   * params: they must outlive it.
   */
  trainedPrior(params: VaeParams): Prior;
  /**
   * Consumes params and x [B,H,W,C]; returns q(z|x)'s mean and log-variance (for a
   * non-Gaussian posterior, its moment-matched Gaussian: see posterior-family.ts).
   */
  encode(params: EncoderParams, x: Array, schedule?: ConvSchedule): DiagonalGaussianParams;
  /** Consumes params and x [B,H,W,C]; returns q(z|x) in its own family, parameters [B, Z]. */
  encodePosterior(params: EncoderParams, x: Array, schedule?: ConvSchedule): Distribution;
  /**
   * Full forward pass for an objective: consumes params, x [B,H,W,C] and eps [B,Z]
   * (standard normal noise); returns log p(x|z) per example and the latent batch.
   */
  forward(params: VaeParams, x: Array, eps: Array): LatentBatch;
  /**
   * Consumes params and z [B,Z]; returns the likelihood's mean image [B,H,W,C] (in [0,1]
   * for the Bernoulli and the logistic mixture; pictures clip the others). A forward-only
   * pass: uses the "inference" convolution schedule.
   */
  decodeMean(params: DecoderParams, z: Array): Array;
}

/**
 * A VAE (Kingma & Welling 2014) from an encoder/decoder pair, a likelihood p(x|z) (one of
 * src/distributions/likelihoods/registry.ts) and a prior p(z). Pure functions over parameter
 * trees; the objectives decide what to do with its forward pass. The architecture's decoder
 * must give the likelihood's outputs per pixel (`decoderOutputChannels`).
 */
export function createVae(
  architecture: Architecture,
  likelihood: LikelihoodConfig,
  prior: Prior,
): Vae {
  const { latentDim, imageShape } = architecture.config;
  const family = posteriorFamily(prior.posterior);
  const pseudoInputs = prior.learned?.pseudoInputs;
  const pixels = createLikelihood(likelihood, imageShape);
  const decoderOutputs = architecture.config.outputChannels ?? imageShape[2];
  if (decoderOutputs !== pixels.outputChannels) {
    throw new ArchitectureShapeError(
      `createVae: the ${likelihood.kind} likelihood reads ${pixels.outputChannels} decoder outputs per pixel, but ${architecture.name}'s decoder gives ${decoderOutputs}; create the architecture with outputChannels: ${pixels.outputChannels} (see decoderOutputChannels)`,
    );
  }
  const priorDistribution: Vae["priorDistribution"] = ({ encoder, prior: learned }) => {
    if (pseudoInputs === undefined) {
      tree.dispose(encoder);
      return prior.distribution(latentDim, { params: learned });
    }
    const pseudoPosteriors = architecture.encode(encoder, pseudoInputs(learned));
    return prior.distribution(latentDim, { params: {}, pseudoPosteriors });
  };
  return {
    architecture,
    likelihood,
    prior,
    posteriorFamily: family,
    init(key) {
      const { learned, components } = prior;
      const [encoderKey, decoderKey, priorKey] = splitKey(key, learned ? 3 : 2);
      return {
        encoder: architecture.initEncoder(encoderKey),
        decoder: architecture.initDecoder(decoderKey),
        likelihood: pixels.init(),
        prior: learned?.init(priorKey, components ?? 0, latentDim, imageShape) ?? {},
      };
    },
    priorDistribution,
    trainedPrior(params) {
      return {
        ...prior,
        distribution: (d) => {
          if (d !== latentDim) {
            throw new RangeError(
              `trained prior: the model has ${latentDim} latent dimensions, asked for ${d}`,
            );
          }
          return priorDistribution({
            encoder: tree.ref(params.encoder),
            prior: tree.ref(params.prior),
          });
        },
      };
    },
    encode: (params, x, schedule) =>
      family.summary(family.posterior(architecture.encode(params, x, schedule))),
    encodePosterior: (params, x, schedule) =>
      family.posterior(architecture.encode(params, x, schedule)),
    forward(params, x, eps) {
      const { encoder, decoder, likelihood: scale, prior: learned } = params;
      let posterior: Distribution;
      let batchPrior: Distribution;
      if (pseudoInputs === undefined) {
        posterior = family.posterior(architecture.encode(encoder, x.ref));
        batchPrior = prior.distribution(latentDim, { params: learned });
      } else {
        // One encoder pass over the batch and the K pseudo-inputs together.
        const batch = x.shape[0];
        const both = np.concatenate([x.ref, pseudoInputs(learned)], 0);
        const { mu, logvar } = architecture.encode(encoder, both);
        const [mu1, mu2] = np.split(mu, [batch], 0);
        const [logvar1, logvar2] = np.split(logvar, [batch], 0);
        posterior = family.posterior({ mu: mu1, logvar: logvar1 });
        batchPrior = prior.distribution(latentDim, {
          params: {},
          pseudoPosteriors: { mu: mu2, logvar: logvar2 },
        });
      }
      const z = family.sample(posterior.ref(), eps);
      const out = architecture.decode(decoder, family.decoderInput(z.ref));
      return {
        logPxGivenZ: pixels.logProb(scale, out, x),
        z,
        posterior,
        prior: batchPrior,
      };
    },
    decodeMean(params, z) {
      return pixels.mean(architecture.decode(params, family.decoderInput(z), "inference"));
    },
  };
}

/** Decoder outputs per pixel that `likelihood` reads from images of `channels` channels. */
export function decoderOutputChannels(likelihood: LikelihoodConfig, channels: number): number {
  return createLikelihood(likelihood, [1, 1, channels]).outputChannels;
}
