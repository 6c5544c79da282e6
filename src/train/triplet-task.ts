/**
 * The oracle-constrained triplet VAE task (Karaletsos, Belongie & Rätsch 2016): each step
 * carries B images for the unsupervised objective and T triplets per query, whose 3·T·Q
 * images go through the same encoder; their posteriors enter the triplet loss (the Bernoulli
 * triplet likelihood, or a metric loss) in each query's masked subspace
 * (objectives/triplet-vae.ts).
 *
 * Held-out evaluation: triplets drawn once (fixed seed) from the held-out images (the
 * `holdOut` factor values, else the validation split) are scored at every logged step, per
 * query, in the query's own subspace and in the full latent space.
 */
import type { Dataset } from "../data/dataset.ts";
import { TripletSampler, type Triplets } from "../data/triplets.ts";
import { createDivergence, type Divergence } from "../distributions/divergences/divergence.ts";
import { type Array, numpy as np, random, tree } from "../engine/jax.ts";
import { foldIn, keyFromSeed, splitKey } from "../engine/prng.ts";
import type { MaskParams, SubspaceMasks } from "../nn/subspace-masks.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import type { Objective } from "../objectives/objective.ts";
import { tripletAccuracy } from "../objectives/triplet-accuracy.ts";
import { tripletVaeObjective } from "../objectives/triplet-vae.ts";
import { divergenceConfig, parseQuery, subspaceMasksOf, tripletLossConfig } from "../run/build.ts";
import { type TrainConfig, tripletOptions } from "../run/config.ts";
import { encodeDataset } from "../run/encode-dataset.ts";
import { drawHeldOutTriplets } from "../run/held-out-triplets.ts";
import type { TrainingTask } from "./task.ts";
import { type ImageBatches, ImageBatchMaker, type VaeInputs } from "./vae-task.ts";

export type TripletParams = { vae: VaeParams; masks: MaskParams };

export type TripletInputs = VaeInputs & {
  /** [3T, H, W, C]: anchors, then positives, then negatives. */
  tripletImages: Array;
  /** [T] int32 query index of each triplet. */
  query: Array;
  /** Monte Carlo divergences only. */
  noise?: Array;
};

/** Triplet images of a sample, anchors then positives then negatives. */
function tripletImageIndices(triplets: Triplets): Int32Array {
  const t = triplets.anchor.length;
  const out = new Int32Array(3 * t);
  out.set(triplets.anchor, 0);
  out.set(triplets.positive, t);
  out.set(triplets.negative, 2 * t);
  return out;
}

export interface TripletTaskSetup {
  config: TrainConfig;
  model: Vae;
  base: Objective;
  batches: ImageBatches;
  /** Images held out of training, for the logged triplet accuracy. */
  evaluationIndices: ArrayLike<number>;
}

export function tripletTask(setup: TripletTaskSetup): TrainingTask<TripletParams, TripletInputs> & {
  masks: SubspaceMasks;
  divergence: Divergence;
  queryNames: string[];
} {
  const { config, model, base, batches } = setup;
  const dataset: Dataset = batches.dataset;
  const latentDim = config.z;
  const triplet = tripletOptions(config);
  const queries = triplet.queries.map((q) => parseQuery(q, triplet.tripletMargin));
  const masks = subspaceMasksOf(config);
  const divergence = createDivergence(divergenceConfig(config));
  const objective = tripletVaeObjective({
    base,
    divergence,
    loss: tripletLossConfig(config),
    weight: triplet.tripletWeight ?? dataset.imageShape.reduce((a, b) => a * b, 1),
    maskL1: triplet.masks === "learned" ? triplet.maskL1 : 0,
  });
  const sampler = new TripletSampler(dataset, queries, {
    seed: config.seed,
    indices: batches.trainIndices,
  });
  const evaluationSampler = new TripletSampler(dataset, queries, {
    seed: config.seed + 1,
    indices: setup.evaluationIndices,
  });
  const heldOut = drawHeldOutTriplets(evaluationSampler, triplet.evalTriplets);
  const imageBatches = new ImageBatchMaker(batches, latentDim, objective.base);
  const tripletCount = triplet.tripletsPerQuery * queries.length;
  const [h, w, c] = dataset.imageShape;
  const tripletBuffer = new Float32Array(3 * tripletCount * h * w * c);
  const datasetSize = batches.trainIndices.length;
  const noiseShape = objective.noiseShape(tripletCount, latentDim);

  return {
    model,
    datasetSize,
    masks,
    divergence,
    queryNames: sampler.queryNames,
    init(key) {
      const [vaeKey, maskKey] = splitKey(key, 2);
      return { vae: model.init(vaeKey), masks: masks.init(maskKey) };
    },
    loss(params, inputs) {
      const { tripletImages, query, noise, x, eps, ...context } = inputs;
      const encoder = tree.ref(params.vae.encoder);
      const imageBatch = model.forward(params.vae, x, eps);
      const { mu, logvar } = model.encode(encoder, tripletImages);
      const part = (a: Array, k: number) =>
        a.ref.slice([k * tripletCount, (k + 1) * tripletCount], []);
      const posterior = (k: number) => ({ mu: part(mu, k), logvar: part(logvar, k) });
      const triplets = {
        anchor: posterior(0),
        positive: posterior(1),
        negative: posterior(2),
        query,
        masks: masks.masks(params.masks),
        noise,
      };
      mu.dispose();
      logvar.dispose();
      const { loss, terms } = objective.evaluate(imageBatch, triplets, { datasetSize, ...context });
      return [loss, terms];
    },
    inputsAt(step, noiseKey) {
      const images = imageBatches.at(step, noiseKey);
      const drawn = sampler.sample(tripletCount, step);
      const tripletImages = np.array(dataset.readBatch(tripletImageIndices(drawn), tripletBuffer), {
        shape: [3 * tripletCount, h, w, c],
      });
      const query = np.array(drawn.query, { dtype: np.int32 });
      const inputs: TripletInputs = { ...images, tripletImages, query };
      if (noiseShape)
        inputs.noise = random.normal(foldIn(foldIn(noiseKey.ref, step), 1), noiseShape);
      return inputs;
    },
    async evaluate(params) {
      const posteriors = await encodeDataset(model, params.vae.encoder, dataset, heldOut.images);
      const maskArray = masks.masks(tree.ref(params.masks));
      const maskData = (await maskArray.data()) as Float32Array;
      const stochastic = divergence.noiseShape([1, latentDim]) !== null;
      const report = await tripletAccuracy(
        { mu: posteriors.mu, logvar: posteriors.logvar, count: posteriors.count, dims: latentDim },
        heldOut.rows,
        { data: maskData, queries: queries.length, dims: latentDim },
        divergence,
        stochastic ? { key: keyFromSeed(config.seed + 2) } : {},
      );
      const row: Record<string, number> = {};
      sampler.queryNames.forEach((name, q) => {
        row[`heldOut.${name}.subspace`] = report.subspace[q];
        row[`heldOut.${name}.full`] = report.full[q];
      });
      return row;
    },
  };
}
