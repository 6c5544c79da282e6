/**
 * The Node entry of `disentangle`: everything the browser entry has (`src/browser.ts`), plus
 * what needs Node: dataset loaders that read files, run folders and checkpoints, the training
 * driver with progress and Ctrl-C, evaluation of a run folder, and the native CPU backend
 * (chosen by `initEngine()` when a C compiler is found). The CLI is built on exactly these
 * functions.
 *
 * @module disentangle
 */

export * from "./browser.ts";
export { DATASET_NAMES, type DatasetName, loadDataset } from "./data/registry.ts";
export { type EvalReport, evaluateRun } from "./metrics/evaluate-run.ts";
export { loadRunDataset } from "./run/build-dataset.ts";
export { loadCheckpoint, saveCheckpoint } from "./run/checkpoint.ts";
export { loadTrainConfigFile } from "./run/config-file.ts";
export { writeImageGrid } from "./run/image-file.ts";
export { loadTrainedRun } from "./run/load-trained-run.ts";
export { runTraining, type TrainOptions, type TrainSummary } from "./run/run-training.ts";
export { swapGrid } from "./viz/swap.ts";
