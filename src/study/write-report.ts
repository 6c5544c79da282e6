/**
 * `disentangle study report FILE`: reads the study's runs from the store and writes its
 * report folder: the cell table (mean ± sd over seeds, every metric) as Markdown
 * (report.md), CSV (table.csv; every run and step in runs.csv) and HTML (index.html), plots of
 * each metric against each swept hyperparameter and against the training step (points per
 * seed, a line for the mean; SVG and PNG), and the Spearman rank correlations between the
 * metrics across runs (Locatello et al. 2019; correlations.csv).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../engine/atomic-write.ts";
import { rasterizeSvg } from "../run/rasterize.ts";
import { type SweepPoint, seedSweepSvg } from "../viz/plots/seed-sweep.ts";
import {
  aggregateStudy,
  cellsCsv,
  correlationRows,
  markdownTable,
  type RunValues,
  runsCsv,
  type StudyResults,
  tableRows,
} from "./aggregate.ts";
import type { Study } from "./expand.ts";
import { readEvals, runDir, studyDir } from "./store.ts";

/** A file-name-safe form of a column or setting name. */
function slug(name: string): string {
  return name.replace(/[^a-z0-9.-]+/gi, "-");
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string,
  );
}

function htmlTable(rows: readonly string[][]): string {
  const [header, ...body] = rows;
  return `<table>\n<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>\n<tbody>\n${body
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`)
    .join("\n")}\n</tbody>\n</table>`;
}

/** The series a run belongs to in a plot against `x`: its model and its other swept settings. */
function seriesOf(run: RunValues, swept: readonly string[], x: string | undefined): string {
  const others = swept
    .filter((name) => name !== x && run.hyperparameters[name] !== undefined)
    .map((name) => `${name} ${run.hyperparameters[name]}`);
  return [run.model, ...others].join(", ");
}

interface Plot {
  file: string;
  title: string;
}

/** Writes the plots (SVG and PNG) into `dir`/plots; returns them. */
async function writePlots(results: StudyResults, dir: string): Promise<Plot[]> {
  const plots: Plot[] = [];
  mkdirSync(join(dir, "plots"), { recursive: true });
  const panel = (r: RunValues) => (results.datasets.length > 1 ? r.dataset : undefined);
  const write = async (
    name: string,
    title: string,
    points: SweepPoint[],
    xTitle: string,
    yTitle: string,
  ) => {
    if (!points.some((p) => Number.isFinite(p.y))) return;
    const svg = await seedSweepSvg(points, { title, xTitle, yTitle });
    writeFileAtomic(join(dir, "plots", `${name}.svg`), svg);
    writeFileAtomic(join(dir, "plots", `${name}.png`), rasterizeSvg(svg));
    plots.push({ file: `plots/${name}.png`, title });
  };
  for (const column of results.columns) {
    for (const parameter of results.swept) {
      const points = results.finals
        .filter((r) => r.hyperparameters[parameter] !== undefined)
        .map((r) => ({
          x: r.hyperparameters[parameter] as number | string,
          y: r.values[column] ?? Number.NaN,
          series: seriesOf(r, results.swept, parameter),
          seed: r.seed,
          panel: panel(r),
        }));
      await write(
        `${slug(column)}-vs-${slug(parameter)}`,
        `${column} against ${parameter} (step ${results.steps})`,
        points,
        parameter,
        column,
      );
    }
    const steps = new Set(
      results.curves.filter((r) => Number.isFinite(r.values[column])).map((r) => r.step),
    );
    if (steps.size > 1) {
      const points = results.curves.map((r) => ({
        x: r.step,
        y: r.values[column] ?? Number.NaN,
        series: seriesOf(r, results.swept, undefined),
        seed: r.seed,
        panel: panel(r),
      }));
      await write(
        `${slug(column)}-vs-steps`,
        `${column} against training steps`,
        points,
        "step",
        column,
      );
    }
  }
  return plots;
}

/** Writes the study's report; returns its Markdown and the files written. */
export async function writeStudyReport(
  study: Study,
  store: string,
  out?: string,
): Promise<{ markdown: string; files: string[]; results: StudyResults }> {
  const dir = out ?? join(studyDir(store, study.name), "report");
  mkdirSync(dir, { recursive: true });
  const records = study.runs.map((spec) => ({
    spec,
    evals: readEvals(runDir(store, study.name, spec.id)),
  }));
  const results = aggregateStudy(study, records);
  const finished = results.finals.length;
  const rows = tableRows(results);
  const correlations = correlationRows(results.correlations);
  const minPairs = Math.min(...results.correlations.pairs.flat());
  const notes = [
    `${finished} of ${study.runs.length} runs evaluated at step ${study.steps}; each cell: mean ± sample standard deviation (n - 1) over its seeds.`,
  ];
  const plots = await writePlots(results, dir);
  const markdown = [
    `# Study ${study.name}`,
    "",
    ...(study.description ? [study.description, ""] : []),
    notes.join(" "),
    "",
    markdownTable(rows),
    "",
    ...(finished >= 3
      ? [
          `Spearman rank correlations between the metrics across the ${finished} runs (as in Locatello et al. 2019)${Number.isFinite(minPairs) && minPairs < finished ? `; each pair over the runs where both exist (at least ${minPairs})` : ""}:`,
          "",
          markdownTable(correlations),
          "",
        ]
      : ["Rank correlations between the metrics: once at least 3 runs are evaluated.", ""]),
    ...(plots.length ? ["Plots:", "", ...plots.map((p) => `![${p.title}](${p.file})`), ""] : []),
  ].join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Study ${escapeHtml(study.name)}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}img{max-width:100%;margin:0.5em 0}</style>
</head><body>
<h1>Study ${escapeHtml(study.name)}</h1>
${study.description ? `<p>${escapeHtml(study.description)}</p>` : ""}
<p>${escapeHtml(notes.join(" "))}</p>
${htmlTable(rows)}
<h2>Rank correlations between metrics</h2>
<p>Spearman's rho across the ${finished} runs (as in Locatello et al. 2019).</p>
${htmlTable(correlations)}
<h2>Plots</h2>
${plots.map((p) => `<figure><img src="${escapeHtml(p.file)}" alt="${escapeHtml(p.title)}"></figure>`).join("\n")}
</body></html>
`;
  const files: [string, string][] = [
    ["report.md", `${markdown}\n`],
    ["table.csv", cellsCsv(results)],
    ["runs.csv", runsCsv(results)],
    ["correlations.csv", `${correlations.map((row) => row.join(",")).join("\n")}\n`],
    ["index.html", html],
  ];
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  return {
    markdown: `${markdown}\n`,
    files: [...files.map(([name]) => join(dir, name)), ...plots.map((p) => join(dir, p.file))],
    results,
  };
}
