/**
 * A finished (or checkpointed) run in memory: its config, dataset, model, parameters and, for a
 * triplet VAE, its subspace masks. Reading one from a run folder is `load-trained-run.ts`.
 */
import type { Dataset } from "../data/dataset.ts";
import { tree } from "../engine/jax.ts";
import type { MaskParams } from "../nn/subspace-masks.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import type { TrainingState } from "../train/loop.ts";
import type { TaskParams } from "../train/task.ts";
import { buildModel, subspaceMasksOf } from "./build.ts";
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

/**
 * A trained run from its parts, however they were read (files in Node, fetched bytes in a
 * page): builds the model, keeps the VAE's parameters, disposes the optimiser state and, for
 * a triplet VAE, reads its query masks as numbers. Consumes `checkpoint`'s arrays.
 */
export async function trainedRunFromCheckpoint(
  runDir: string,
  config: TrainConfig,
  dataset: Dataset,
  checkpoint: TrainingState<TaskParams>,
): Promise<TrainedRun> {
  const model = buildModel(config, dataset.imageShape);
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
