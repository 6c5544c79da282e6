/** The dataset a run config names, loaded through the dataset registry (Node: it reads disk). */
import type { Dataset } from "../data/dataset.ts";
import { loadDataset } from "../data/registry.ts";
import type { TrainConfig } from "./config.ts";

/** Loads `config.data` with the run's root folder and dataset options. */
export async function loadRunDataset(config: TrainConfig): Promise<Dataset> {
  return loadDataset(config.data, { root: config.root, ...config.dataOptions } as never);
}
