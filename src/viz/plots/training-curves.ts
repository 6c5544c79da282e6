/**
 * Training curves: every logged term of a run (the rows of its log.jsonl) against the step,
 * one small panel per term, each with its own y scale: logarithmic when the term is positive
 * and spans more than two decades (a KL that collapses early, a loss that falls from
 * thousands), linear otherwise.
 */
import type { TopLevelSpec } from "vega-lite";
import { renderVegaLite } from "./vega.ts";

/** One logged row: the step and any number of named terms (a train/loop LogRow fits). */
export interface CurveRow {
  step: number;
  [term: string]: number;
}

/** Logged fields that are not terms of the objective and are left out by default. */
export const NOT_TERMS: readonly string[] = ["step", "imagesPerSecond"];

export interface TrainingCurvesOptions {
  /** Terms to plot, in panel order. Default: every field of the rows but `NOT_TERMS`, first seen first. */
  terms?: readonly string[];
  /** Panels per row (default 3). */
  columns?: number;
  /** Plot area of one panel in px (default 220 x 130). */
  panelWidth?: number;
  panelHeight?: number;
  /** Default "Training curves". */
  title?: string;
}

/** A term's y scale is logarithmic when all its values are > 0 and max / min exceeds this. */
export const LOG_SCALE_RATIO = 100;

/** Whether a term with these values gets a log y scale. */
export function usesLogScale(values: readonly number[]): boolean {
  if (values.length === 0 || values.some((v) => !(v > 0))) return false;
  return Math.max(...values) / Math.min(...values) > LOG_SCALE_RATIO;
}

/** The terms plotted by default: fields other than `NOT_TERMS`, in order of first appearance. */
export function loggedTerms(rows: readonly CurveRow[]): string[] {
  const terms = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!NOT_TERMS.includes(key)) terms.add(key);
  }
  return [...terms];
}

/** The curves as an SVG document. Rows whose value of a term is missing or not finite are skipped. */
export async function trainingCurvesSvg(
  rows: readonly CurveRow[],
  options: TrainingCurvesOptions = {},
): Promise<string> {
  const terms = options.terms ?? loggedTerms(rows);
  if (terms.length === 0) throw new RangeError("training curves: no terms to plot");
  const columns = options.columns ?? 3;
  const width = options.panelWidth ?? 220;
  const height = options.panelHeight ?? 130;
  const panels = terms.map((term) => {
    const values = rows
      .filter((row) => Number.isFinite(row[term]))
      .map((row) => ({ step: row.step, value: row[term] }));
    const log = usesLogScale(values.map((v) => v.value));
    return {
      title: { text: term, fontSize: 13, anchor: "middle" },
      width,
      height,
      data: { values },
      mark: { type: "line", point: values.length <= 40, strokeWidth: 2, color: "#0072B2" },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step", axis: { tickCount: 3 } },
        y: {
          field: "value",
          type: "quantitative",
          title: log ? "log scale" : null,
          scale: log ? { type: "log" } : { zero: false },
          axis: { tickCount: 4, format: log ? "~g" : "~s" },
        },
      },
    };
  });
  const spec = {
    title: options.title ?? "Training curves",
    columns: Math.min(columns, terms.length),
    concat: panels,
    spacing: { column: 28, row: 20 },
  } as TopLevelSpec;
  return renderVegaLite(spec);
}
