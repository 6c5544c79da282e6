/**
 * The run store: one folder per study, shared by every process that trains it (the local
 * runner's children, or queue workers on several machines over a shared file system). Every
 * file is written atomically (src/engine/atomic-write.ts), so a reader sees a whole file or
 * none. Layout:
 *
 *   STORE/STUDY/runs/ID/spec.json            what to train and evaluate (expand.ts's RunSpec)
 *   STORE/STUDY/runs/ID/config.json, checkpoint.safetensors, log.jsonl   the run folder
 *   STORE/STUDY/runs/ID/evals/step-N.json    `eval` reports, one per evaluated step
 *   STORE/STUDY/runs/ID/events.log           started, resumed from step N, evaluated, done
 *   STORE/STUDY/runs/ID/result.json          written last: the run is finished
 *   STORE/STUDY/runs/ID/train.lock           held while a process trains the run
 *   STORE/STUDY/dead-letter/ID.json          runs that failed every attempt, with the error
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { writeFileAtomic } from "../engine/atomic-write.ts";
import type { EvalReport } from "../metrics/evaluate-run.ts";
import { CHECKPOINT_FILE } from "../run/checkpoint.ts";
import type { RunSpec } from "./expand.ts";

/** The study's folder in the store. */
export function studyDir(store: string, study: string): string {
  return join(store, study);
}

/** A run's folder in the store. */
export function runDir(store: string, study: string, id: string): string {
  return join(store, study, "runs", id);
}

const SPEC = "spec.json";
const RESULT = "result.json";
const EVENTS = "events.log";
const LOCK = "train.lock";

/** What `result.json` records when a run has trained and been evaluated at every step. */
export interface RunResult {
  id: string;
  step: number;
  evaluated: number[];
  seconds: number;
  finishedAt: string;
}

/**
 * Writes the run's spec into its folder (creating it), with `config.out` pointing there. A
 * spec already in the store must match (the same config and evaluations): a study file edited
 * after its runs started would otherwise mix two studies in one table.
 */
export function writeRunSpec(dir: string, spec: RunSpec): RunSpec {
  const placed: RunSpec = { ...spec, config: { ...spec.config, out: dir } };
  const path = join(dir, SPEC);
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, "utf8")) as RunSpec;
    const comparable = (s: RunSpec) =>
      JSON.stringify({ config: { ...s.config, out: "" }, evaluations: s.evaluations });
    if (comparable(saved) !== comparable(placed)) {
      throw new Error(
        `${path}: run ${spec.id} was started with other settings than the study file now gives; restore the study file, or use another --store (or delete ${dir})`,
      );
    }
    return saved;
  }
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(placed, null, 2)}\n`);
  return placed;
}

/** The spec of the run in `dir`. */
export function readRunSpec(dir: string): RunSpec {
  const path = join(dir, SPEC);
  if (!existsSync(path)) throw new Error(`${dir}: not a study run folder (no ${SPEC})`);
  return JSON.parse(readFileSync(path, "utf8")) as RunSpec;
}

/** The path of the evaluation at `step`. */
export function evalPath(dir: string, step: number): string {
  return join(dir, "evals", `step-${String(step).padStart(8, "0")}.json`);
}

/** Every evaluation of the run, by ascending step. */
export function readEvals(dir: string): EvalReport[] {
  const folder = join(dir, "evals");
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /^step-\d+\.json$/.test(name))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(folder, name), "utf8")) as EvalReport);
}

/** Writes one evaluation atomically. */
export function writeEval(dir: string, step: number, report: EvalReport): void {
  mkdirSync(join(dir, "evals"), { recursive: true });
  writeFileAtomic(evalPath(dir, step), `${JSON.stringify(report, null, 2)}\n`);
}

/** Marks the run finished. */
export function writeRunResult(dir: string, result: RunResult): void {
  writeFileAtomic(join(dir, RESULT), `${JSON.stringify(result, null, 2)}\n`);
}

/** The run's result, or undefined while it is not finished. */
export function readRunResult(dir: string): RunResult | undefined {
  const path = join(dir, RESULT);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunResult) : undefined;
}

/** Appends a time-stamped line to the run's events.log (one write, so lines never interleave). */
export function appendRunEvent(dir: string, line: string): void {
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, EVENTS), `${new Date().toISOString()} ${line}\n`);
}

/** The run's events.log. */
export function readRunEvents(dir: string): string {
  const path = join(dir, EVENTS);
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/**
 * The step of the run's checkpoint (0 when it has none), read from the safetensors header's
 * metadata without loading the tensors.
 */
export function checkpointStep(dir: string): number {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return 0;
  const fd = openSync(path, "r");
  try {
    const size = Buffer.alloc(8);
    readSync(fd, size, 0, 8, 0);
    const length = Number(size.readBigUInt64LE(0));
    const header = Buffer.alloc(length);
    readSync(fd, header, 0, length, 8);
    const meta = (JSON.parse(header.toString("utf8")) as { __metadata__?: { step?: string } })
      .__metadata__;
    return Number(meta?.step ?? 0);
  } finally {
    closeSync(fd);
  }
}

/** Where a run stands: finished, checkpointed, not started, or dead-lettered. */
export type RunStatus = "done" | "partial" | "new" | "dead";

/** Where a run stands in the store. */
export interface RunState {
  id: string;
  status: RunStatus;
  /** Its checkpoint's step. */
  step: number;
  /** Steps evaluated so far. */
  evaluated: number[];
  /** The error of a dead-lettered run. */
  error?: string;
}

/** Where run `id` of `study` stands in `store`. */
export function readRunState(store: string, study: string, id: string): RunState {
  const dir = runDir(store, study, id);
  const evaluated = readEvals(dir).map((report) => report.step);
  const result = readRunResult(dir);
  if (result) return { id, status: "done", step: result.step, evaluated };
  const dead = readDeadLetter(store, study).find((entry) => entry.id === id);
  const step = checkpointStep(dir);
  if (dead) return { id, status: "dead", step, evaluated, error: dead.error };
  return { id, status: step > 0 || evaluated.length > 0 ? "partial" : "new", step, evaluated };
}

/** A run that failed every attempt. */
export interface DeadLetter {
  id: string;
  error: string;
  attempts: number;
  failedAt: string;
}

/** Records a run that failed every attempt (the queue's failed set holds the same). */
export function writeDeadLetter(store: string, study: string, entry: DeadLetter): void {
  const dir = join(studyDir(store, study), "dead-letter");
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, `${entry.id}.json`), `${JSON.stringify(entry, null, 2)}\n`);
}

/** The study's dead-letter list. */
export function readDeadLetter(store: string, study: string): DeadLetter[] {
  const dir = join(studyDir(store, study), "dead-letter");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as DeadLetter);
}

/** Removes a run from the dead-letter list (when it is enqueued again). */
export function clearDeadLetter(store: string, study: string, id: string): void {
  rmSync(join(studyDir(store, study), "dead-letter", `${id}.json`), { force: true });
}

/** Raised when another process holds a run's lock. */
export class RunBusyError extends Error {
  override name = "RunBusyError";
}

/** A held run lock. */
export interface RunLock {
  release(): void;
}

/** Touches the lock file from a worker thread: the main thread may be busy for minutes. */
const HEARTBEAT = `
const { workerData } = require("node:worker_threads");
const { utimesSync } = require("node:fs");
setInterval(() => {
  const now = new Date();
  try { utimesSync(workerData.path, now, now); } catch {}
}, workerData.every);
`;

/** Whether process `pid` is alive on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the run's lock, so that a run is never trained by two processes at once (a queue's
 * own lock is the first guard; this one holds across queues, runners and machines that share
 * the store). The lock file is created exclusively and names its host and pid. It is free
 * again when its holder releases it, when the holder (on this host) is no longer alive, or
 * (held from another host) when it has not been touched for `staleMs`: a thread of the holder
 * touches it every `staleMs / 4`. Throws RunBusyError when a live process holds it.
 */
export function acquireRunLock(dir: string, staleMs = 60_000): RunLock {
  const path = join(dir, LOCK);
  const host = hostname();
  const create = (): boolean => {
    try {
      const fd = openSync(path, "wx");
      const record = { host, pid: process.pid, since: new Date().toISOString() };
      writeSync(fd, `${JSON.stringify(record)}\n`);
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  };
  if (!create()) {
    let held = true;
    let holder = "another process";
    try {
      const age = Date.now() - statSync(path).mtimeMs;
      const owner = JSON.parse(readFileSync(path, "utf8")) as { host: string; pid: number };
      holder = `${owner.host} pid ${owner.pid} (lock ${path}, touched ${(age / 1000).toFixed(0)} s ago)`;
      held = owner.host === host ? alive(owner.pid) : age <= staleMs;
    } catch {
      // Released (or half-written) between our attempt and these reads: try once more below.
      held = existsSync(path);
    }
    if (held) throw new RunBusyError(`${dir}: the run is being trained by ${holder}`);
    // Stale: move it aside (one process wins the rename) and take the lock.
    try {
      renameSync(path, `${path}.stale.${process.pid}`);
      rmSync(`${path}.stale.${process.pid}`, { force: true });
    } catch {
      // Another process moved it first.
    }
    if (!create()) throw new RunBusyError(`${dir}: another process took the stale lock first`);
  }
  const heartbeat = new Worker(HEARTBEAT, {
    eval: true,
    workerData: { path, every: Math.max(1000, staleMs / 4) },
  });
  heartbeat.unref();
  let released = false;
  // Released on process.exit too.
  const release = () => {
    if (released) return;
    released = true;
    void heartbeat.terminate();
    process.off("exit", release);
    rmSync(path, { force: true });
  };
  process.on("exit", release);
  return { release };
}
