/**
 * A study's results as tables: every run's metric values at its final evaluation, one row per
 * cell (the runs that differ by seed only) with the mean and sample standard deviation over
 * seeds, the values against steps, and the rank correlations between metrics across runs
 * (Locatello et al. 2019). Platform-free: the caller reads the store (write-report.ts).
 */
import type { EvalReport } from "../metrics/evaluate-run.ts";
import type { RunSpec, Study } from "./expand.ts";
import { headlineValues } from "./headline-values.ts";
import { type RankCorrelations, rankCorrelationMatrix } from "./rank-correlation.ts";

/** A run and the evaluations the store holds for it (ascending steps). */
export interface RunRecord {
  spec: RunSpec;
  evals: EvalReport[];
}

/** Mean, sample standard deviation (n - 1; NaN for one value) and count. */
export interface Summary {
  mean: number;
  sd: number;
  n: number;
}

/** One cell of the grid: its settings and each metric summarised over its seeds. */
export interface CellRow {
  cell: string;
  dataset: string;
  model: string;
  hyperparameters: Record<string, string | number | boolean>;
  /** Seeds with a final evaluation. */
  seeds: number[];
  /** Seeds of the cell still missing their final evaluation. */
  missing: number[];
  metrics: Record<string, Summary | undefined>;
}

/** One evaluated (run, step): for the curves against steps and the per-run table. */
export interface RunValues {
  id: string;
  cell: string;
  dataset: string;
  model: string;
  hyperparameters: Record<string, string | number | boolean>;
  seed: number;
  step: number;
  values: Record<string, number | null>;
}

/** A study's results: its cells, every run's values, and the rank correlations. */
export interface StudyResults {
  study: string;
  steps: number;
  swept: string[];
  datasets: string[];
  /** Metric columns, in the order first seen. */
  columns: string[];
  cells: CellRow[];
  /** Each run's values at its final evaluation. */
  finals: RunValues[];
  /** Every evaluation of every run. */
  curves: RunValues[];
  correlations: RankCorrelations;
}

/** Mean and sample standard deviation of the finite values. */
export function summarise(values: readonly (number | null | undefined)[]): Summary | undefined {
  const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const n = finite.length;
  if (n === 0) return undefined;
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  const sd =
    n < 2 ? Number.NaN : Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, n };
}

/** Aggregates the runs of `study` (records of every run; evals may be missing or partial). */
export function aggregateStudy(study: Study, records: readonly RunRecord[]): StudyResults {
  const columns: string[] = [];
  const curves: RunValues[] = [];
  const finals: RunValues[] = [];
  for (const { spec, evals } of records) {
    for (const report of evals) {
      const values = headlineValues(report.metrics);
      for (const key of Object.keys(values)) if (!columns.includes(key)) columns.push(key);
      const row: RunValues = {
        id: spec.id,
        cell: spec.cell,
        dataset: spec.dataset,
        model: spec.model,
        hyperparameters: spec.hyperparameters,
        seed: spec.seed,
        step: report.step,
        values,
      };
      curves.push(row);
      if (report.step === spec.config.steps) finals.push(row);
    }
  }
  const cells: CellRow[] = [];
  for (const { spec } of records) {
    let cell = cells.find((c) => c.cell === spec.cell);
    if (!cell) {
      cell = {
        cell: spec.cell,
        dataset: spec.dataset,
        model: spec.model,
        hyperparameters: spec.hyperparameters,
        seeds: [],
        missing: [],
        metrics: {},
      };
      cells.push(cell);
    }
    const final = finals.find((f) => f.id === spec.id);
    if (final) cell.seeds.push(spec.seed);
    else cell.missing.push(spec.seed);
  }
  for (const cell of cells) {
    const runs = finals.filter((f) => f.cell === cell.cell);
    for (const column of columns)
      cell.metrics[column] = summarise(runs.map((r) => r.values[column]));
  }
  const correlations = rankCorrelationMatrix(
    Object.fromEntries(columns.map((c) => [c, finals.map((f) => f.values[c] ?? null)])),
  );
  return {
    study: study.name,
    steps: study.steps,
    swept: study.swept,
    datasets: [...new Set(study.runs.map((r) => r.dataset))],
    columns,
    cells,
    finals,
    curves,
    correlations,
  };
}

/** `0.123 ± 0.045`, or the mean alone for one seed, or `-`. */
export function formatSummary(summary: Summary | undefined, digits = 3): string {
  if (!summary) return "-";
  const mean = summary.mean.toFixed(digits);
  return Number.isNaN(summary.sd) ? mean : `${mean} ± ${summary.sd.toFixed(digits)}`;
}

/** The table's header and rows as plain strings (for Markdown and HTML alike). */
export function tableRows(results: StudyResults): string[][] {
  const many = results.datasets.length > 1;
  const header = [
    ...(many ? ["dataset"] : []),
    "model",
    ...results.swept,
    "seeds",
    ...results.columns,
  ];
  const rows = results.cells.map((cell) => [
    ...(many ? [cell.dataset] : []),
    cell.model,
    ...results.swept.map((name) => String(cell.hyperparameters[name] ?? "-")),
    `${cell.seeds.length}${cell.missing.length ? ` (${cell.missing.length} missing)` : ""}`,
    ...results.columns.map((c) => formatSummary(cell.metrics[c])),
  ]);
  return [header, ...rows];
}

/** The cell table as Markdown. */
export function markdownTable(rows: readonly string[][]): string {
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  const [header, ...body] = rows;
  return [
    `| ${header.map(escape).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...body.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}

/** One CSV field, quoted when it needs to be (RFC 4180). */
function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The cell table as CSV: mean, sd and n of every metric in columns of their own. */
export function cellsCsv(results: StudyResults): string {
  const header = [
    "dataset",
    "model",
    ...results.swept,
    "seeds",
    ...results.columns.flatMap((c) => [`${c} mean`, `${c} sd`]),
  ];
  const rows = results.cells.map((cell) => [
    cell.dataset,
    cell.model,
    ...results.swept.map((name) => cell.hyperparameters[name] ?? ""),
    cell.seeds.length,
    ...results.columns.flatMap((c) => {
      const s = cell.metrics[c];
      return s ? [s.mean, Number.isNaN(s.sd) ? "" : s.sd] : ["", ""];
    }),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvField).join(",")).join("\n")}\n`;
}

/** Every evaluation of every run as CSV (one row per run and step). */
export function runsCsv(results: StudyResults): string {
  const header = ["run", "dataset", "model", ...results.swept, "seed", "step", ...results.columns];
  const rows = results.curves.map((r) => [
    r.id,
    r.dataset,
    r.model,
    ...results.swept.map((name) => r.hyperparameters[name] ?? ""),
    r.seed,
    r.step,
    ...results.columns.map((c) => r.values[c] ?? ""),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvField).join(",")).join("\n")}\n`;
}

/** The rank correlation matrix as table rows (rho to 2 decimals, runs compared in the header). */
export function correlationRows(correlations: RankCorrelations): string[][] {
  const { names, rho } = correlations;
  return [
    ["", ...names],
    ...names.map((name, i) => [name, ...rho[i].map((r) => (Number.isNaN(r) ? "-" : r.toFixed(2)))]),
  ];
}
