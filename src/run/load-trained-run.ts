/** Reads a trained run from its folder (Node): config.json, the dataset it names, its checkpoint. */

import type { TaskParams } from "../train/task.ts";
import { loadRunDataset } from "./build-dataset.ts";
import { loadCheckpoint, readRunConfig } from "./checkpoint.ts";
import { type TrainedRun, trainedRunFromCheckpoint } from "./trained-run.ts";

/** The run in `runDir`, ready to encode, decode and score (see {@link TrainedRun}). */
export async function loadTrainedRun(runDir: string): Promise<TrainedRun> {
  const config = readRunConfig(runDir);
  const dataset = await loadRunDataset(config);
  return trainedRunFromCheckpoint(runDir, config, dataset, loadCheckpoint<TaskParams>(runDir));
}
