/**
 * The `triplet` metric of `disentangle eval`: accuracy of held-out triplets per query
 * (Karaletsos et al. 2016, Sec. 5), in every query's subspace and in the full latent space.
 * Triplets are drawn (seeded) from the run's held-out images: the `--hold-out` factor
 * values when the run had them (e.g. unseen subjects), else its validation split. For a
 * triplet VAE the queries and masks are the run's; any other run is scored in its full
 * latent space on the queries given in the options (a baseline for the same triplets).
 */

import { z } from "zod";
import { type TripletQuery, TripletSampler } from "../data/triplets.ts";
import { createDivergence } from "../distributions/divergences/divergence.ts";
import { keyFromSeed } from "../engine/prng.ts";
import { tripletAccuracy } from "../objectives/triplet-accuracy.ts";
import { tripletVae } from "../objectives/triplet-vae.ts";
import { divergenceConfig, parseQuery, runSplit } from "../run/build.ts";
import { encodeDataset } from "../run/encode-dataset.ts";
import { drawHeldOutTriplets } from "../run/held-out-triplets.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import { defineMetric } from "./metric.ts";

export interface TripletEvalOptions {
  /** Queries to score a run without its own (factor names, "a+b" for several). */
  queries?: string[];
  /** Held-out triplets per query (default 1000). */
  tripletsPerQuery?: number;
  seed: number;
}

export interface TripletEvalResult {
  /** Per query: accuracy in its own subspace (null without one) and in the full space. */
  perQuery: Record<string, { subspace: number | null; full: number; triplets: number }>;
  /** cross[q][r]: query q's triplets scored in query r's subspace (triplet VAE runs). */
  cross: Record<string, Record<string, number>> | null;
  options: Record<string, unknown>;
}

/** The queries a run can be scored on, or a clear error. */
export function tripletQueries(run: TrainedRun, requested?: string[]): string[] {
  if (run.masks) return run.masks.names;
  if (requested && requested.length > 0) return requested;
  throw new Error(
    `${run.runDir} is a ${run.config.model} run without queries: pass --queries (factor names) to score its full latent space on held-out triplets`,
  );
}

export async function evaluateTriplets(
  run: TrainedRun,
  options: TripletEvalOptions,
): Promise<TripletEvalResult> {
  const names = tripletQueries(run, options.queries);
  const { dataset, model, params, config } = run;
  // A run without triplet settings (a plain VAE scored on queries) takes the default margin.
  const margin = tripletVae.schema.shape.tripletMargin.parse(config.tripletMargin);
  const queries: TripletQuery[] = names.map((q) => parseQuery(q, margin));
  const { validation } = runSplit(config, dataset);
  const perQuery = options.tripletsPerQuery ?? HELD_OUT_TRIPLETS;
  const sampler = new TripletSampler(dataset, queries, { seed: options.seed, indices: validation });
  const heldOut = drawHeldOutTriplets(sampler, perQuery);
  const posteriors = await encodeDataset(model, params.encoder, dataset, heldOut.images);
  const latentDim = posteriors.latentDim;
  // ... and the triplet VAE's default divergence (tripletOptions refuses other models).
  const tripletConfig =
    config.model === tripletVae.name
      ? config
      : { ...config, model: tripletVae.name, queries: names };
  const divergence = createDivergence(divergenceConfig(tripletConfig));
  const masks = run.masks ?? { data: new Float32Array(0), queries: 0, dims: latentDim };
  // Without subspaces every query is scored with the all-ones mask only.
  const maskData = run.masks ? masks.data : new Float32Array(names.length * latentDim).fill(1);
  const stochastic = divergence.noiseShape([1, latentDim]) !== null;
  const report = await tripletAccuracy(
    { mu: posteriors.mu, logvar: posteriors.logvar, count: posteriors.count, dims: latentDim },
    heldOut.rows,
    { data: maskData, queries: names.length, dims: latentDim },
    divergence,
    stochastic ? { key: keyFromSeed(options.seed) } : {},
  );
  const result: TripletEvalResult["perQuery"] = {};
  names.forEach((name, q) => {
    result[name] = {
      subspace: run.masks ? report.subspace[q] : null,
      full: report.full[q],
      triplets: report.counts[q],
    };
  });
  const cross = run.masks
    ? Object.fromEntries(
        names.map((name, q) => [
          name,
          Object.fromEntries(names.map((other, r) => [other, report.cross[q][r]])),
        ]),
      )
    : null;
  return {
    perQuery: result,
    cross,
    options: {
      tripletsPerQuery: perQuery,
      seed: options.seed,
      heldOut: config.holdOut ?? { validationFraction: config.validationFraction },
      divergence: divergence.config,
      queries: names,
    },
  };
}

/** Held-out triplets per query by default. */
export const HELD_OUT_TRIPLETS = 1000;

export const tripletMetric = defineMetric({
  name: "triplet",
  summary:
    "Held-out triplet accuracy per query (Karaletsos et al. 2016, Sec. 5), in each query's subspace, the other queries' and the full latent space",
  missing: (input, given) =>
    input.run === undefined || input.factors === undefined
      ? "needs a trained run on a dataset with factors (it draws triplets of held-out images)"
      : input.run.masks === undefined && given.queries === undefined
        ? "needs queries: a triplet-vae run, or --queries (factor names) to score this run's full latent space"
        : null,
  schema: z.object({
    queries: z
      .array(z.string())
      .optional()
      .describe("queries to score a run without its own (factor names, 'a+b' for several)"),
    tripletsPerQuery: z
      .number()
      .int()
      .positive()
      .default(HELD_OUT_TRIPLETS)
      .describe("held-out triplets per query"),
  }),
  async compute(input, { queries, tripletsPerQuery, seed }) {
    const r = await evaluateTriplets(input.run as TrainedRun, { queries, tripletsPerQuery, seed });
    const values: Record<string, number | null> = {};
    for (const [query, { subspace, full }] of Object.entries(r.perQuery)) {
      values[`${query}.subspace`] = subspace;
      values[`${query}.full`] = full;
      // The query's triplets in the other queries' subspaces: near 0.5 when they ignore it.
      for (const [other, accuracy] of Object.entries(r.cross?.[query] ?? {})) {
        if (other !== query) values[`${query}.in-${other}-subspace`] = accuracy;
      }
    }
    return { values, options: r.options, details: { perQuery: r.perQuery, cross: r.cross } };
  },
});
