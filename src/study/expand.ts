/**
 * A study file expanded into its runs: datasets x models x swept hyperparameters x seeds, in
 * that order, each a run config validated by the run config's own schema (parseTrainConfig).
 * Every problem is found here, before anything trains, and points at the study file's line
 * (an unknown model, a hyperparameter a model does not take, an empty list of values, a
 * metric option no metric has).
 */
import { METRIC_NAMES, METRICS, type MetricName } from "../metrics/registry.ts";
import { ConfigError, parseTrainConfig, type TrainConfig } from "../run/config.ts";
import { formatIssues, type SettingsIssue } from "../run/config-errors.ts";
import { type MetricSpec, type StudyFile, studySchema } from "./schema.ts";

type Value = string | number | boolean;

/** One evaluation of a run: at `step`, these metrics with these options. */
export interface Evaluation {
  step: number;
  metrics: MetricSpec;
}

/** One run of a study: everything a worker needs to train and evaluate it. */
export interface RunSpec {
  study: string;
  /** Unique in the study; names its folder in the store and its job in the queue. */
  id: string;
  /** The cell: runs of one cell differ by seed only (the report averages over them). */
  cell: string;
  model: string;
  dataset: string;
  /** The swept settings' values of this run, by name. */
  hyperparameters: Record<string, Value>;
  seed: number;
  /** The run config (`out` is set by the store where the run is trained). */
  config: TrainConfig;
  /** Ascending steps; the last is the budget. */
  evaluations: Evaluation[];
  evalSeed: number;
}

/** A validated study: its runs, in grid order. */
export interface Study {
  name: string;
  description?: string;
  /** Where the study came from (a file path). */
  source: string;
  /** Names of the swept settings, in the order run ids show them. */
  swept: string[];
  steps: number;
  runs: RunSpec[];
}

/** Fields a study sets itself; `shared` may not hold them. */
const NOT_SHARED: Record<string, string> = {
  model: "the models are listed in `models`",
  seed: "seeds are listed in `seeds`",
  steps: "the budget sets the steps (`budget.steps`)",
  out: "runs are written to the run store (`--store`)",
};

function cartesian(grid: [string, Value[]][]): Record<string, Value>[] {
  let points: Record<string, Value>[] = [{}];
  for (const [name, values] of grid) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [name]: value })));
  }
  return points;
}

/** `beta` 4 -> "beta4"; characters outside [a-z0-9.-] become dashes. */
function idPart(name: string, value: Value): string {
  return `${name}${String(value)}`.replace(/[^a-z0-9.-]+/gi, "-");
}

/** The steps at which a run is evaluated: every `every`, the `at` list, and the budget. */
function evaluationSteps(study: StudyFile): number[] {
  const steps = new Set<number>([study.budget.steps]);
  const { every, at } = study.evaluate;
  if (every !== undefined) for (let s = every; s < study.budget.steps; s += every) steps.add(s);
  for (const s of at ?? []) steps.add(s);
  return [...steps].sort((a, b) => a - b);
}

/** Checks metric names and options against the registry; issues at `path`. */
function metricIssues(spec: MetricSpec, path: PropertyKey[]): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  for (const [name, options] of Object.entries(spec)) {
    if (!(METRIC_NAMES as string[]).includes(name)) {
      issues.push({
        path: [...path, name],
        message: `unknown metric "${name}", expected some of ${METRIC_NAMES.join(", ")}`,
      });
      continue;
    }
    const { schema } = METRICS[name as MetricName];
    if ("seed" in options) {
      issues.push({
        path: [...path, name, "seed"],
        message: "the study's `evalSeed` seeds every metric",
      });
      continue;
    }
    const parsed = schema.strict().safeParse(options);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const known = Object.keys(schema.shape).join(", ") || "none";
        issues.push({
          path: [...path, name, ...issue.path],
          keys: issue.code === "unrecognized_keys" ? issue.keys : undefined,
          message:
            issue.code === "unrecognized_keys"
              ? `${name} takes no option ${issue.keys.join(", ")} (its options: ${known})`
              : issue.message,
        });
      }
    }
  }
  return issues;
}

/**
 * Validates a study (the parsed JSON of a study file) and expands it into its runs.
 * `source` names the file, `text` is its text (for line numbers). Throws a ConfigError that
 * lists every problem, one line each: `FILE:LINE: field "PATH" (got VALUE): what was expected`.
 */
export function expandStudy(input: unknown, source: string, text?: string): Study {
  const fail = (issues: SettingsIssue[]): never => {
    throw new ConfigError(formatIssues(issues, source, input, text), issues);
  };
  const parsed = studySchema.safeParse(input);
  if (!parsed.success) fail(parsed.error.issues);
  const study = parsed.data as StudyFile;

  const issues: SettingsIssue[] = [];
  for (const [field, why] of Object.entries(NOT_SHARED)) {
    if (field in study.shared) issues.push({ path: ["shared", field], message: why });
  }
  if (study.datasets !== undefined) {
    for (const field of ["data", "root", "dataOptions"]) {
      if (field in study.shared) {
        issues.push({
          path: ["shared", field],
          message: "the study lists `datasets`: give each dataset's settings there",
        });
      }
    }
  }
  const steps = evaluationSteps(study);
  for (const [i, s] of (study.evaluate.at ?? []).entries()) {
    if (s > study.budget.steps) {
      issues.push({
        path: ["evaluate", "at", i],
        message: `after the budget (budget.steps ${study.budget.steps})`,
      });
    }
  }
  issues.push(...metricIssues(study.metrics, ["metrics"]));
  if (study.evaluate.metrics) {
    issues.push(...metricIssues(study.evaluate.metrics, ["evaluate", "metrics"]));
  }
  if (issues.length > 0) fail(issues);

  // Where each field of a run's config came from in the study file, to point at its line.
  type Origin = Record<string, PropertyKey[]>;
  const datasets = (study.datasets ?? [{ label: undefined }]).map((dataset, i) => {
    const { label, ...settings } = dataset as { label?: string } & Record<string, unknown>;
    const origin: Origin = Object.fromEntries(
      Object.keys(settings).map((key) => [key, ["datasets", i, key]]),
    );
    const name = label ?? String(settings.data ?? study.shared.data ?? "default");
    return { label: name, settings, origin };
  });
  const sharedOrigin: Origin = Object.fromEntries(
    Object.keys(study.shared).map((key) => [key, ["shared", key]]),
  );
  const modelLabels = new Map<string, number>();
  for (const [i, entry] of study.models.entries()) {
    const label = entry.label ?? entry.model;
    const first = modelLabels.get(label);
    if (first !== undefined) {
      issues.push({
        path: ["models", i, entry.label === undefined ? "model" : "label"],
        message: `repeats models.${first}'s name "${label}"; give one of them a "label"`,
      });
    }
    modelLabels.set(label, i);
  }
  const datasetLabels = new Set<string>();
  for (const [i, dataset] of datasets.entries()) {
    if (datasetLabels.has(dataset.label)) {
      issues.push({
        path: ["datasets", i],
        message: `repeats the dataset name "${dataset.label}"; give it a "label"`,
      });
    }
    datasetLabels.add(dataset.label);
  }
  if (issues.length > 0) fail(issues);

  const swept: string[] = [];
  const runs: RunSpec[] = [];
  const seen = new Set<string>();
  for (const dataset of datasets) {
    for (const [m, entry] of study.models.entries()) {
      const { model, label, grid: ownGrid, ...fixed } = entry;
      const grid = { ...study.grid, ...(ownGrid ?? {}) };
      const gridEntries = Object.entries(grid).sort(([a], [b]) => a.localeCompare(b));
      for (const [name] of gridEntries) if (!swept.includes(name)) swept.push(name);
      for (const point of cartesian(gridEntries)) {
        const cellParts = [
          ...(datasets.length > 1 ? [dataset.label] : []),
          label ?? model,
          ...Object.entries(point).map(([k, v]) => idPart(k, v)),
        ];
        const cell = cellParts.join("-");
        for (const [s, seed] of study.seeds.entries()) {
          const id = `${cell}-seed${seed}`;
          const origin: Origin = {
            ...sharedOrigin,
            ...dataset.origin,
            model: ["models", m, "model"],
            ...Object.fromEntries(Object.keys(fixed).map((key) => [key, ["models", m, key]])),
            ...Object.fromEntries(
              Object.keys(point).map((key) => [
                key,
                ownGrid && key in ownGrid ? ["models", m, "grid", key] : ["grid", key],
              ]),
            ),
            seed: ["seeds", s],
            steps: ["budget", "steps"],
          };
          const runInput = {
            ...study.shared,
            ...dataset.settings,
            model,
            ...fixed,
            ...point,
            seed,
            steps: study.budget.steps,
            out: `runs/studies/${study.name}/runs/${id}`,
          };
          let config: TrainConfig;
          try {
            config = parseTrainConfig(runInput, `run ${id}`);
          } catch (error) {
            if (!(error instanceof ConfigError) || error.issues === undefined) throw error;
            for (const issue of error.issues) {
              const field = String(issue.keys?.[0] ?? issue.path[0] ?? "");
              const at = origin[field];
              const message = `run ${id}: ${issue.message.replace(/ with --model( or --base)?/, " in `models`")}`;
              issues.push(
                at
                  ? { path: [...at, ...issue.path.slice(1)], message }
                  : { path: issue.path, keys: issue.keys, message },
              );
            }
            continue;
          }
          if (seen.has(id)) {
            issues.push({ path: ["models", m], message: `run id ${id} appears twice` });
          }
          seen.add(id);
          const finalMetrics = study.metrics;
          const along = study.evaluate.metrics ?? finalMetrics;
          runs.push({
            study: study.name,
            id,
            cell,
            model: label ?? model,
            dataset: dataset.label,
            hyperparameters: point,
            seed,
            config,
            evaluations: steps.map((step) => ({
              step,
              metrics: step === study.budget.steps ? finalMetrics : along,
            })),
            evalSeed: study.evalSeed,
          });
        }
      }
    }
  }
  if (issues.length > 0) {
    // One line per distinct problem: a bad grid value fails every seed's run alike.
    const lines = formatIssues(issues, source, input, text).split("\n");
    const firsts = new Map<string, string>();
    for (const line of lines) {
      const key = line.replace(/run \S+: /, "");
      if (!firsts.has(key)) firsts.set(key, line);
    }
    throw new ConfigError([...firsts.values()].join("\n"), issues);
  }
  return {
    name: study.name,
    description: study.description,
    source,
    swept,
    steps: study.budget.steps,
    runs,
  };
}
