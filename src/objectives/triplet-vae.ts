/**
 * The oracle-constrained triplet VAE objective (Karaletsos, Belongie & Rätsch 2016, Sec. 3,
 * eq. 6): the unsupervised objective over images plus λ times the negative log-likelihood of
 * the observed triplets, plus an optional L1 penalty on learned masks (Veit et al. 2017).
 *
 *   loss = base.loss(images) + λ · mean_t[ℓ(t)] + w_L1 · Σ_{Q,h} m_Q,h
 *
 * ℓ(t) is the paper's -log p(t) by default; the metric losses of later work, the triplet
 * margin loss and InfoNCE, take the same slot over the same masked distances (triplet-loss.ts).
 *
 * Design. The base is any {@link Objective} (VAE, beta-VAE, beta-TCVAE), applied unchanged to
 * a batch of B images. Each training step also carries T triplets (any mix of queries; the
 * simplest batching is T/Q per query) whose 3T images went through the same encoder; the
 * caller passes their posteriors [T, Z], the query index of each triplet and the [Q, Z] masks
 * (from src/nn/subspace-masks.ts, so learned masks get gradients through them). Whether the
 * 3T triplet images also enter the ELBO is the caller's choice (concatenate them into the
 * image batch). Both terms are means, so λ sets their relative weight; the paper's sums over
 * a whole data set correspond to λ = (number of triplets / number of images) in expectation.
 * Terms: the base's terms plus `triplet` (mean ℓ(t)), `tripletAccuracy` (fraction with
 * d_Q(i,j) < d_Q(i,k), ties half) and `maskL1` (Σ m), all unweighted.
 */

import { z } from "zod";
import {
  canonicalDivergenceName,
  DIVERGENCE_NAMES,
  type Divergence,
} from "../distributions/divergences/divergence.ts";
import { type Array, numpy as np, tree } from "../engine/jax.ts";
import { checkWeight } from "./check-weight.ts";
import type { LatentBatch, Objective, ObjectiveContext, ObjectiveResult } from "./objective.ts";
import {
  masksPerTriplet,
  type TripletPosteriors,
  tripletAccuracyOf,
  tripletDistances,
  tripletNoiseShape,
} from "./triplet-likelihood.ts";
import {
  checkTripletLoss,
  TRIPLET_LOSS_NAMES,
  type TripletLossConfig,
  tripletLossOf,
} from "./triplet-loss.ts";

/** The triplet half of a training step. */
export interface TripletBatch extends TripletPosteriors {
  /** [T] int32 query index of each triplet, in [0, Q). */
  query: Array;
  /** [Q, Z] non-negative mask weights. */
  masks: Array;
  /** Standard normal noise of shape `tripletNoiseShape(divergence, T, Z)`, for Monte Carlo divergences only. */
  noise?: Array;
}

export interface TripletVaeConfig {
  /** The unsupervised objective over the images. */
  base: Objective;
  divergence: Divergence;
  /** ℓ(t): the triplet likelihood or a metric loss, over `divergence`'s masked distances. */
  loss: TripletLossConfig;
  /** λ, the weight of the mean triplet loss. */
  weight: number;
  /** Weight of the L1 penalty Σ m on the masks (0 for fixed masks). */
  maskL1: number;
}

export interface TripletObjective {
  readonly name: "triplet-vae";
  readonly base: Objective;
  readonly divergence: Divergence;
  readonly loss: TripletLossConfig;
  /** Noise shape for T triplets of Z dimensions, or null (see triplet-likelihood.ts). */
  noiseShape(triplets: number, latentDim: number): number[] | null;
  /** Consumes every array of `images`, `triplets` and `ctx`. Pure: usable inside grad and jit. */
  evaluate(images: LatentBatch, triplets: TripletBatch, ctx: ObjectiveContext): ObjectiveResult;
}

function checkShapes(triplets: TripletBatch): void {
  const [t, z] = triplets.anchor.mu.shape;
  const fields: [string, Array][] = [];
  for (const role of ["anchor", "positive", "negative"] as const) {
    fields.push([`${role}.mu`, triplets[role].mu], [`${role}.logvar`, triplets[role].logvar]);
  }
  for (const [name, a] of fields) {
    if (a.shape.length !== 2 || a.shape[0] !== t || a.shape[1] !== z) {
      throw new RangeError(
        `triplet-vae: triplets.${name} has shape [${a.shape}], expected [${t}, ${z}]`,
      );
    }
  }
  if (triplets.query.shape.join() !== String(t)) {
    throw new RangeError(
      `triplet-vae: triplets.query has shape [${triplets.query.shape}], expected [${t}]`,
    );
  }
  if (triplets.masks.shape.length !== 2 || triplets.masks.shape[1] !== z) {
    throw new RangeError(
      `triplet-vae: triplets.masks has shape [${triplets.masks.shape}], expected [queries, ${z}]`,
    );
  }
}

/**
 * The triplet VAE's objective (Karaletsos et al. 2016, eq. 6): `config.base` over the images
 * plus λ times the triplets' mean loss ℓ(t), plus the optional L1 mask penalty. Throws a
 * RangeError for a weight, loss or loss-divergence pair it cannot train.
 */
export function tripletVaeObjective(config: TripletVaeConfig): TripletObjective {
  checkWeight("triplet-vae", "weight", config.weight);
  checkWeight("triplet-vae", "maskL1", config.maskL1);
  const { base, divergence, loss, weight, maskL1 } = config;
  checkTripletLoss(loss, divergence);
  return {
    name: "triplet-vae",
    base,
    divergence,
    loss,
    noiseShape: (triplets, latentDim) => tripletNoiseShape(divergence, triplets, latentDim),
    evaluate(images, triplets, ctx) {
      checkShapes(triplets);
      const unsupervised = base.evaluate(images, ctx);
      const { query, masks, noise, ...posteriors } = triplets;
      const l1 = np.sum(masks.ref);
      const rows = masksPerTriplet(masks, query.ref);
      const distances = tripletDistances(divergence, tree.ref(posteriors), rows.ref, noise);
      const accuracy = tripletAccuracyOf({
        positive: distances.positive.ref,
        negative: distances.negative.ref,
      });
      const tripletLoss = np.mean(
        tripletLossOf(loss, divergence, { distances, posteriors, masks: rows, query }),
      );
      const total = unsupervised.loss.add(tripletLoss.ref.mul(weight)).add(l1.ref.mul(maskL1));
      return {
        loss: total,
        terms: {
          ...unsupervised.terms,
          triplet: tripletLoss,
          tripletAccuracy: accuracy,
          maskL1: l1,
        },
      };
    },
  };
}

const positiveInt = () => z.number().int().positive();

/**
 * The triplet VAE's hyperparameters: its supervised latent term (queries, triplets, divergence,
 * masks, λ). The unsupervised part is any objective of the registry (`base`); the training
 * task (src/train/triplet-task.ts) builds the masks, the divergence and the objective from them.
 */
export const tripletVae = {
  name: "triplet-vae",
  summary:
    "any of the above + λ · triplet loss (the likelihood of Karaletsos, Belongie & Rätsch 2016, or a margin or InfoNCE loss) + mask L1",
  file: "src/objectives/triplet-vae.ts",
  schema: z.object({
    queries: z
      .array(z.string().min(1))
      .min(
        1,
        "the triplet VAE needs at least one query (factor names, e.g. --queries identity,azimuth)",
      )
      // Parsed, unlike a default: a missing list reads as the empty one and gets the message above.
      .prefault([])
      .describe("notions of similarity, comma-separated factor names ('a+b' for several)"),
    tripletsPerQuery: positiveInt().max(1024).default(16).describe("triplets per query per step"),
    tripletWeight: z
      .number()
      .nonnegative()
      .optional()
      .describe("weight λ of the mean triplet loss (default: values per image, H·W·C)"),
    tripletMargin: z.number().nonnegative().default(0).describe("margin for continuous factors"),
    divergence: z
      .preprocess(
        (name) => (typeof name === "string" ? canonicalDivergenceName(name) : name),
        z.enum(DIVERGENCE_NAMES),
      )
      .default("jensen-shannon-per-dim")
      .describe("divergence between the masked posteriors"),
    tripletLoss: z
      .enum(TRIPLET_LOSS_NAMES)
      .default("likelihood")
      .describe(
        "loss per triplet: likelihood (Karaletsos et al. 2016), margin (Schroff et al. 2015) or infonce (van den Oord et al. 2018)",
      ),
    hingeMargin: z
      .number()
      .nonnegative()
      .default(1)
      .describe("margin α of --triplet-loss margin, in the divergence's units"),
    infonceTemperature: z
      .number()
      .positive()
      .default(1)
      .describe("temperature τ of --triplet-loss infonce"),
    divergenceEstimator: z
      .enum(["gauss-hermite", "monte-carlo"])
      .default("gauss-hermite")
      .describe("how jensen-shannon-per-dim is computed"),
    masks: z
      .enum(["fixed", "learned"])
      .default("fixed")
      .describe("query subspaces: disjoint fixed blocks, or learned L1-penalised weights"),
    dimsPerQuery: positiveInt()
      .optional()
      .describe("latent dimensions per query for fixed masks (default z / (queries + 1))"),
    maskL1: z.number().nonnegative().default(1e-3).describe("L1 weight on learned masks"),
    evalTriplets: positiveInt()
      .default(500)
      .describe("held-out triplets per query for the accuracy logged during training"),
  }),
} as const;
