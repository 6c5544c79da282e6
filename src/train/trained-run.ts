/** Loads a finished (or checkpointed) run: its config, model and parameters. */
import type { Dataset } from "../data/dataset.ts";
import { tree } from "../engine/jax.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import { loadCheckpoint, readRunConfig } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import { buildModel, loadRunDataset } from "./run-training.ts";
import type { TaskParams } from "./task.ts";

export interface TrainedRun {
  runDir: string;
  config: TrainConfig;
  step: number;
  dataset: Dataset;
  model: Vae;
  params: VaeParams;
}

export async function loadTrainedRun(runDir: string): Promise<TrainedRun> {
  const config = readRunConfig(runDir);
  const dataset = await loadRunDataset(config);
  const model = buildModel(config, dataset.imageShape);
  const checkpoint = loadCheckpoint<TaskParams>(runDir);
  const { vae, ...extra } = checkpoint.params;
  tree.dispose([checkpoint.opt, checkpoint.key, extra] as never);
  return { runDir, config, step: checkpoint.step, dataset, model, params: vae };
}
