/** The training task a run's config asks for: the unsupervised VAE task, or the triplet VAE's. */
import type { Dataset } from "../data/dataset.ts";
import { createObjective } from "../objectives/registry.ts";
import { buildModel, runSplit } from "../run/build.ts";
import { objectiveOptions, type TrainConfig, unsupervisedModel } from "../run/config.ts";
import type { TaskParams, TrainingTask } from "./task.ts";
import { tripletTask } from "./triplet-task.ts";
import { vaeTask } from "./vae-task.ts";

/** The training task `config` asks for on `dataset`: the VAE task, or the triplet VAE's with its sampler. */
export function buildTask(
  config: TrainConfig,
  dataset: Dataset,
): TrainingTask<TaskParams, unknown> {
  const model = buildModel(config, dataset.imageShape);
  const { train, validation } = runSplit(config, dataset);
  const objective = createObjective(unsupervisedModel(config), objectiveOptions(config));
  const batches = {
    dataset,
    trainIndices: train,
    batchSize: config.batch,
    seed: config.seed,
    warmupSteps: config.betaWarmupSteps,
  };
  const task =
    config.model === "triplet-vae"
      ? tripletTask({ config, model, base: objective, batches, evaluationIndices: validation })
      : vaeTask(model, objective, batches);
  return task as unknown as TrainingTask<TaskParams, unknown>;
}
