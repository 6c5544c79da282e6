/** Loads a finished (or checkpointed) run: its config, model, parameters and, for a triplet VAE, its subspace masks. */
import type { Dataset } from "../data/dataset.ts";
import { tree } from "../engine/jax.ts";
import type { MaskParams } from "../nn/subspace-masks.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import type { TaskParams } from "../train/task.ts";
import { buildModel, loadRunDataset, subspaceMasksOf } from "./build.ts";
import { loadCheckpoint, readRunConfig } from "./checkpoint.ts";
import { type TrainConfig, tripletOptions } from "./config.ts";

/** A triplet VAE's query masks as plain numbers. */
export interface QueryMasks {
  names: string[];
  /** Row-major [queries, latentDim] non-negative weights. */
  data: Float32Array;
  queries: number;
  dims: number;
}

export interface TrainedRun {
  runDir: string;
  config: TrainConfig;
  step: number;
  dataset: Dataset;
  model: Vae;
  params: VaeParams;
  /** Present for triplet VAE runs. */
  masks?: QueryMasks;
}

export async function loadTrainedRun(runDir: string): Promise<TrainedRun> {
  const config = readRunConfig(runDir);
  const dataset = await loadRunDataset(config);
  const model = buildModel(config, dataset.imageShape);
  const checkpoint = loadCheckpoint<TaskParams>(runDir);
  const { vae, masks: maskParams, ...extra } = checkpoint.params;
  tree.dispose([checkpoint.opt, checkpoint.key, extra] as never);
  let masks: QueryMasks | undefined;
  if (config.model === "triplet-vae") {
    const { queries } = tripletOptions(config);
    const array = subspaceMasksOf(config).masks((maskParams ?? {}) as MaskParams);
    masks = {
      names: [...queries],
      data: Float32Array.from((await array.data()) as Float32Array),
      queries: queries.length,
      dims: config.z,
    };
  } else if (maskParams !== undefined) {
    tree.dispose(maskParams as never);
  }
  return { runDir, config, step: checkpoint.step, dataset, model, params: vae, masks };
}

/** The mask row of query `name`, or a clear error listing the run's queries. */
export function queryMask(run: TrainedRun, name: string): Float32Array {
  if (!run.masks) {
    throw new Error(
      `${run.runDir} is a ${run.config.model} run: only triplet-vae runs have query subspaces`,
    );
  }
  const q = run.masks.names.indexOf(name);
  if (q < 0) {
    throw new Error(
      `${run.runDir} has no query '${name}' (queries: ${run.masks.names.join(", ")})`,
    );
  }
  return run.masks.data.subarray(q * run.masks.dims, (q + 1) * run.masks.dims);
}
