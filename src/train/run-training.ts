/**
 * `disentangle train`: builds the dataset, model and objective from a validated config,
 * then runs the jitted step with logging, checkpoints, resume, NaN detection and Ctrl-C.
 *
 * Reproducibility: the run's key is split once into an initialisation key and a noise
 * key; the noise of step t is drawn from foldIn(noiseKey, t) and the batch of step t is a
 * pure function of (seed, t) (see batch-schedule.ts). A resumed run therefore ends with
 * the same parameters as an uninterrupted one.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Dataset } from "../data/dataset.ts";
import { loadDataset } from "../data/registry.ts";
import { holdOutFactorValues, type Split, trainValidationSplit } from "../data/split.ts";
import { adamInit } from "../engine/adam.ts";
import { tree } from "../engine/jax.ts";
import { keyFromSeed, splitKey } from "../engine/prng.ts";
import type { ArchitectureName, ImageShape } from "../nn/architecture.ts";
import { createArchitecture } from "../nn/architectures/index.ts";
import { createVae, type LikelihoodConfig, type Vae } from "../nn/vae.ts";
import { createObjective } from "../objectives/registry.ts";
import {
  type Checkpoint,
  hasCheckpoint,
  LOG_FILE,
  loadCheckpoint,
  readRunConfig,
  saveCheckpoint,
  writeRunConfig,
} from "./checkpoint.ts";
import { ConfigError, effectiveBeta, type TrainConfig, unsupervisedModel } from "./config.ts";
import { appendLogRow, type LogRow, truncateLogAfter } from "./log.ts";
import { createProgress } from "./progress.ts";
import type { TaskParams, TrainingTask } from "./task.ts";
import { makeTrainStep } from "./train-step.ts";
import { tripletTask } from "./triplet-task.ts";
import { vaeTask } from "./vae-task.ts";

export interface TrainOptions {
  /** Continue the run in `config.out` from its checkpoint. */
  resume?: boolean;
  /** Show progress on stderr (default true). */
  progress?: boolean;
  /** Called with each logged row. */
  onLog?: (row: LogRow) => void;
}

export interface TrainSummary {
  runDir: string;
  startStep: number;
  step: number;
  stoppedBy: "completed" | "interrupted";
  seconds: number;
  imagesPerSecond: number;
  last: LogRow | undefined;
}

/** Raised when the loss becomes NaN or infinite; the last good checkpoint is kept. */
export class TrainingDivergedError extends Error {
  override name = "TrainingDivergedError";
}

/** The default architecture for an image shape: conv-burgess at 64x64, conv-small at <=32, else the MLP. */
export function defaultArchitecture([height, width]: ImageShape): ArchitectureName {
  if (height === 64 && width === 64) return "conv-burgess";
  if (height <= 32 && width <= 32 && height % 4 === 0 && width % 4 === 0) return "conv-small";
  return "mlp-chen";
}

export function likelihoodOf(config: TrainConfig): LikelihoodConfig {
  if (config.likelihood === "bernoulli") return { kind: "bernoulli" };
  return config.gaussianVariance === "learned"
    ? { kind: "gaussian", variance: "learned" }
    : { kind: "gaussian", variance: config.gaussianVariance };
}

export function buildModel(config: TrainConfig, imageShape: ImageShape): Vae {
  const name = config.architecture ?? defaultArchitecture(imageShape);
  return createVae(
    createArchitecture(name, { imageShape, latentDim: config.z }),
    likelihoodOf(config),
  );
}

export async function loadRunDataset(config: TrainConfig): Promise<Dataset> {
  return loadDataset(config.data, { root: config.root, ...config.dataOptions } as never);
}

/**
 * The config to run with: a fresh run must not overwrite one, and a resumed run keeps its
 * saved settings except `steps` (the total to reach).
 */
function resolveRun(config: TrainConfig, resume: boolean): TrainConfig {
  if (resume) return { ...readRunConfig(config.out), steps: config.steps, out: config.out };
  if (hasCheckpoint(config.out)) {
    throw new ConfigError(
      `${config.out} already holds a trained run; continue it with \`disentangle train --resume ${config.out} --steps N\` or choose another --out`,
    );
  }
  return config;
}

/**
 * The run's train/held-out split: images with the `holdOut` factor values are held out
 * when given (e.g. whole subjects), else a seeded random `validationFraction`.
 */
export function runSplit(config: TrainConfig, dataset: Dataset): Split {
  return config.holdOut
    ? holdOutFactorValues(dataset, config.holdOut.factor, config.holdOut.values)
    : trainValidationSplit(dataset.count, config.validationFraction, config.seed);
}

/** Builds the training task the config asks for. */
export function buildTask(
  config: TrainConfig,
  dataset: Dataset,
): TrainingTask<TaskParams, unknown> {
  const model = buildModel(config, dataset.imageShape);
  const { train, validation } = runSplit(config, dataset);
  const objective = createObjective(unsupervisedModel(config), {
    beta: effectiveBeta(config),
    alpha: config.alpha,
    gamma: config.gamma,
    estimator: config.estimator,
  });
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

export async function runTraining(
  requested: TrainConfig,
  options: TrainOptions = {},
): Promise<TrainSummary> {
  const config = resolveRun(requested, options.resume ?? false);
  const runDir = config.out;
  const dataset = await loadRunDataset(config);
  const task = buildTask(config, dataset);

  let state: Checkpoint<TaskParams>;
  if (options.resume) {
    const initial = task.init(keyFromSeed(config.seed));
    const template = { params: initial, opt: adamInit(initial) };
    try {
      state = loadCheckpoint<TaskParams>(runDir, template);
    } finally {
      tree.dispose(template as never);
    }
    if (state.step >= config.steps) {
      throw new ConfigError(
        `${runDir} is already at step ${state.step}; pass a larger --steps (the total number of steps) to continue`,
      );
    }
    truncateLogAfter(join(runDir, LOG_FILE), state.step);
  } else {
    mkdirSync(runDir, { recursive: true });
    writeRunConfig(runDir, config);
    const [initKey, noiseKey] = splitKey(keyFromSeed(config.seed), 2);
    const params = task.init(initKey);
    state = { step: 0, params, opt: adamInit(params), key: noiseKey };
  }

  const trainStep = makeTrainStep(task.loss, {
    lr: config.lr,
    weightDecay: config.weightDecay,
    clipGradNorm: config.clipGradNorm,
  });
  const logPath = join(runDir, LOG_FILE);
  const startStep = state.step;
  const progress = createProgress(
    config.steps,
    startStep,
    config.logEvery,
    options.progress ?? true,
  );
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on("SIGINT", onSigint);
  const started = performance.now();
  let last: LogRow | undefined;
  let lastCheckpointStep = startStep;
  let { params, opt } = state;
  const key = state.key;
  try {
    for (let step = startStep + 1; step <= config.steps; step++) {
      const out = trainStep(params, opt, task.inputsAt(step, key));
      params = out.params;
      opt = out.opt;
      const loss = (await out.loss.data())[0];
      if (!Number.isFinite(loss)) {
        tree.dispose(out.terms);
        const kept =
          lastCheckpointStep > 0
            ? `The last good checkpoint (step ${lastCheckpointStep}) is kept in ${runDir}.`
            : "No checkpoint had been written yet.";
        throw new TrainingDivergedError(
          `loss became ${loss} at step ${step}; stopped without saving. ${kept} Try a lower --lr or --clip-grad-norm.`,
        );
      }
      const logNow = step % config.logEvery === 0 || step === config.steps;
      const rate = ((step - startStep) * config.batch) / ((performance.now() - started) / 1000);
      if (logNow) {
        const row: LogRow = { step, loss };
        for (const [name, value] of Object.entries(out.terms)) row[name] = (await value.data())[0];
        if (task.evaluate) Object.assign(row, await task.evaluate(params));
        row.imagesPerSecond = Math.round(rate);
        appendLogRow(logPath, row);
        options.onLog?.(row);
        last = row;
        const { step: _step, imagesPerSecond: _rate, ...terms } = row;
        progress.update(step, terms, rate);
      } else {
        tree.dispose(out.terms);
        progress.update(step, { loss }, rate);
      }
      // Let signal handlers run: with one thread every engine promise settles as a microtask.
      await new Promise((resolve) => setImmediate(resolve));
      const checkpointNow =
        step % config.checkpointEvery === 0 || step === config.steps || interrupted;
      if (checkpointNow) {
        await saveCheckpoint(runDir, { step, params, opt, key });
        lastCheckpointStep = step;
      }
      if (interrupted) {
        return summary("interrupted", step);
      }
    }
  } finally {
    process.off("SIGINT", onSigint);
    progress.stop();
  }
  return summary("completed", config.steps);

  function summary(stoppedBy: TrainSummary["stoppedBy"], step: number): TrainSummary {
    const seconds = (performance.now() - started) / 1000;
    tree.dispose([params, opt, key] as never);
    return {
      runDir,
      startStep,
      step,
      stoppedBy,
      seconds,
      imagesPerSecond: ((step - startStep) * config.batch) / seconds,
      last,
    };
  }
}
