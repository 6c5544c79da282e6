/** The library API of `disentangle` (the CLI is built on exactly these functions). */

export type { Dataset, FactorInfo } from "./data/dataset.ts";
export { DATASET_NAMES, type DatasetName, loadDataset } from "./data/registry.ts";
export { type TripletQuery, TripletSampler, type Triplets } from "./data/triplets.ts";
export { type DeviceName, type EngineInfo, initEngine } from "./engine/device.ts";
export { betaVaeScore } from "./metrics/beta-vae.ts";
export { dci } from "./metrics/dci.ts";
export { elboDecomposition } from "./metrics/elbo-decomposition.ts";
export { explicitness } from "./metrics/explicitness.ts";
export { factorVaeScore } from "./metrics/factor-vae.ts";
export { migChen, migDlib } from "./metrics/mig.ts";
export { modularity } from "./metrics/modularity.ts";
export { sap } from "./metrics/sap.ts";
export { createArchitecture } from "./nn/architectures/index.ts";
export { createVae, type Vae, type VaeParams } from "./nn/vae.ts";
export { createObjective, OBJECTIVES } from "./objectives/registry.ts";
export { tripletAccuracy } from "./objectives/triplet-accuracy.ts";
export { tripletVaeObjective } from "./objectives/triplet-vae.ts";
export { parseTrainConfig, type TrainConfig } from "./run/config.ts";
export { loadTrainConfigFile } from "./run/config-file.ts";
export { encodeDataset } from "./run/encode-dataset.ts";
export { writeImageGrid } from "./run/image-file.ts";
export { runTraining, type TrainSummary } from "./run/run-training.ts";
export { loadTrainedRun, type TrainedRun } from "./run/trained-run.ts";
export { sampleImages } from "./viz/samples.ts";
export { swapGrid } from "./viz/swap.ts";
