/**
 * The training loop, free of any platform: it runs the jitted step of a {@link TrainingTask}
 * from a state to a number of steps and hands everything it produces to sinks (log rows,
 * checkpoints, progress) and asks a sink whether to stop. The Node driver
 * (src/run/run-training.ts) plugs in files, SIGINT and a progress bar; a browser or a sweep
 * worker plugs in its own. No `node:` import here (checked by `npm run lint`).
 *
 * Reproducibility: the inputs of step t are a pure function of (seed, t) (the task's
 * `inputsAt` with the state's noise key), so the same state and config reach the same
 * parameters whatever the sinks do.
 */
import type { AdamConfig, AdamState } from "../engine/adam.ts";
import { type Array, tree } from "../engine/jax.ts";
import type { TaskParams, TrainingTask } from "./task.ts";
import { makeTrainStep } from "./train-step.ts";

/** One logged row: the step, the loss and every term the objective reports. */
export interface LogRow {
  step: number;
  loss: number;
  [term: string]: number;
}

/** Where a run stands: parameters, optimiser state, and the key step noise is folded from. */
export interface TrainingState<P> {
  step: number;
  params: P;
  opt: AdamState<P>;
  /** The run's noise key; step t's noise comes from foldIn(key, t). */
  key: Array;
}

export interface LoopSettings {
  /** The total number of steps to reach. */
  steps: number;
  /** Images per step (for img/s). */
  batch: number;
  logEvery: number;
  checkpointEvery: number;
  adam: AdamConfig;
}

/** What the loop hands out. Every callback may be async; the loop waits for it. */
export interface TrainingSinks<P> {
  /** Each logged row, after the task's own evaluation figures were added. */
  log?(row: LogRow): void | Promise<void>;
  /** A state to keep (every `checkpointEvery` steps, at the end and on stop). Borrows it. */
  checkpoint?(state: TrainingState<P>): void | Promise<void>;
  /** Every step: the terms computed (all of them on logged steps, else the loss) and img/s. */
  progress?(step: number, terms: Record<string, number>, imagesPerSecond: number): void;
  /** Asked after every step; true checkpoints and stops. */
  shouldStop?(): boolean | Promise<boolean>;
}

export interface LoopResult<P> {
  /** The state reached; the caller owns it (dispose it, or keep training from it). */
  state: TrainingState<P>;
  stoppedBy: "completed" | "interrupted";
  /** The last logged row. */
  last: LogRow | undefined;
  seconds: number;
  imagesPerSecond: number;
}

/** Raised when the loss becomes NaN or infinite; nothing is checkpointed after that step. */
export class TrainingDivergedError extends Error {
  override name = "TrainingDivergedError";
  constructor(
    message: string,
    /** The step whose loss was not finite. */
    readonly step: number,
  ) {
    super(message);
  }
}

/**
 * Trains `task` from `initial` (consumed) up to `settings.steps`. On a non-finite loss the
 * state is disposed and a {@link TrainingDivergedError} thrown.
 */
export async function trainLoop<P extends TaskParams>(
  task: TrainingTask<P, unknown>,
  initial: TrainingState<P>,
  settings: LoopSettings,
  sinks: TrainingSinks<P> = {},
): Promise<LoopResult<P>> {
  const trainStep = makeTrainStep(task.loss, settings.adam);
  const startStep = initial.step;
  const started = performance.now();
  const rateAt = (step: number) =>
    ((step - startStep) * settings.batch) / ((performance.now() - started) / 1000);
  let { params, opt } = initial;
  const { key } = initial;
  let last: LogRow | undefined;
  let step = startStep;
  let stoppedBy: LoopResult<P>["stoppedBy"] = "completed";
  try {
    while (step < settings.steps) {
      step++;
      const out = trainStep(params, opt, task.inputsAt(step, key));
      params = out.params;
      opt = out.opt;
      const loss = (await out.loss.data())[0];
      if (!Number.isFinite(loss)) {
        tree.dispose([out.terms, params, opt, key] as never);
        throw new TrainingDivergedError(`loss became ${loss} at step ${step}`, step);
      }
      const rate = rateAt(step);
      if (step % settings.logEvery === 0 || step === settings.steps) {
        const row: LogRow = { step, loss };
        for (const [name, value] of Object.entries(out.terms)) row[name] = (await value.data())[0];
        if (task.evaluate) Object.assign(row, await task.evaluate(params));
        row.imagesPerSecond = Math.round(rate);
        await sinks.log?.(row);
        last = row;
        const { step: _step, imagesPerSecond: _rate, ...terms } = row;
        sinks.progress?.(step, terms, rate);
      } else {
        tree.dispose(out.terms);
        sinks.progress?.(step, { loss }, rate);
      }
      const stop = (await sinks.shouldStop?.()) ?? false;
      if (step % settings.checkpointEvery === 0 || step === settings.steps || stop) {
        await sinks.checkpoint?.({ step, params, opt, key });
      }
      if (stop) {
        stoppedBy = "interrupted";
        break;
      }
    }
  } finally {
    trainStep.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    state: { step, params, opt, key },
    stoppedBy,
    last,
    seconds,
    imagesPerSecond: ((step - startStep) * settings.batch) / seconds,
  };
}
