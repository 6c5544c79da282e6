/**
 * The supervised latent term's loss per triplet, one of three over the same masked distances
 * d_Q (the divergence of triplet-vae.ts's config):
 *
 * - likelihood: -log p(t), the Bernoulli triplet likelihood of Karaletsos, Belongie & Rätsch
 *   2016 (eq. 5; triplet-likelihood.ts), the probabilistic term;
 * - margin: max(0, d_Q(i,j) - d_Q(i,k) + α), the triplet margin loss (Schroff et al. 2015;
 *   triplet-margin-loss.ts);
 * - infonce: -log softmax of -d_Q/τ over the step's candidates of the query (van den Oord et
 *   al. 2018; triplet-infonce.ts).
 *
 * Adding one: a file with the loss and one case here.
 */
import type { Divergence } from "../distributions/divergences/divergence.ts";
import { type Array, tree } from "../engine/jax.ts";
import { infoNceDivergence, tripletInfoNce } from "./triplet-infonce.ts";
import {
  type TripletDistances,
  type TripletPosteriors,
  tripletLogLikelihood,
} from "./triplet-likelihood.ts";
import { tripletMarginLoss } from "./triplet-margin-loss.ts";

export const TRIPLET_LOSS_NAMES = ["likelihood", "margin", "infonce"] as const;
export type TripletLossName = (typeof TRIPLET_LOSS_NAMES)[number];

export type TripletLossConfig =
  | { name: "likelihood" }
  /** `margin`: α ≥ 0, in the divergence's units. */
  | { name: "margin"; margin: number }
  /** `temperature`: τ > 0. */
  | { name: "infonce"; temperature: number };

/** What a triplet loss sees of one step's triplets; consumed by {@link tripletLossOf}. */
export interface TripletLossInputs {
  /** d_Q(i, j) and d_Q(i, k), [T] each. */
  distances: TripletDistances;
  /** The posteriors, [T, Z] each (InfoNCE only: it scores every pair). */
  posteriors: TripletPosteriors;
  /** [T, Z] each triplet's mask row. */
  masks: Array;
  /** [T] int32 query index of each triplet. */
  query: Array;
}

/** Throws a RangeError when `config` cannot be trained with `divergence` (before any step runs). */
export function checkTripletLoss(config: TripletLossConfig, divergence: Divergence): void {
  if (config.name === "infonce") infoNceDivergence(divergence);
}

/** The loss per triplet, [T]. Consumes every array of `inputs`. */
export function tripletLossOf(
  config: TripletLossConfig,
  divergence: Divergence,
  inputs: TripletLossInputs,
): Array {
  const { distances, posteriors, masks, query } = inputs;
  if (config.name === "infonce") {
    distances.positive.dispose();
    distances.negative.dispose();
    return tripletInfoNce(
      infoNceDivergence(divergence),
      posteriors,
      masks,
      query,
      config.temperature,
    );
  }
  tree.dispose([posteriors, masks, query]);
  return config.name === "margin"
    ? tripletMarginLoss(distances, config.margin)
    : tripletLogLikelihood(distances).neg();
}
