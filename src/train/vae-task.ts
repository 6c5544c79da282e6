/**
 * The unsupervised task: a VAE objective (VAE, beta-VAE, beta-TCVAE) on batches of images.
 * Step t's batch comes from the seeded schedule, its noise from foldIn(noiseKey, t), and the
 * objective's own key, when it needs one, from foldIn(foldIn(noiseKey, t), 2).
 */
import type { Dataset } from "../data/dataset.ts";
import { type Array, numpy as np, random } from "../engine/jax.ts";
import { foldIn } from "../engine/prng.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import type { Objective } from "../objectives/objective.ts";
import { BatchSchedule } from "./batch-schedule.ts";
import type { TrainingTask } from "./task.ts";

export type VaeInputs = {
  /** [B,H,W,C] images in [0,1] (each repeated K times for an objective of K samples per image). */
  x: Array;
  /** [B,Z] standard normal noise of the reparameterisation (B·K rows with K samples per image). */
  eps: Array;
  /** Scalar warm-up factor in [0,1] of the annealed weight. */
  annealing: Array;
  /** The objective's PRNG key (ObjectiveContext.key), for an objective that `needsKey`. */
  key?: Array;
};

export interface ImageBatches {
  dataset: Dataset;
  trainIndices: ArrayLike<number>;
  batchSize: number;
  seed: number;
  /** Linear warm-up of the annealed weight over this many steps (0 = none). */
  warmupSteps: number;
}

/** Makes step t's images, noise and annealing factor. */
export class ImageBatchMaker {
  readonly #schedule: BatchSchedule;
  readonly #buffer: Float32Array;
  readonly #shape: number[];

  readonly #samples: number;
  readonly #drawsKey: boolean;

  /**
   * `objective`'s `needsKey` says whether each step also gets the objective's key, its
   * `samplesPerExample` how many times each image is repeated, each with its own noise.
   */
  constructor(
    readonly source: ImageBatches,
    readonly latentDim: number,
    objective: Pick<Objective, "needsKey" | "samplesPerExample">,
  ) {
    this.#samples = objective.samplesPerExample ?? 1;
    this.#drawsKey = objective.needsKey === true;
    this.#schedule = new BatchSchedule(source.trainIndices, source.batchSize, source.seed);
    const [h, w, c] = source.dataset.imageShape;
    this.#shape = [source.batchSize, h, w, c];
    this.#buffer = new Float32Array(source.batchSize * h * w * c);
  }

  at(step: number, noiseKey: Array): VaeInputs {
    const { dataset, batchSize, warmupSteps } = this.source;
    const images = np.array(dataset.readBatch(this.#schedule.batchAt(step), this.#buffer), {
      shape: this.#shape,
    });
    const k = this.#samples;
    const x = k === 1 ? images : np.repeat(images, k, 0);
    const eps = random.normal(foldIn(noiseKey.ref, step), [batchSize * k, this.latentDim]);
    const annealing = np.array(warmupSteps > 0 ? Math.min(1, step / warmupSteps) : 1);
    if (!this.#drawsKey) return { x, eps, annealing };
    return { x, eps, annealing, key: foldIn(foldIn(noiseKey.ref, step), 2) };
  }
}

/** Evaluates `objective` on a batch: consumes params and inputs. */
export function vaeLoss(
  model: Vae,
  objective: Objective,
  datasetSize: number,
  vae: VaeParams,
  inputs: VaeInputs,
): [Array, Record<string, Array>] {
  const { x, eps, ...context } = inputs;
  const { loss, terms } = objective.evaluate(model.forward(vae, x, eps), {
    datasetSize,
    ...context,
  });
  return [loss, terms];
}

export function vaeTask(
  model: Vae,
  objective: Objective,
  batches: ImageBatches,
): TrainingTask<{ vae: VaeParams }, VaeInputs> {
  const maker = new ImageBatchMaker(batches, model.architecture.config.latentDim, objective);
  const datasetSize = batches.trainIndices.length;
  return {
    model,
    datasetSize,
    init: (key) => ({ vae: model.init(key) }),
    loss: (params, inputs) => vaeLoss(model, objective, datasetSize, params.vae, inputs),
    inputsAt: (step, noiseKey) => maker.at(step, noiseKey),
  };
}
