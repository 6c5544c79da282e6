/**
 * `disentangle study plan FILE`: the runs a study expands into, what the store already holds,
 * and the estimated time on this machine. The estimate comes from a calibration measured here
 * (`--calibrate`): for each kind of run (a dataset and a model), as many copies as the pool
 * trains at once run side by side for a few steps with the pool's threads each, and are
 * evaluated with the study's metrics; their img/s (the training log's rate after warm-up) and
 * evaluation seconds are saved in STORE/STUDY/calibration.json. A run's time is then its
 * remaining steps x batch / img/s plus its remaining evaluations, and the study's is the
 * longest worker's queue when the runs are dealt out in order to whichever worker is free.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../engine/atomic-write.ts";
import { readLog } from "../run/log.ts";
import { startRunChild } from "./child.ts";
import type { RunSpec, Study } from "./expand.ts";
import { formatDuration } from "./local-runner.ts";
import { textTable } from "./status.ts";
import { type RunState, readEvals, readRunState, studyDir } from "./store.ts";

/** What one kind of run costs on this machine. */
export interface KindCost {
  /** Training images per second of one run while `workers` train side by side. */
  imagesPerSecond: number;
  /** Seconds of an evaluation with the final metrics, and with the metrics along the way. */
  finalEvalSeconds: number;
  alongEvalSeconds: number;
  /** Seconds from starting a run's process to its first training step (engine, data, compile). */
  startSeconds: number;
}

/** The measured costs of a study's kinds of run on this machine (calibration.json). */
export interface Calibration {
  date: string;
  device: string;
  workers: number;
  threadsPerRun: number;
  steps: number;
  kinds: Record<string, KindCost>;
}

/** The kind of a run: what its cost depends on (its dataset and model). */
export function kindOf(spec: RunSpec): string {
  return `${spec.dataset}/${spec.model}`;
}

function calibrationPath(store: string, study: string): string {
  return join(studyDir(store, study), "calibration.json");
}

/** The saved calibration of `study`, if any. */
export function readCalibration(store: string, study: string): Calibration | undefined {
  const path = calibrationPath(store, study);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Calibration) : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures each kind of run of `study` on this machine (see the file comment): `steps`
 * training steps, an evaluation with the metrics along the way, `steps` more, and one with
 * the final metrics; `workers` copies side by side with `threads` engine threads each.
 */
export async function calibrate(
  study: Study,
  store: string,
  options: { workers: number; threads: number; steps: number; log?: (line: string) => void },
): Promise<Calibration> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const kinds = new Map<string, RunSpec>();
  for (const spec of study.runs) if (!kinds.has(kindOf(spec))) kinds.set(kindOf(spec), spec);
  // Kinds whose evaluations cost the same (same data, network size and metrics) share one
  // measurement of them; the others only train (and encode a small sample, which costs ~1 s).
  const evalKey = (spec: RunSpec) =>
    JSON.stringify([
      spec.config.data,
      spec.config.dataOptions,
      spec.config.root,
      spec.config.architecture,
      spec.config.z,
      spec.evaluations[0].metrics,
      spec.evaluations[spec.evaluations.length - 1].metrics,
    ]);
  const evalMeasuredBy = new Map<string, string>();
  const costs: Record<string, KindCost> = {};
  let device = "unknown";
  for (const [kind, spec] of kinds) {
    const s = options.steps;
    const final = spec.evaluations[spec.evaluations.length - 1].metrics;
    const along = spec.evaluations[0].metrics;
    const sameEvals = evalMeasuredBy.get(evalKey(spec));
    if (sameEvals === undefined) evalMeasuredBy.set(evalKey(spec), kind);
    log(
      `calibrating ${kind}: ${options.workers} run(s) side by side, ${2 * s} steps each with ${options.threads} thread(s), ${sameEvals ? `evaluations as measured for ${sameEvals}` : `evaluated at steps ${s} and ${2 * s}`}...`,
    );
    const dirs = Array.from({ length: options.workers }, (_, copy) =>
      join(studyDir(store, study.name), "calibration", `${kind.replace(/\//g, "-")}-${copy}`),
    );
    const started = performance.now();
    const children = dirs.map((dir) => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const calibrationSpec: RunSpec = {
        ...spec,
        id: `calibration-${spec.id}`,
        config: {
          ...spec.config,
          steps: 2 * s,
          logEvery: Math.max(1, Math.floor(s / 4)),
          checkpointEvery: s,
          out: dir,
        },
        evaluations: sameEvals
          ? [{ step: 2 * s, metrics: {} }]
          : [
              { step: s, metrics: along },
              { step: 2 * s, metrics: final },
            ],
      };
      writeFileAtomic(join(dir, "spec.json"), `${JSON.stringify(calibrationSpec, null, 2)}\n`);
      let firstProgress = 0;
      const child = startRunChild(dir, {
        threads: options.threads,
        onMessage(message) {
          if (message.type === "progress" && firstProgress === 0) {
            firstProgress = performance.now();
          }
        },
      });
      return child.done.then((result) => ({ result, firstProgress }));
    });
    const results = await Promise.all(children);
    for (const [i, { result }] of results.entries()) {
      if (result.code !== 0) {
        throw new Error(`calibration of ${kind} failed (${dirs[i]}):\n${result.stderr}`);
      }
    }
    const rates = dirs.flatMap((dir) =>
      readLog(join(dir, "log.jsonl"))
        .slice(1)
        .map((row) => row.imagesPerSecond)
        .filter((r): r is number => typeof r === "number" && r > 0),
    );
    const evals = dirs.map((dir) => readEvals(dir));
    const firstSteps = results.map((r) => r.firstProgress).filter((t) => t > 0);
    const logEvery = Math.max(1, Math.floor(s / 4));
    const imagesPerSecond = median(rates);
    costs[kind] = {
      imagesPerSecond,
      alongEvalSeconds: sameEvals
        ? costs[sameEvals].alongEvalSeconds
        : median(evals.map((e) => e[0]?.seconds ?? 0)),
      finalEvalSeconds: sameEvals
        ? costs[sameEvals].finalEvalSeconds
        : median(evals.map((e) => e[1]?.seconds ?? 0)),
      // Time to the first logged row, less the training it took.
      startSeconds: Math.max(
        0,
        median(firstSteps.map((t) => (t - started) / 1000)) -
          (logEvery * spec.config.batch) / imagesPerSecond,
      ),
    };
    const config = JSON.parse(readFileSync(join(dirs[0], "config.json"), "utf8")) as {
      engine?: { device: string; threads: number };
    };
    device = config.engine?.device ?? device;
    const c = costs[kind];
    log(
      `  ${kind}: ${c.imagesPerSecond.toFixed(0)} img/s per run, evaluation ${c.alongEvalSeconds.toFixed(1)} s along the way, ${c.finalEvalSeconds.toFixed(1)} s final, start ${c.startSeconds.toFixed(1)} s`,
    );
  }
  const calibration: Calibration = {
    date: new Date().toISOString(),
    device,
    workers: options.workers,
    threadsPerRun: options.threads,
    steps: options.steps,
    kinds: costs,
  };
  mkdirSync(studyDir(store, study.name), { recursive: true });
  writeFileAtomic(calibrationPath(store, study.name), `${JSON.stringify(calibration, null, 2)}\n`);
  return calibration;
}

/** Seconds run `spec` still needs, from where it stands, at `cost`. */
export function remainingSeconds(spec: RunSpec, state: RunState, cost: KindCost): number {
  if (state.status === "done") return 0;
  const steps = Math.max(0, spec.config.steps - state.step);
  const last = spec.evaluations[spec.evaluations.length - 1].step;
  const evals = spec.evaluations
    .filter((e) => !state.evaluated.includes(e.step))
    .reduce((sum, e) => sum + (e.step === last ? cost.finalEvalSeconds : cost.alongEvalSeconds), 0);
  return cost.startSeconds + (steps * spec.config.batch) / cost.imagesPerSecond + evals;
}

/** The time to run `durations` on `workers`, each run going to the first free worker, in order. */
export function poolMakespan(durations: readonly number[], workers: number): number {
  const free = new Array<number>(Math.max(1, workers)).fill(0);
  for (const d of durations) {
    const i = free.indexOf(Math.min(...free));
    free[i] += d;
  }
  return Math.max(...free);
}

/** Prints the plan; with `calibrate`, measures this machine first. */
export async function runPlanCommand(
  study: Study,
  options: { store: string; workers?: number; calibrate?: boolean; calibrateSteps?: number },
): Promise<void> {
  const cores = availableParallelism();
  const states = study.runs.map((spec) => readRunState(options.store, study.name, spec.id));
  const left = states.filter((s) => s.status !== "done").length;
  const workers = Math.max(1, Math.min(options.workers ?? cores, left || study.runs.length));
  const threads = Math.max(1, Math.floor(cores / workers));
  const evalSteps = study.runs[0].evaluations.map((e) => e.step);
  const rows = study.runs.map((spec, i) => [
    spec.id,
    spec.model,
    ...study.swept.map((name) => String(spec.hyperparameters[name] ?? "-")),
    String(spec.seed),
    spec.dataset,
    String(spec.config.steps),
    `${states[i].status}${states[i].status === "partial" ? ` (step ${states[i].step})` : ""}`,
  ]);
  const distinct = (values: unknown[]) => new Set(values.map((v) => JSON.stringify(v))).size;
  const factors = [
    ...(distinct(study.runs.map((r) => r.dataset)) > 1
      ? [`${distinct(study.runs.map((r) => r.dataset))} datasets`]
      : []),
    `${distinct(study.runs.map((r) => r.model))} models`,
    ...study.swept.map(
      (name) =>
        `${distinct(study.runs.map((r) => r.hyperparameters[name]).filter((v) => v !== undefined))} ${name}`,
    ),
    `${distinct(study.runs.map((r) => r.seed))} seeds`,
  ];
  process.stdout.write(
    `study ${study.name}: ${study.runs.length} runs (${factors.join(" x ")}), ${study.steps} steps each, evaluated at steps ${evalSteps.join(", ")}\n`,
  );
  process.stdout.write(
    `${textTable([["run", "model", ...study.swept, "seed", "dataset", "steps", "store"], ...rows])}\n`,
  );
  const first = study.runs[0].config;
  // Each setting as the plan prints it, listed when every run has the same.
  const settings: ((c: typeof first) => string)[] = [
    (c) => c.architecture ?? "architecture from the image size",
    (c) => `z ${c.z}`,
    (c) => `batch ${c.batch}`,
    (c) => `lr ${c.lr}`,
    (c) => `${c.likelihood} likelihood`,
    (c) => `${c.prior} prior`,
  ];
  const shared = settings.filter((show) => distinct(study.runs.map((r) => show(r.config))) === 1);
  if (shared.length > 0) {
    process.stdout.write(`shared by every run: ${shared.map((show) => show(first)).join(", ")}\n`);
  }
  let calibration = options.calibrate
    ? await calibrate(study, options.store, {
        workers,
        threads,
        steps: options.calibrateSteps ?? 60,
      })
    : readCalibration(options.store, study.name);
  const missing = calibration
    ? [...new Set(study.runs.map(kindOf))].filter((k) => !(k in (calibration as Calibration).kinds))
    : [];
  if (calibration && missing.length > 0) calibration = undefined;
  if (!calibration) {
    process.stdout.write(
      `estimate: not measured yet on this machine; run \`disentangle study plan ${study.source} --calibrate\` (a few training steps and two evaluations per kind of run, saved in ${options.store}/${study.name}/calibration.json)\n`,
    );
    return;
  }
  const durations = study.runs.map((spec, i) =>
    remainingSeconds(spec, states[i], (calibration as Calibration).kinds[kindOf(spec)]),
  );
  const total = poolMakespan(durations, calibration.workers);
  const perKind = Object.entries(calibration.kinds)
    .map(
      ([kind, c]) =>
        `${kind} ${c.imagesPerSecond.toFixed(0)} img/s, evaluations ${c.alongEvalSeconds.toFixed(0)} s / ${c.finalEvalSeconds.toFixed(0)} s (along / final), start ${c.startSeconds.toFixed(0)} s`,
    )
    .join("; ");
  process.stdout.write(
    `estimate: ${formatDuration(total)} for the ${left} unfinished run(s) on ${calibration.workers} worker(s) x ${calibration.threadsPerRun} thread(s) (${calibration.device}), from the calibration of ${calibration.date.slice(0, 16).replace("T", " ")}: ${perKind}\n`,
  );
}
