/**
 * The VAE as a pure function of its parameters (Kingma & Welling 2014): a Gaussian
 * encoder q(z|x) = N(mu(x), diag exp(logvar(x))), the reparameterised sample
 * z = mu + exp(logvar / 2) * eps, a decoder with a Bernoulli or Gaussian likelihood, and the
 * prior p(z) (src/distributions/priors.ts), which is part of the model.
 */
import { bernoulliLogLikelihood } from "../distributions/bernoulli.ts";
import {
  type DiagonalGaussianParams,
  diagonalGaussian,
  reparameterize,
} from "../distributions/diagonal-gaussian.ts";
import { gaussianLogLikelihood } from "../distributions/gaussian-likelihood.ts";
import type { Prior } from "../distributions/priors.ts";
import type { ConvSchedule } from "../engine/conv.ts";
import { type Array, nn, numpy as np } from "../engine/jax.ts";
import { splitKey } from "../engine/prng.ts";
import type { LatentBatch } from "../objectives/objective.ts";
import type { Architecture, DecoderParams, EncoderParams } from "./architecture.ts";

export type LikelihoodConfig =
  | { kind: "bernoulli" }
  | { kind: "gaussian"; variance: number }
  | { kind: "gaussian"; variance: "learned" };

export type VaeParams = {
  encoder: EncoderParams;
  decoder: DecoderParams;
  /** Per-channel log-variance of a learned Gaussian likelihood; empty otherwise. */
  likelihood: { logvar?: Array };
};

export interface Vae {
  readonly architecture: Architecture;
  readonly likelihood: LikelihoodConfig;
  readonly prior: Prior;
  /** Fresh parameters: encoder, decoder and a learned likelihood scale where configured; consumes `key`. */
  init(key: Array): VaeParams;
  /** Consumes params and x [B,H,W,C]; returns q(z|x)'s mean and log-variance. */
  encode(params: EncoderParams, x: Array, schedule?: ConvSchedule): DiagonalGaussianParams;
  /**
   * Full forward pass for an objective: consumes params, x [B,H,W,C] and eps [B,Z]
   * (standard normal noise); returns log p(x|z) per example and the latent batch.
   */
  forward(params: VaeParams, x: Array, eps: Array): LatentBatch;
  /**
   * Consumes params and z [B,Z]; returns the likelihood's mean image [B,H,W,C] (in [0,1]
   * for Bernoulli). A forward-only pass: uses the "inference" convolution schedule.
   */
  decodeMean(params: DecoderParams, z: Array): Array;
}

/**
 * A VAE (Kingma & Welling 2014) from an encoder/decoder pair, a likelihood p(x|z) (Bernoulli,
 * or Gaussian with fixed or learned variance) and a prior p(z). Pure functions over parameter
 * trees; the objectives decide what to do with its forward pass.
 */
export function createVae(
  architecture: Architecture,
  likelihood: LikelihoodConfig,
  prior: Prior,
): Vae {
  const channels = architecture.config.imageShape[2];
  const { latentDim } = architecture.config;
  return {
    architecture,
    likelihood,
    prior,
    init(key) {
      const [encoderKey, decoderKey] = splitKey(key, 2);
      return {
        encoder: architecture.initEncoder(encoderKey),
        decoder: architecture.initDecoder(decoderKey),
        likelihood:
          likelihood.kind === "gaussian" && likelihood.variance === "learned"
            ? { logvar: np.zeros([channels]) }
            : {},
      };
    },
    encode: (params, x, schedule) => architecture.encode(params, x, schedule),
    forward(params, x, eps) {
      const { mu, logvar } = architecture.encode(params.encoder, x.ref);
      const z = reparameterize(mu.ref, logvar.ref, eps);
      const out = architecture.decode(params.decoder, z.ref);
      let logPxGivenZ: Array;
      if (likelihood.kind === "bernoulli") {
        logPxGivenZ = bernoulliLogLikelihood(out, x);
      } else {
        const pixelLogvar =
          likelihood.variance === "learned"
            ? (params.likelihood.logvar as Array)
            : np.full([channels], Math.log(likelihood.variance));
        logPxGivenZ = gaussianLogLikelihood(out, x, pixelLogvar);
      }
      return {
        logPxGivenZ,
        z,
        posterior: diagonalGaussian({ mu, logvar }),
        prior: prior.distribution(latentDim),
      };
    },
    decodeMean(params, z) {
      const out = architecture.decode(params, z, "inference");
      return likelihood.kind === "bernoulli" ? nn.sigmoid(out) : out;
    },
  };
}
