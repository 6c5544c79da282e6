/**
 * A metric against a setting (a swept hyperparameter, or the training step) over a study's
 * runs: one point per seed, a line through the mean over seeds, one colour per series (a
 * model, or a model and setting); a panel per dataset when there are several. Drawn with the
 * report's shared look (vega.ts).
 */
import type { TopLevelSpec } from "vega-lite";
import { renderVegaLite } from "./vega.ts";

/** One run's value at one setting. */
export interface SweepPoint {
  x: number | string;
  y: number;
  series: string;
  seed: number;
  /** Panel (a dataset); one panel when every point has the same. */
  panel?: string;
}

/** Titles and size of a seed-sweep plot. */
export interface SeedSweepOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  /** Series title in the legend (default "model"). */
  seriesTitle?: string;
  /** Plot area in px (default 360 x 220). */
  width?: number;
  height?: number;
}

/** The plot as an SVG document. Points whose y is not finite are left out. */
export async function seedSweepSvg(
  points: readonly SweepPoint[],
  options: SeedSweepOptions,
): Promise<string> {
  const values = points.filter((p) => Number.isFinite(p.y));
  if (values.length === 0) throw new RangeError(`${options.title}: no values to plot`);
  const numeric = values.every((p) => typeof p.x === "number");
  const panels = new Set(values.map((p) => p.panel ?? ""));
  const x = {
    field: "x",
    type: numeric ? "quantitative" : "ordinal",
    title: options.xTitle,
    ...(numeric ? { scale: { zero: false } } : {}),
  };
  const color = {
    field: "series",
    type: "nominal",
    title: options.seriesTitle ?? "model",
    legend: { orient: "bottom", columns: 2, labelLimit: 400 },
  };
  const layers = {
    layer: [
      {
        mark: { type: "point", filled: true, opacity: 0.55, size: 45 },
        encoding: {
          x,
          y: { field: "y", type: "quantitative", title: options.yTitle, scale: { zero: false } },
          color,
          tooltip: [
            { field: "series", title: options.seriesTitle ?? "model" },
            { field: "x", title: options.xTitle },
            { field: "seed" },
            { field: "y", title: options.yTitle, format: ".4f" },
          ],
        },
      },
      {
        mark: { type: "line", strokeWidth: 2.5, point: { size: 30 } },
        encoding: {
          x,
          y: { aggregate: "mean", field: "y", type: "quantitative" },
          color,
        },
      },
    ],
    width: options.width ?? 360,
    height: options.height ?? 220,
  };
  const spec =
    panels.size > 1
      ? {
          data: { values },
          facet: { field: "panel", type: "nominal", title: null },
          spec: layers,
          title: { text: options.title, subtitle: "points: seeds; line: mean over seeds" },
        }
      : {
          data: { values },
          ...layers,
          title: { text: options.title, subtitle: "points: seeds; line: mean over seeds" },
        };
  return renderVegaLite(spec as unknown as TopLevelSpec);
}
