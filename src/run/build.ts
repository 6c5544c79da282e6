/**
 * Everything a run's config builds: the dataset, the model (architecture + likelihood), the
 * train/held-out split, and for a triplet VAE its queries, subspace masks, divergence and loss.
 * One place, so training, evaluation and the pictures build the same run the same way.
 */
import type { Dataset } from "../data/dataset.ts";
import { permutation, Rng } from "../data/random.ts";
import { holdOutFactorValues, type Split, trainValidationSplit } from "../data/split.ts";
import type { TripletQuery } from "../data/triplets.ts";
import type { DivergenceConfig } from "../distributions/divergences/divergence.ts";
import { likelihoodDescriptor } from "../distributions/likelihoods/registry.ts";
import { createPrior } from "../distributions/priors.ts";
import type { ArchitectureName, ImageShape } from "../nn/architecture.ts";
import { createArchitecture } from "../nn/architectures/index.ts";
import { createSubspaceMasks, type SubspaceMasks } from "../nn/subspace-masks.ts";
import { createVae, decoderOutputChannels, type LikelihoodConfig, type Vae } from "../nn/vae.ts";
import type { TripletLossConfig } from "../objectives/triplet-loss.ts";
import { likelihoodOptions, type TrainConfig, tripletOptions } from "./config.ts";

/** The default architecture for an image shape: conv-burgess at 64x64, conv-small at <=32, else the MLP. */
export function defaultArchitecture([height, width]: ImageShape): ArchitectureName {
  if (height === 64 && width === 64) return "conv-burgess";
  if (height <= 32 && width <= 32 && height % 4 === 0 && width % 4 === 0) return "conv-small";
  return "mlp-chen";
}

/** The model's likelihood: the config's `likelihood` with its options (their defaults filled in). */
export function likelihoodOf(config: TrainConfig): LikelihoodConfig {
  const descriptor = likelihoodDescriptor(config.likelihood);
  return descriptor.config(descriptor.schema.parse(likelihoodOptions(config)));
}

/** The VAE a run config describes for images of `imageShape` (architecture, likelihood, prior). */
export function buildModel(config: TrainConfig, imageShape: ImageShape): Vae {
  const name = config.architecture ?? defaultArchitecture(imageShape);
  const likelihood = likelihoodOf(config);
  const outputChannels = decoderOutputChannels(likelihood, imageShape[2]);
  return createVae(
    createArchitecture(name, { imageShape, latentDim: config.z, outputChannels }),
    likelihood,
    createPrior(config.prior, config.priorComponents),
  );
}

/**
 * The run's train/held-out split: images with the `holdOut` factor values are held out
 * when given (e.g. whole subjects), else a seeded random `validationFraction`.
 */
export function runSplit(config: TrainConfig, dataset: Dataset): Split {
  return config.holdOut
    ? holdOutFactorValues(dataset, config.holdOut.factor, config.holdOut.values)
    : trainValidationSplit(dataset.count, config.validationFraction, config.seed);
}

/** A seeded random order of the run's held-out images (the training images if none are held out). */
export function heldOutOrder(config: TrainConfig, dataset: Dataset): number[] {
  const { validation, train } = runSplit(config, dataset);
  const pool = validation.length > 0 ? validation : train;
  return Array.from(permutation(pool.length, new Rng(config.seed, 0x5ab)), (i) => pool[i]);
}

/** Parses "identity" or "shape+color" into a query over those factors. */
export function parseQuery(text: string, margin: number): TripletQuery {
  return { name: text, factors: text.split("+").map((f) => f.trim()), margin };
}

export function divergenceConfig(config: TrainConfig): DivergenceConfig {
  const { divergence, divergenceEstimator } = tripletOptions(config);
  if (divergence !== "jensen-shannon-per-dim") return { name: divergence };
  return divergenceEstimator === "monte-carlo"
    ? { name: divergence, estimator: "monte-carlo", samples: 8 }
    : { name: divergence, estimator: "gauss-hermite" };
}

/** The triplet VAE's loss per triplet (objectives/triplet-loss.ts) with its own setting. */
export function tripletLossConfig(config: TrainConfig): TripletLossConfig {
  const { tripletLoss, hingeMargin, infonceTemperature } = tripletOptions(config);
  if (tripletLoss === "margin") return { name: tripletLoss, margin: hingeMargin };
  if (tripletLoss === "infonce") return { name: tripletLoss, temperature: infonceTemperature };
  return { name: tripletLoss };
}

export function subspaceMasksOf(config: TrainConfig): SubspaceMasks {
  const triplet = tripletOptions(config);
  const queries = triplet.queries.length;
  return createSubspaceMasks(
    triplet.masks === "learned"
      ? { kind: "learned", queries, parameterization: "softplus" }
      : {
          kind: "fixed",
          queries,
          dimsPerQuery: triplet.dimsPerQuery ?? Math.max(1, Math.floor(config.z / (queries + 1))),
        },
    config.z,
  );
}
