/**
 * Trains and evaluates one run of a study in its store folder (the body of `disentangle study
 * exec`, which the local runner and the queue workers start in a child process per run, with
 * its share of the engine threads). The run trains up to each evaluation step in turn and is
 * evaluated there (MIG against steps); a resumed run trains on from its checkpoint, which ends
 * bit-identical to an uninterrupted run (src/run/run-training.ts), and evaluations already in
 * the store are not redone. result.json is written last.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tree } from "../engine/jax.ts";
import { evaluateRun } from "../metrics/evaluate-run.ts";
import { hasCheckpoint, LOG_FILE } from "../run/checkpoint.ts";
import { loadTrainedRun } from "../run/load-trained-run.ts";
import { runTraining } from "../run/run-training.ts";
import { headlineValues } from "./headline-values.ts";
import {
  acquireRunLock,
  appendRunEvent,
  checkpointStep,
  evalPath,
  type RunResult,
  readRunResult,
  readRunSpec,
  writeEval,
  writeRunResult,
} from "./store.ts";

/** What the run reports as it goes (the child passes these to its parent). */
export interface RunHooks {
  /** A line for the run's events.log and the parent's output. */
  event?(line: string): void;
  /** After each logged training row. */
  progress?(step: number, steps: number, imagesPerSecond: number): void;
  /** After each evaluation, with its headline values (`metric.key` -> value). */
  evaluated?(step: number, values: Record<string, number | null>): void;
}

/** Raised when the run was stopped (Ctrl-C or a timeout's SIGINT) after checkpointing. */
export class RunInterruptedError extends Error {
  override name = "RunInterruptedError";
}

/**
 * Trains and evaluates the run in `dir` (its spec.json written by the runner) to the end of
 * its budget, resuming from what the folder holds. Holds the run's lock throughout.
 */
export async function executeRun(dir: string, hooks: RunHooks = {}): Promise<RunResult> {
  const started = performance.now();
  const spec = readRunSpec(dir);
  const event = (line: string) => {
    appendRunEvent(dir, line);
    hooks.event?.(line);
  };
  const done = readRunResult(dir);
  if (done) return done;
  const lock = acquireRunLock(dir);
  try {
    const steps = spec.config.steps;
    const at = checkpointStep(dir);
    event(
      at > 0
        ? `run ${spec.id}: resuming from checkpoint at step ${at} of ${steps}`
        : `run ${spec.id}: starting (${steps} steps, seed ${spec.seed})`,
    );
    for (const evaluation of spec.evaluations) {
      if (existsSync(evalPath(dir, evaluation.step))) continue;
      const reached = checkpointStep(dir);
      if (reached > evaluation.step) {
        event(
          `run ${spec.id}: step ${evaluation.step} passed without an evaluation (at ${reached})`,
        );
        continue;
      }
      if (reached < evaluation.step) {
        const resume = hasCheckpoint(dir);
        // A run killed before its first checkpoint starts over: drop its log rows.
        if (!resume) rmSync(join(dir, LOG_FILE), { force: true });
        const summary = await runTraining(
          { ...spec.config, out: dir, steps: evaluation.step },
          {
            resume,
            progress: false,
            onLog: (row) => hooks.progress?.(row.step, steps, row.imagesPerSecond ?? 0),
          },
        );
        if (summary.stoppedBy === "interrupted") {
          event(`run ${spec.id}: interrupted; checkpoint saved at step ${summary.step}`);
          throw new RunInterruptedError(
            `run ${spec.id} was interrupted at step ${summary.step} (checkpoint saved)`,
          );
        }
      }
      const run = await loadTrainedRun(dir);
      try {
        const report = await evaluateRun(run, {
          perMetric: evaluation.metrics,
          seed: spec.evalSeed,
        });
        writeEval(dir, evaluation.step, report);
        const values = headlineValues(report.metrics);
        event(
          `run ${spec.id}: evaluated step ${evaluation.step} in ${report.seconds.toFixed(1)} s: ${Object.entries(
            values,
          )
            .map(([k, v]) => `${k} ${v === null ? "n/a" : v.toFixed(4)}`)
            .join(", ")}`,
        );
        hooks.evaluated?.(evaluation.step, values);
      } finally {
        tree.dispose(run.params as never);
      }
    }
    const result: RunResult = {
      id: spec.id,
      step: checkpointStep(dir),
      evaluated: spec.evaluations.map((e) => e.step),
      seconds: (performance.now() - started) / 1000,
      finishedAt: new Date().toISOString(),
    };
    writeRunResult(dir, result);
    event(`run ${spec.id}: done at step ${result.step}`);
    return result;
  } finally {
    lock.release();
  }
}
