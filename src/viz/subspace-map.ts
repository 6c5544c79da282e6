/**
 * Subspace maps (Karaletsos, Belongie & Rätsch 2016, the t-SNE figures of each query's
 * subspace): one 2-D embedding of a sample of images drawn once per factor, each panel
 * coloured by that factor, plus a panel with image thumbnails at a spread-out sample of the
 * points. Pure: the embedding, factor values and thumbnails come in, an SVG string goes out
 * (src/viz/map-subspace.ts computes them from a run, src/run/rasterize.ts makes PNGs).
 *
 * Colours are colour-blind safe: the Okabe-Ito palette for categorical factors of at most 8
 * values, viridis for ordered factors (with a colour bar) and for categorical factors of more
 * values (the legend says so).
 */
import { permutation, Rng } from "../data/random.ts";
import { escapeXml, svgDocument, svgImage, svgText } from "./svg.ts";

/**
 * Okabe & Ito's colour-blind safe palette (Color Universal Design, 2008), ordered for
 * scatter plots on white: the first four (orange, sky blue, bluish green, reddish purple) differ
 * in hue and lightness; then blue, vermillion, yellow (the faintest on white, so late), black.
 */
export const OKABE_ITO = [
  "#E69F00",
  "#56B4E9",
  "#009E73",
  "#CC79A7",
  "#0072B2",
  "#D55E00",
  "#F0E442",
  "#000000",
] as const;

/**
 * Viridis (van der Walt & Smith, matplotlib's default map) at 10 evenly spaced positions of
 * its 256-entry table, from 0 (dark purple) to 1 (yellow); `viridis` interpolates linearly.
 */
export const VIRIDIS_STOPS = [
  "#440154",
  "#482878",
  "#3E4A89",
  "#31688E",
  "#26828E",
  "#1F9E89",
  "#35B779",
  "#6DCD59",
  "#B4DE2C",
  "#FDE725",
] as const;

const VIRIDIS_RGB = VIRIDIS_STOPS.map((hex) =>
  [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)),
);

/** Viridis at t in [0, 1] (clamped; NaN gives the start) as "#rrggbb". */
export function viridis(t: number): string {
  const x = (t > 0 ? Math.min(t, 1) : 0) * (VIRIDIS_RGB.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS_RGB.length - 2);
  const f = x - i;
  const rgb = VIRIDIS_RGB[i].map((a, k) => Math.round(a + (VIRIDIS_RGB[i + 1][k] - a) * f));
  return `#${rgb.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** Colour of points whose factor value is unknown (NaN) and of uncoloured maps. */
export const MISSING_COLOR = "#8c8c8c";

export interface MapFactor {
  name: string;
  /** Categorical factors get a palette, ordered (continuous) ones a colour ramp. */
  kind: "categorical" | "ordered";
  /** [n]: the factor's value at each point (NaN: unknown). */
  values: ArrayLike<number>;
  /** Sorted distinct values (default: those in `values`). */
  levels?: number[];
  /** Names of `levels`, same order (categorical factors). */
  labels?: string[];
}

export interface MapThumbnails {
  /** Point indices (rows of the embedding) the images belong to. */
  points: number[];
  /** [points.length, h, w, c] floats in [0, 1]. */
  images: Float32Array;
  shape: [h: number, w: number, c: number];
}

export interface SubspaceMapInput {
  /** [n, 2] row-major. */
  embedding: ArrayLike<number>;
  factors: MapFactor[];
  thumbnails?: MapThumbnails;
  title: string;
  /** A smaller second line (what was embedded, how). */
  subtitle?: string;
  /** Side of each panel's square plot in pixels (default 240). */
  panelSize?: number;
  /** Panels per row (default: 3, or fewer panels). */
  columns?: number;
  /** Seed of the drawing order of the points (default 0). */
  seed?: number;
}

const MARGIN = 16;
const LEGEND_WIDTH = 128;
const GAP_X = 20;
const GAP_Y = 22;
const PANEL_TITLE = 22;
const PAD = 8;

/**
 * Side in pixels of a thumbnail of images `h` x `w`: a whole multiple of the image's size near
 * 32 pixels (crisp), or 40 pixels for images larger than 48.
 */
export function thumbnailSide([h, w]: readonly [number, number, number?]): number {
  const size = Math.max(h, w);
  return size <= 48 ? size * Math.max(1, Math.round(32 / size)) : 40;
}

/**
 * Side of the thumbnail panel's plot for factor panels of side `panelSize` in `columns`
 * columns: it spans two rows, and all columns but the last.
 */
export function thumbnailPanelSize(panelSize = 240, columns = 3): number {
  const span = Math.max(1, columns - 1);
  return Math.min(
    2 * (PANEL_TITLE + panelSize) + GAP_Y - PANEL_TITLE,
    span * (panelSize + LEGEND_WIDTH) + (span - 1) * GAP_X - LEGEND_WIDTH,
  );
}

/**
 * Where each point of an embedding [n, 2] lands in a square plot of side `plot`: both axes on
 * one scale (distances are what the map shows), centred, y up. Row-major [n, 2] pixels.
 */
export function plotPositions(embedding: ArrayLike<number>, plot: number): Float64Array {
  const n = Math.floor(embedding.length / 2);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, embedding[2 * i]);
    x1 = Math.max(x1, embedding[2 * i]);
    y0 = Math.min(y0, embedding[2 * i + 1]);
    y1 = Math.max(y1, embedding[2 * i + 1]);
  }
  const scale = (plot - 2 * PAD) / Math.max(x1 - x0, y1 - y0, 1e-12);
  const ox = (plot - (x1 - x0) * scale) / 2;
  const oy = (plot - (y1 - y0) * scale) / 2;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = ox + (embedding[2 * i] - x0) * scale;
    out[2 * i + 1] = plot - oy - (embedding[2 * i + 1] - y0) * scale;
  }
  return out;
}

/**
 * Picks at most `count` points of an embedding [n, 2] for thumbnails of side `side` pixels
 * that do not overlap in a plot of side `panelSize` (see thumbnailSide, thumbnailPanelSize):
 * greedy farthest-point sampling (Chebyshev distance between plot positions, from the point
 * nearest the centre), stopping early when no point is a thumbnail away from those picked.
 * Returns point indices in pick order.
 */
export function spreadSample(
  embedding: ArrayLike<number>,
  count: number,
  panelSize = thumbnailPanelSize(),
  side = 32,
): number[] {
  const n = Math.floor(embedding.length / 2);
  const k = Math.min(Math.max(0, Math.floor(count)), n);
  if (k === 0) return [];
  const p = plotPositions(embedding, panelSize);
  const distance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    distance[i] = Math.max(
      Math.abs(p[2 * i] - panelSize / 2),
      Math.abs(p[2 * i + 1] - panelSize / 2),
    );
  }
  let next = 0;
  for (let i = 1; i < n; i++) if (distance[i] < distance[next]) next = i;
  distance.fill(Number.POSITIVE_INFINITY);
  const picked: number[] = [];
  while (picked.length < k) {
    picked.push(next);
    const [x, y] = [p[2 * next], p[2 * next + 1]];
    let far = -1;
    for (let i = 0; i < n; i++) {
      distance[i] = Math.min(
        distance[i],
        Math.max(Math.abs(p[2 * i] - x), Math.abs(p[2 * i + 1] - y)),
      );
      if (far < 0 || distance[i] > distance[far]) far = i;
    }
    if (distance[far] < side + 2) break;
    next = far;
  }
  return picked;
}

/** "0.25", "12", "1.5e-4": short tick and legend numbers. */
function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const text = Number(v.toPrecision(3)).toString();
  return text.length > 8 ? v.toExponential(1) : text;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function sortedLevels(factor: MapFactor): number[] {
  if (factor.levels && factor.levels.length > 0) return factor.levels;
  const seen = new Set<number>();
  for (let i = 0; i < factor.values.length; i++) {
    if (!Number.isNaN(factor.values[i])) seen.add(factor.values[i]);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Index of the level equal (or nearest) to v; -1 for NaN. */
function levelIndex(levels: number[], v: number): number {
  if (Number.isNaN(v) || levels.length === 0) return -1;
  let lo = 0;
  let hi = levels.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (levels[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(levels[lo - 1] - v) < Math.abs(levels[lo] - v)) return lo - 1;
  return lo;
}

interface Colouring {
  /** Colour of each point. */
  colors: string[];
  /** SVG elements of the legend, relative to the legend's top-left corner. */
  legend: string[];
  /** A short description after the factor's name. */
  kind: string;
}

/** A vertical viridis colour bar of height h with labels at the bottom (t=0) and top (t=1). */
function colourBar(y0: number, h: number, low: string, high: string, middle?: string): string[] {
  const steps = 48;
  const out = [`<g class="colorbar">`];
  for (let s = 0; s < steps; s++) {
    const y = y0 + (h * (steps - 1 - s)) / steps;
    out.push(
      `<rect x="0" y="${y.toFixed(2)}" width="14" height="${(h / steps + 0.6).toFixed(2)}" fill="${viridis((s + 0.5) / steps)}"/>`,
    );
  }
  out.push(
    `<rect x="0" y="${y0}" width="14" height="${h}" fill="none" stroke="#555555" stroke-width="0.8"/>`,
  );
  out.push("</g>");
  out.push(svgText(20, y0 + 4, high, { size: 11 }));
  if (middle !== undefined) out.push(svgText(20, y0 + h / 2 + 4, middle, { size: 11 }));
  out.push(svgText(20, y0 + h + 4, low, { size: 11 }));
  return out;
}

function colourFactor(factor: MapFactor, n: number, plot: number): Colouring {
  const levels = sortedLevels(factor);
  const label = (i: number) => truncate(factor.labels?.[i] ?? formatValue(levels[i]), 15);
  const missing = Array.from({ length: n }, (_, i) => Number.isNaN(factor.values[i])).some(Boolean);
  const colors = new Array<string>(n);
  const legend: string[] = [];
  let kind: string;
  if (factor.kind === "categorical" && levels.length <= OKABE_ITO.length) {
    kind = `categorical, ${levels.length} value${levels.length === 1 ? "" : "s"}`;
    for (let i = 0; i < n; i++) {
      const l = levelIndex(levels, factor.values[i]);
      colors[i] = l < 0 ? MISSING_COLOR : OKABE_ITO[l];
    }
    levels.forEach((_, l) => {
      legend.push(`<circle cx="6" cy="${8 + l * 17}" r="5" fill="${OKABE_ITO[l]}"/>`);
      legend.push(svgText(16, 12 + l * 17, label(l), { size: 11 }));
    });
    if (missing) {
      legend.push(`<circle cx="6" cy="${8 + levels.length * 17}" r="5" fill="${MISSING_COLOR}"/>`);
      legend.push(svgText(16, 12 + levels.length * 17, "unknown", { size: 11 }));
    }
    return { colors, legend, kind };
  }
  if (factor.kind === "ordered" && levels.length <= 1) {
    const color = viridis(0.5);
    for (let i = 0; i < n; i++) colors[i] = Number.isNaN(factor.values[i]) ? MISSING_COLOR : color;
    legend.push(`<circle cx="6" cy="8" r="5" fill="${color}"/>`);
    legend.push(
      svgText(16, 12, levels.length === 1 ? `all ${label(0)}` : "no values", { size: 11 }),
    );
    if (missing) {
      legend.push(`<circle cx="6" cy="25" r="5" fill="${MISSING_COLOR}"/>`);
      legend.push(svgText(16, 29, "unknown", { size: 11 }));
    }
    return { colors, legend, kind: levels.length === 1 ? "ordered, one value" : "ordered" };
  }
  const barTop = 36;
  const barHeight = Math.max(60, Math.min(150, plot - barTop - 30));
  if (factor.kind === "categorical") {
    kind = `categorical, ${levels.length} values`;
    const last = Math.max(1, levels.length - 1);
    for (let i = 0; i < n; i++) {
      const l = levelIndex(levels, factor.values[i]);
      colors[i] = l < 0 ? MISSING_COLOR : viridis(l / last);
    }
    legend.push(
      svgText(0, 11, `${levels.length} values: more than`, { size: 11, fill: "#444444" }),
    );
    legend.push(svgText(0, 25, "8 colours, so a ramp", { size: 11, fill: "#444444" }));
    legend.push(...colourBar(barTop, barHeight, label(0), label(levels.length - 1)));
  } else {
    kind = "ordered";
    const lo = levels.length > 0 ? levels[0] : 0;
    const hi = levels.length > 0 ? levels[levels.length - 1] : 1;
    const span = hi > lo ? hi - lo : 1;
    for (let i = 0; i < n; i++) {
      const v = factor.values[i];
      colors[i] = Number.isNaN(v) ? MISSING_COLOR : viridis((v - lo) / span);
    }
    const high = factor.labels ? label(levels.length - 1) : formatValue(hi);
    const low = factor.labels ? label(0) : formatValue(lo);
    legend.push(svgText(0, 11, "low → high", { size: 11, fill: "#444444" }));
    legend.push(
      ...colourBar(
        barTop - 14,
        barHeight,
        low,
        high,
        factor.labels ? undefined : formatValue((lo + hi) / 2),
      ),
    );
  }
  if (missing) {
    const y = barTop + barHeight + 12;
    legend.push(`<circle cx="6" cy="${y}" r="5" fill="${MISSING_COLOR}"/>`);
    legend.push(svgText(16, y + 4, "unknown", { size: 11 }));
  }
  return { colors, legend, kind };
}

/** Radius and opacity that keep 2000 points readable (smaller, fainter dots for more). */
function pointStyle(n: number): { r: number; opacity: number } {
  if (n <= 300) return { r: 3, opacity: 0.85 };
  if (n <= 1000) return { r: 2.3, opacity: 0.75 };
  if (n <= 3000) return { r: 1.8, opacity: 0.7 };
  return { r: 1.2, opacity: 0.6 };
}

/** The map as an SVG document: a thumbnail panel (if any) and one panel per factor. */
export function subspaceMapSvg(input: SubspaceMapInput): string {
  const { embedding, factors, thumbnails, title, subtitle } = input;
  const n = Math.floor(embedding.length / 2);
  if (n < 1 || embedding.length !== 2 * n) {
    throw new RangeError(
      `subspace map: the embedding has ${embedding.length} numbers, expected [n, 2] with n >= 1`,
    );
  }
  for (let i = 0; i < embedding.length; i++) {
    if (!Number.isFinite(embedding[i])) {
      throw new RangeError(
        `subspace map: embedding point ${i >> 1} is not finite (${embedding[i]})`,
      );
    }
  }
  for (const factor of factors) {
    if (factor.values.length !== n) {
      throw new RangeError(
        `subspace map: factor '${factor.name}' has ${factor.values.length} values for ${n} points`,
      );
    }
  }
  const plot = input.panelSize ?? 240;
  const order = permutation(n, new Rng(input.seed ?? 0, 0x3a9));
  const { r, opacity } = pointStyle(n);
  /** The points in a square plot of side `side`, coloured by `colors`. */
  const dots = (side: number, colors: (i: number) => string) => {
    const p = plotPositions(embedding, side);
    const out = [
      `<rect x="0" y="0" width="${side}" height="${side}" fill="none" stroke="#c8c8c8"/>`,
      `<g fill-opacity="${opacity}">`,
    ];
    for (const i of order) {
      out.push(
        `<circle cx="${p[2 * i].toFixed(1)}" cy="${p[2 * i + 1].toFixed(1)}" r="${r}" fill="${colors(i)}"/>`,
      );
    }
    out.push("</g>");
    return out;
  };

  const panels: string[][] = [];
  if (factors.length === 0) {
    panels.push([
      `<g class="panel" data-factor="">`,
      svgText(0, -8, "no factors: points uncoloured", { size: 13, weight: "bold" }),
      ...dots(plot, () => MISSING_COLOR),
      "</g>",
    ]);
  }
  for (const factor of factors) {
    const { colors, legend, kind } = colourFactor(factor, n, plot);
    panels.push([
      `<g class="panel" data-factor="${escapeXml(factor.name)}">`,
      `<text x="0" y="-8" font-size="13"><tspan font-weight="bold">${escapeXml(factor.name)}</tspan><tspan fill="#555555"> · ${escapeXml(kind)}</tspan></text>`,
      ...dots(plot, (i) => colors[i]),
      `<g class="legend" transform="translate(${plot + 10} 4)">`,
      ...legend,
      "</g>",
      "</g>",
    ]);
  }

  // Cells of a grid; the thumbnail panel takes the first two rows of all columns but the last.
  const withThumbnails = thumbnails !== undefined && thumbnails.points.length > 0;
  const columns = Math.max(withThumbnails ? 2 : 1, input.columns ?? 3);
  const cells: [number, number][] = [];
  if (withThumbnails) {
    cells.push([0, columns - 1], [1, columns - 1]);
    for (let cell = 2 * columns; cells.length < panels.length; cell++) {
      cells.push([Math.floor(cell / columns), cell % columns]);
    }
  } else {
    for (let p = 0; p < panels.length; p++) cells.push([Math.floor(p / columns), p % columns]);
  }
  const rows = Math.max(withThumbnails ? 2 : 1, ...cells.map(([row]) => row + 1));
  const usedColumns = withThumbnails ? columns : Math.min(columns, panels.length);
  const cellW = plot + LEGEND_WIDTH;
  const cellH = PANEL_TITLE + plot;
  const top = subtitle ? 62 : 44;
  const width = MARGIN * 2 + usedColumns * cellW + (usedColumns - 1) * GAP_X;
  const height = top + rows * cellH + (rows - 1) * GAP_Y + MARGIN;
  const body = [svgText(MARGIN, 26, title, { size: 16, weight: "bold" })];
  if (subtitle) body.push(svgText(MARGIN, 46, subtitle, { size: 12, fill: "#444444" }));
  if (withThumbnails) {
    const big = thumbnailPanelSize(plot, columns);
    body.push(
      `<g transform="translate(${MARGIN} ${top + PANEL_TITLE})">`,
      ...thumbnailPanel(thumbnails, embedding, big, dots),
      "</g>",
    );
  }
  panels.forEach((panel, p) => {
    const [row, column] = cells[p];
    const x = MARGIN + column * (cellW + GAP_X);
    const y = top + row * (cellH + GAP_Y) + PANEL_TITLE;
    body.push(`<g transform="translate(${x} ${y})">`, ...panel, "</g>");
  });
  return svgDocument(width, height, body);
}

function thumbnailPanel(
  thumbnails: MapThumbnails,
  embedding: ArrayLike<number>,
  plot: number,
  dots: (side: number, colors: (i: number) => string) => string[],
): string[] {
  const [h, w, c] = thumbnails.shape;
  const pixels = h * w * c;
  const count = thumbnails.points.length;
  if (thumbnails.images.length !== count * pixels) {
    throw new RangeError(
      `subspace map: ${thumbnails.images.length} thumbnail floats for ${count} images of ${h}x${w}x${c}`,
    );
  }
  const side = thumbnailSide(thumbnails.shape);
  const [tw, th] = w >= h ? [side, Math.round((side * h) / w)] : [Math.round((side * w) / h), side];
  const out = [
    `<g class="panel thumbnails">`,
    svgText(0, -8, `images at ${count} of the points`, { size: 13, weight: "bold" }),
    ...dots(plot, () => "#c4c4c4"),
    `<g class="legend" transform="translate(${plot + 10} 4)">`,
    `<circle cx="6" cy="8" r="4" fill="#c4c4c4"/>`,
    svgText(16, 12, `all ${embedding.length / 2} points`, { size: 11 }),
    `<rect x="1" y="21" width="10" height="10" fill="#000000" stroke="#333333"/>`,
    svgText(16, 30, "the image at a", { size: 11 }),
    svgText(16, 44, "point (a sample", { size: 11 }),
    svgText(16, 58, "spread over the", { size: 11 }),
    svgText(16, 72, "map)", { size: 11 }),
    "</g>",
  ];
  const p = plotPositions(embedding, plot);
  thumbnails.points.forEach((i, t) => {
    const [px, py] = [p[2 * i], p[2 * i + 1]];
    const x = Math.round(Math.min(Math.max(px - tw / 2, 1), plot - tw - 1));
    const y = Math.round(Math.min(Math.max(py - th / 2, 1), plot - th - 1));
    out.push(
      svgImage(thumbnails.images.subarray(t * pixels, (t + 1) * pixels), [h, w, c], x, y, tw, th),
    );
    out.push(
      `<rect x="${x - 0.5}" y="${y - 0.5}" width="${tw + 1}" height="${th + 1}" fill="none" stroke="#333333" stroke-width="1"/>`,
    );
  });
  out.push("</g>");
  return out;
}
