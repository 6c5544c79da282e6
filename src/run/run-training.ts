/**
 * `disentangle train` in Node: the platform-free loop (src/train/loop.ts) with Node's sinks:
 * the run folder (config.json, checkpoints, log.jsonl), Ctrl-C as a stop that checkpoints
 * first, and a progress bar on stderr. A fresh run refuses to overwrite a trained one; a
 * resumed run continues bit-identically from its checkpoint (see loop.ts).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { adamInit } from "../engine/adam.ts";
import { currentEngine } from "../engine/device.ts";
import { tree } from "../engine/jax.ts";
import { keyFromSeed } from "../engine/prng.ts";
import { buildTask } from "../train/build-task.ts";
import { initialState } from "../train/initial-state.ts";
import {
  type LogRow,
  TrainingDivergedError,
  type TrainingState,
  trainLoop,
} from "../train/loop.ts";
import type { TaskParams, TrainingTask } from "../train/task.ts";
import { loadRunDataset } from "./build-dataset.ts";
import {
  hasCheckpoint,
  LOG_FILE,
  loadCheckpoint,
  readRunConfig,
  saveCheckpoint,
  writeRunConfig,
} from "./checkpoint.ts";
import { ConfigError, type TrainConfig } from "./config.ts";
import { appendLogRow, truncateLogAfter } from "./log.ts";
import { createProgress } from "./progress.ts";

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

/** The state of `runDir`'s checkpoint, in the structure `task` initialises. */
function resumedState(task: TrainingTask<TaskParams, unknown>, config: TrainConfig) {
  const initial = task.init(keyFromSeed(config.seed));
  const template = { params: initial, opt: adamInit(initial) };
  try {
    return loadCheckpoint<TaskParams>(config.out, template);
  } finally {
    tree.dispose(template as never);
  }
}

/**
 * Trains a run in Node: the platform-free loop ({@link trainLoop}) with the run folder as its
 * sinks (config.json, checkpoint.safetensors every `checkpointEvery` steps, log.jsonl), Ctrl-C
 * as a stop that checkpoints first, and a progress bar on stderr. With `resume`, continues
 * `requested.out` bit-identically from its checkpoint up to `requested.steps`.
 */
export async function runTraining(
  requested: TrainConfig,
  options: TrainOptions = {},
): Promise<TrainSummary> {
  const config = resolveRun(requested, options.resume ?? false);
  const runDir = config.out;
  const dataset = await loadRunDataset(config);
  const task = buildTask(config, dataset);
  const logPath = join(runDir, LOG_FILE);

  let state: TrainingState<TaskParams>;
  if (options.resume) {
    state = resumedState(task, config);
    if (state.step >= config.steps) {
      tree.dispose([state.params, state.opt, state.key] as never);
      throw new ConfigError(
        `${runDir} is already at step ${state.step}; pass a larger --steps (the total number of steps) to continue`,
      );
    }
    truncateLogAfter(logPath, state.step);
  } else {
    mkdirSync(runDir, { recursive: true });
    writeRunConfig(runDir, config, currentEngine());
    state = initialState(task, config.seed);
  }

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
  let lastCheckpointStep = startStep;
  try {
    const result = await trainLoop(
      task,
      state,
      {
        steps: config.steps,
        batch: config.batch,
        logEvery: config.logEvery,
        checkpointEvery: config.checkpointEvery,
        adam: { lr: config.lr, weightDecay: config.weightDecay, clipGradNorm: config.clipGradNorm },
      },
      {
        log(row) {
          appendLogRow(logPath, row);
          options.onLog?.(row);
        },
        async checkpoint(reached) {
          await saveCheckpoint(runDir, reached);
          lastCheckpointStep = reached.step;
        },
        progress: (step, terms, rate) => progress.update(step, terms, rate),
        // Let signal handlers run: with one thread every engine promise settles as a microtask.
        shouldStop: () => new Promise((resolve) => setImmediate(() => resolve(interrupted))),
      },
    );
    tree.dispose([result.state.params, result.state.opt, result.state.key] as never);
    return {
      runDir,
      startStep,
      step: result.state.step,
      stoppedBy: result.stoppedBy,
      seconds: result.seconds,
      imagesPerSecond: result.imagesPerSecond,
      last: result.last,
    };
  } catch (error) {
    if (error instanceof TrainingDivergedError) {
      const kept =
        lastCheckpointStep > 0
          ? `The last good checkpoint (step ${lastCheckpointStep}) is kept in ${runDir}.`
          : "No checkpoint had been written yet.";
      error.message = `${error.message}; stopped without saving. ${kept} Try a lower --lr or --clip-grad-norm.`;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSigint);
    progress.stop();
  }
}
