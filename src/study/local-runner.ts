/**
 * The local runner (`disentangle study run FILE`): a pool of child processes on this machine,
 * one run each (by default one per core, with the engine's threads split between them).
 * Resumable: finished runs are skipped, interrupted ones resume from their checkpoint (their
 * children exit when the runner dies, so running the command again picks up where it was).
 * Progress: one line per run event, and a status line for the study (runs done, running
 * runs' steps and img/s, ETA) every `statusEvery` seconds.
 */
import { availableParallelism } from "node:os";
import { type ChildMessage, childError, EXIT_BUSY, startRunChild } from "./child.ts";
import type { RunSpec, Study } from "./expand.ts";
import { readRunResult, runDir, writeRunSpec } from "./store.ts";

/** How the local runner runs a study. */
export interface LocalRunOptions {
  /** The run store (runs go to STORE/STUDY/runs/ID). */
  store: string;
  /** Runs trained at once (default: the cores, at most the runs left). */
  workers?: number;
  /** Engine threads per run (default: the cores split between the workers, at least 1). */
  threadsPerRun?: number;
  /** Seconds between status lines (default 30). */
  statusEvery?: number;
  /** Where lines go (default stderr). */
  log?: (line: string) => void;
}

/** What a local run of a study did. */
export interface LocalRunSummary {
  skipped: number;
  done: number;
  failed: { id: string; error: string }[];
  seconds: number;
}

/** `1h 02m`, `3m 20s`, `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600)
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Trains every unfinished run of `study` on this machine. */
export async function runStudyLocally(
  study: Study,
  options: LocalRunOptions,
): Promise<LocalRunSummary> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cores = availableParallelism();
  const pending: RunSpec[] = [];
  let skipped = 0;
  for (const spec of study.runs) {
    const dir = runDir(options.store, study.name, spec.id);
    writeRunSpec(dir, spec);
    if (readRunResult(dir)) skipped++;
    else pending.push(spec);
  }
  const workers = Math.max(1, Math.min(options.workers ?? cores, pending.length || 1));
  const threads = options.threadsPerRun ?? Math.max(1, Math.floor(cores / workers));
  log(
    `study ${study.name}: ${study.runs.length} runs, ${skipped} already done, ${pending.length} to train; ${workers} at once with ${threads} engine thread(s) each -> ${options.store}/${study.name}`,
  );
  const total = study.runs.length;
  const totalSteps = pending.reduce((sum, spec) => sum + spec.config.steps, 0);
  const stepsAtStart = new Map<string, number>();
  const running = new Map<string, { step: number; steps: number; rate: number; batch: number }>();
  const finishedSteps = { value: 0 };
  let done = 0;
  const failed: { id: string; error: string }[] = [];

  const stepsDone = () =>
    finishedSteps.value +
    [...running.entries()].reduce(
      (sum, [id, r]) => sum + Math.max(0, r.step - (stepsAtStart.get(id) ?? 0)),
      0,
    );
  const alreadyDone = () => [...stepsAtStart.values()].reduce((a, b) => a + b, 0);
  const status = () => {
    const elapsed = (performance.now() - started) / 1000;
    const trained = stepsDone();
    const left = totalSteps - alreadyDone() - trained;
    const eta = trained > 0 ? (left * elapsed) / trained : Number.NaN;
    const runs = [...running.entries()]
      .map(([id, r]) => `${id} ${r.step}/${r.steps} ${r.rate.toFixed(0)} img/s`)
      .join("; ");
    log(
      `[study ${study.name}] ${skipped + done}/${total} runs done${failed.length ? `, ${failed.length} failed` : ""}, ${running.size} running${runs ? ` (${runs})` : ""}; elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}`,
    );
  };
  const timer = setInterval(status, (options.statusEvery ?? 30) * 1000);
  timer.unref();

  const trainOne = async (spec: RunSpec, attempt = 0): Promise<void> => {
    const dir = runDir(options.store, study.name, spec.id);
    running.set(spec.id, { step: 0, steps: spec.config.steps, rate: 0, batch: spec.config.batch });
    const onMessage = (message: ChildMessage) => {
      const entry = running.get(spec.id);
      if (!entry) return;
      if (message.type === "progress") {
        if (!stepsAtStart.has(spec.id)) stepsAtStart.set(spec.id, Math.max(0, message.step - 1));
        entry.step = message.step;
        entry.rate = message.imagesPerSecond;
      } else if (message.type === "event") {
        log(message.line);
        const resumed = /resuming from checkpoint at step (\d+)/.exec(message.line);
        if (resumed) stepsAtStart.set(spec.id, Number(resumed[1]));
      }
    };
    const { done: exited } = startRunChild(dir, { threads, onMessage });
    const { code, signal, stderr } = await exited;
    const entry = running.get(spec.id);
    running.delete(spec.id);
    finishedSteps.value += Math.max(0, (entry?.step ?? 0) - (stepsAtStart.get(spec.id) ?? 0));
    if (code === 0) {
      done++;
      status();
      return;
    }
    if (code === EXIT_BUSY && attempt < 5) {
      // Another process still holds the run (a child of a runner killed a moment ago).
      await new Promise((resolve) => setTimeout(resolve, 2000 * (attempt + 1)));
      return trainOne(spec, attempt + 1);
    }
    const error = childError(stderr, code, signal);
    failed.push({ id: spec.id, error });
    log(`run ${spec.id} failed: ${error}`);
  };

  const queue = [...pending];
  const slot = async () => {
    for (let spec = queue.shift(); spec !== undefined; spec = queue.shift()) await trainOne(spec);
  };
  try {
    await Promise.all(Array.from({ length: workers }, slot));
  } finally {
    clearInterval(timer);
  }
  status();
  return { skipped, done, failed, seconds: (performance.now() - started) / 1000 };
}
