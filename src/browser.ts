/**
 * The browser entry of `disentangle` (`import ... from "disentangle/browser"`, or plain
 * `"disentangle"` in a bundler that honours the `browser` export condition): models,
 * objectives, distributions, metrics, picture functions and the platform-free training
 * loop. Nothing in its module graph imports a `node:` module or a Node-only package; the
 * layer rules (`.dependency-cruiser.cjs`, rule `browser-entry-platform-free`) check it.
 *
 * Everything here runs in Node too; `src/index.ts` (the Node entry) adds files, run folders,
 * dataset loaders that read disk, the native backend and the CLI's drivers.
 *
 * @module disentangle/browser
 */

export { type Dataset, type FactorInfo, imageSize } from "./data/dataset.ts";
export { loadColoredShapes } from "./data/datasets/colored-shapes.ts";
export { loadSprites, SPRITE_SHAPES } from "./data/datasets/sprites.ts";
export { type TripletQuery, TripletSampler, type Triplets } from "./data/triplets.ts";
export { bernoulliLogLikelihood } from "./distributions/bernoulli.ts";
export {
  diagonalGaussian,
  gaussianLogDensity,
  klDiagonalGaussians,
  reparameterize,
} from "./distributions/diagonal-gaussian.ts";
export type { Distribution } from "./distributions/distribution.ts";
export { gaussianLogLikelihood } from "./distributions/gaussian-likelihood.ts";
export { klDivergence, klEstimator, klMonteCarlo } from "./distributions/kl.ts";
export { laplace, laplaceLogDensity } from "./distributions/laplace.ts";
export { createPrior, PRIOR_NAMES, PRIORS, type Prior } from "./distributions/priors.ts";
export { standardStudentT, studentT, studentTLogDensity } from "./distributions/student-t.ts";
export {
  type DeviceName,
  DeviceUnavailableError,
  defaultDeviceName,
  type EngineInfo,
  initEngine,
} from "./engine/device.ts";
export * as jax from "./engine/jax.ts";
export { keyFromSeed, splitKey } from "./engine/prng.ts";
export {
  decodeSafetensors,
  decodeTree,
  encodeSafetensors,
  encodeTree,
  treeFromTensors,
} from "./engine/safetensors.ts";
export { betaVaeScore } from "./metrics/beta-vae.ts";
export { dci } from "./metrics/dci.ts";
export { elboDecomposition } from "./metrics/elbo-decomposition.ts";
export { explicitness } from "./metrics/explicitness.ts";
export { factorVaeScore } from "./metrics/factor-vae.ts";
export type { MetricDescriptor, MetricInput, MetricReport } from "./metrics/metric.ts";
export { migChen, migDlib } from "./metrics/mig.ts";
export { modularity } from "./metrics/modularity.ts";
export { METRIC_NAMES, METRICS, runMetrics } from "./metrics/registry.ts";
export { sap, sapBalanced } from "./metrics/sap.ts";
export { ARCHITECTURE_NAMES, type Architecture, type ImageShape } from "./nn/architecture.ts";
export { createArchitecture } from "./nn/architectures/index.ts";
export { createVae, type Vae, type VaeParams } from "./nn/vae.ts";
export type { ObjectiveDescriptor } from "./objectives/descriptor.ts";
export type { LatentBatch, Objective } from "./objectives/objective.ts";
export { createObjective, OBJECTIVE_NAMES, OBJECTIVES } from "./objectives/registry.ts";
export { tripletAccuracy } from "./objectives/triplet-accuracy.ts";
export { tripletVaeObjective } from "./objectives/triplet-vae.ts";
export { buildModel } from "./run/build.ts";
export { parseTrainConfig, type TrainConfig } from "./run/config.ts";
export { encodeDataset } from "./run/encode-dataset.ts";
export { type HeldOutSet, heldOutFromBytes, heldOutToBytes } from "./run/held-out-bytes.ts";
export {
  checkpointBytes,
  checkpointFromBytes,
  logRowsFromText,
  logRowText,
  runConfigFromText,
  runConfigText,
} from "./run/run-files.ts";
export { type TrainedRun, trainedRunFromCheckpoint } from "./run/trained-run.ts";
export { buildTask } from "./train/build-task.ts";
export { initialState } from "./train/initial-state.ts";
export {
  type LogRow,
  TrainingDivergedError,
  type TrainingSinks,
  type TrainingState,
  trainLoop,
} from "./train/loop.ts";
export { encodeImageGrid } from "./viz/image-grid.ts";
export { labelledGridSvg } from "./viz/labelled-grid.ts";
export { klPerDimensionSvg } from "./viz/plots/kl-per-dimension.ts";
export { latentVsFactorSvg } from "./viz/plots/latent-vs-factor.ts";
export { trainingCurvesSvg } from "./viz/plots/training-curves.ts";
export { renderVegaLite } from "./viz/plots/vega.ts";
export { encodePng } from "./viz/png.ts";
export { sampleImages } from "./viz/samples.ts";
export { subspaceMapSvg } from "./viz/subspace-map.ts";
export { swapSubspace } from "./viz/swap.ts";
export { traversalFigure, traversalGif } from "./viz/traversal.ts";
export { tsne } from "./viz/tsne.ts";
export { umap } from "./viz/umap.ts";
