/**
 * Vega-Lite specs to SVG strings with the one look every plot of the report shares: DejaVu
 * Sans (the font the rasteriser and the image grids use), text readable at 1x (axis labels
 * 11 px, titles 13 px and up), the Okabe-Ito palette for categories (safe for colour-blind
 * readers) and viridis for ordered values. Headless: a Vega view with renderer "none" needs
 * no DOM and no canvas, so the same code runs in Node and in a browser.
 */
import * as vega from "vega";
import type { Config, TopLevelSpec } from "vega-lite";
import * as vl from "vega-lite";
import { textWidth } from "../text-width.ts";

/** Okabe & Ito's colour-blind-safe palette, ordered for contrast on white (yellow last). */
export const OKABE_ITO = [
  "#0072B2", // blue
  "#D55E00", // vermillion
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#E69F00", // orange
  "#56B4E9", // sky blue
  "#000000", // black
  "#F0E442", // yellow
] as const;

/** The font of the plots, as Vega writes it into the SVG. */
export const PLOT_FONT = "DejaVu Sans, sans-serif";

/** Axis label size (px); titles are at least `TITLE_SIZE`. */
export const LABEL_SIZE = 11;
export const TITLE_SIZE = 13;

/** The shared config; a spec's own `config` is merged over it. */
export const PLOT_CONFIG: Config = {
  font: PLOT_FONT,
  background: "#ffffff",
  padding: 8,
  title: {
    fontSize: 15,
    fontWeight: "bold",
    subtitleFontSize: 12,
    subtitleColor: "#333333",
    anchor: "start",
    color: "#111111",
    offset: 8,
  },
  axis: {
    labelFontSize: LABEL_SIZE,
    titleFontSize: TITLE_SIZE,
    titleFontWeight: "normal",
    labelColor: "#222222",
    titleColor: "#111111",
    domainColor: "#666666",
    tickColor: "#666666",
    gridColor: "#e6e6e6",
  },
  legend: {
    labelFontSize: LABEL_SIZE + 1,
    titleFontSize: TITLE_SIZE,
    titleFontWeight: "normal",
    labelColor: "#222222",
    titleColor: "#111111",
    symbolStrokeWidth: 2.5,
  },
  header: {
    labelFontSize: TITLE_SIZE,
    titleFontSize: TITLE_SIZE + 1,
    labelColor: "#111111",
    titleColor: "#111111",
  },
  text: { fontSize: LABEL_SIZE },
  view: { stroke: "#cccccc" },
  range: {
    category: [...OKABE_ITO],
    ordinal: { scheme: "viridis" },
    ramp: { scheme: "viridis" },
    heatmap: { scheme: "viridis" },
  },
};

/**
 * Advance widths of DejaVu Sans (Book, Bold) for ASCII 32..126, in thousandths of an em, read
 * from the TTF's hmtx table. Vega lays out axes, legends and titles from text widths; without
 * a canvas (Node) it guesses 0.8 em per character, which leaves wide empty margins and drops
 * axis labels it thinks overlap. These widths make the headless layout match what resvg draws.
 */
interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}
interface TextMetrics {
  width: (item: TextItem, text: unknown) => number;
  estimateWidth: (item: TextItem, text: unknown) => number;
}

/**
 * Where Vega has no canvas to measure text (Node), it measures with DejaVu Sans' widths
 * instead of its 0.8-em guess. A browser with a canvas keeps measuring with the canvas.
 */
function useDejaVuMetrics(): void {
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  if (metrics.width !== metrics.estimateWidth) return;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const weight = item.fontWeight;
    const bold = weight === "bold" || (typeof weight === "number" && weight >= 600);
    return textWidth(text == null ? "" : String(text).trim(), size, bold);
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `over` merged into `base`, objects recursively, everything else replaced. */
function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

/** Renders a Vega-Lite spec to an SVG document (the shared config under the spec's own). */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const config = merge(PLOT_CONFIG as Json, (spec.config ?? {}) as Json) as Config;
  const compiled = vl.compile({ ...spec, config } as TopLevelSpec).spec;
  useDejaVuMetrics();
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
