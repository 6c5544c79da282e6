/**
 * `disentangle eval` as a library: takes a trained run, encodes the images the requested
 * metrics need (the whole dataset when it is a factor grid and a metric needs the grid, else
 * a seeded subsample of `rows`), runs the metrics of the registry (registry.ts: the same
 * names, options and defaults as `disentangle metrics`) and returns one JSON-ready report
 * with every metric's options (samples, seeds, bins, protocol), so each number can be
 * reproduced.
 */
import type { Dataset } from "../data/dataset.ts";
import { permutation, Rng } from "../data/random.ts";
import { encodeDataset } from "../run/encode-dataset.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import type { FactorMatrix } from "./arrays.ts";
import type { MetricInput, MetricReport } from "./metric.ts";
import type { RepresentationOracle } from "./oracle.ts";
import { oracleFromRun } from "./oracle-from-run.ts";
import { applicableMetrics, checkMetrics, METRICS, runMetrics } from "./registry.ts";

export interface EvalOptions {
  /** Metric names (see registry.ts). Default: every one the run can be scored on. */
  metrics?: string[];
  /** Seed of every subsample and sample. Default 0. */
  seed?: number;
  /** Rows encoded when the whole dataset is not needed. Default 10000. */
  rows?: number;
  /** Images per encoder call. Default 256. */
  batchSize?: number;
  /** Metric options by field as the user gave them (flags); each metric's schema fills the rest. */
  options?: Record<string, unknown>;
  /**
   * Options metric by metric (a study's `{"mig": {"include": [...]}, "mig-dlib": {}}`): the
   * metrics run are its keys, each with its own options, so two metrics can take one option
   * (`include`) with different values. Replaces `metrics` and `options` when given.
   */
  perMetric?: Record<string, Record<string, unknown>>;
  /** Hears the images encoded so far (the CLI draws a bar with it). */
  onEncodeProgress?: (done: number, total: number) => void;
}

/** Rows encoded for metrics that do not need the whole grid, by default. */
export const EVAL_ROWS = 10000;

export interface EvalReport {
  run: string;
  step: number;
  dataset: { name: string; count: number; factors: string[]; grid: number[] | null };
  encoded: { rows: number; of: number; seed: number; fullGrid: boolean; seconds: number };
  metrics: Record<string, MetricReport>;
  seconds: number;
}

/**
 * The factors of dataset images `rows`: their value indices (the metrics' classes), or with
 * `table` "factorValues" the values themselves; undefined when the dataset has no factors.
 */
export function factorMatrix(
  dataset: Dataset,
  rows: ArrayLike<number>,
  table: "factorIndices" | "factorValues" = "factorIndices",
): FactorMatrix | undefined {
  const all = dataset[table];
  const k = dataset.factors.length;
  if (all === undefined || k === 0) return undefined;
  const data =
    all instanceof Int32Array ? new Int32Array(rows.length * k) : new Float32Array(rows.length * k);
  for (let i = 0; i < rows.length; i++) {
    data.set(all.subarray(rows[i] * k, (rows[i] + 1) * k), i * k);
  }
  return { data, count: rows.length, factors: k };
}

/** What the run offers the metrics, before anything is encoded (to check what applies). */
function probeInput(run: TrainedRun): MetricInput {
  const latentDim = run.model.architecture.config.latentDim;
  const { dataset } = run;
  return {
    codes: { data: new Float32Array(0), count: 0, dims: latentDim },
    factors: factorMatrix(dataset, []),
    factorNames: dataset.factors.map((f) => f.name),
    logvars: new Float32Array(0),
    grid: dataset.grid,
    prior: run.model.trainedPrior(run.params),
    run,
    ...(dataset.grid ? { oracle: () => oracleFromRun(run) } : {}),
  };
}

/** The metrics `run` can be scored on (what `eval` computes when no metric is named). */
export function applicableRunMetrics(run: TrainedRun, given: Record<string, unknown> = {}) {
  return applicableMetrics(probeInput(run), given);
}

/** Runs the metrics on `run`; `log` hears progress lines (encoding, each metric). */
export async function evaluateRun(
  run: TrainedRun,
  options: EvalOptions = {},
  log: (line: string) => void = () => {},
): Promise<EvalReport> {
  const started = performance.now();
  const seed = options.seed ?? 0;
  const given = options.options ?? {};
  const probe = probeInput(run);
  const perMetric = options.perMetric;
  const names = perMetric
    ? Object.keys(perMetric).flatMap((name) => checkMetrics(probe, [name], perMetric[name]))
    : checkMetrics(probe, options.metrics ?? applicableMetrics(probe, given), given);
  const { dataset } = run;
  const fullGrid = dataset.grid !== undefined && names.some((n) => METRICS[n].needsGrid === true);
  let rows: Int32Array;
  if (fullGrid) {
    rows = Int32Array.from({ length: dataset.count }, (_, i) => i);
  } else {
    const take = Math.min(options.rows ?? EVAL_ROWS, dataset.count);
    rows = permutation(dataset.count, new Rng(seed, 0xe7a1)).slice(0, take).sort();
  }
  log(`encoding ${rows.length} of ${dataset.count} images`);
  const encodeStart = performance.now();
  const posteriors = await encodeDataset(run.model, run.params.encoder, dataset, rows, {
    batchSize: options.batchSize,
    onProgress: options.onEncodeProgress,
  });
  const encodeSeconds = (performance.now() - encodeStart) / 1000;
  let oracle: RepresentationOracle | undefined;
  const input: MetricInput = {
    ...probe,
    codes: { data: posteriors.mu, count: posteriors.count, dims: posteriors.latentDim },
    factors: factorMatrix(dataset, rows),
    logvars: posteriors.logvar,
    ...(posteriors.posterior ? { posterior: posteriors.posterior } : {}),
    grid: fullGrid ? dataset.grid : undefined,
    oracle: dataset.grid
      ? () => {
          oracle ??= oracleFromRun(run, fullGrid ? posteriors : undefined, {
            batchSize: options.batchSize,
          });
          return oracle;
        }
      : undefined,
  };
  let metrics: Record<string, MetricReport> = {};
  if (perMetric) {
    for (const name of names) {
      const report = await runMetrics(input, [name], perMetric[name] ?? {}, seed, log);
      metrics = { ...metrics, ...report };
    }
  } else {
    metrics = await runMetrics(input, names, given, seed, log);
  }
  return {
    run: run.runDir,
    step: run.step,
    dataset: {
      name: dataset.name,
      count: dataset.count,
      factors: dataset.factors.map((f) => f.name),
      grid: dataset.grid ?? null,
    },
    encoded: { rows: rows.length, of: dataset.count, seed, fullGrid, seconds: encodeSeconds },
    metrics,
    seconds: (performance.now() - started) / 1000,
  };
}
