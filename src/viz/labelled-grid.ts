/**
 * A grid of images with labels, as an SVG document: a title, a header above each column
 * and/or beside each row, cells of at least 48 px (images upscaled by whole factors, pixels
 * kept crisp), optional blank cells and wider gaps after chosen rows or columns. One
 * function serves the report's grids: reconstructions ("input" rows above "reconstruction"
 * rows), samples from the prior, and the image-arithmetic grid (bases across the top, sources
 * down the left, the corner blank).
 */
import { cellSizeFor, MIN_CELL, svgDocument, svgImage, svgText } from "./svg.ts";
import { textWidth } from "./text-width.ts";

/** The smallest cell side in px. */

export interface LabelledGridOptions {
  /** One label per row, drawn left of it (right-aligned); "" leaves a row unlabelled. */
  rowHeaders?: readonly string[];
  /** One label per column, drawn above it (centred). */
  columnHeaders?: readonly string[];
  /** Drawn above everything, bold. */
  title?: string;
  /** Cell side in px (>= 48). Default: the smallest whole multiple of the image side >= 48. */
  cell?: number;
  /** Px between cells (default 4). */
  gap?: number;
  /** Image indices to leave empty (e.g. the corner of the image-arithmetic grid). */
  blank?: readonly number[];
  /** Extra space (a quarter cell) after these rows / columns, to set groups apart. */
  separators?: { afterRow?: readonly number[]; afterColumn?: readonly number[] };
}

const HEADER_SIZE = 13;
const TITLE_SIZE = 15;
const MARGIN = 10;

/** The layout of a grid, in px: where each cell goes and how big the document is. */
export interface GridLayout {
  width: number;
  height: number;
  cell: number;
  rows: number;
  columns: number;
  /** Left edge of each column, top edge of each row. */
  x: number[];
  y: number[];
}

/**
 * `images` holds `n` images of shape [h, w, c] (c = 1 or 3), float in [0, 1], laid out row by
 * row, `columns` per row.
 */
export function labelledGridLayout(
  [n, h, w]: readonly [number, number, number, number],
  columns: number,
  options: LabelledGridOptions = {},
): GridLayout {
  if (!Number.isInteger(columns) || columns < 1) {
    throw new RangeError(`labelled grid: columns must be a whole number >= 1, got ${columns}`);
  }
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`labelled grid: ${n} images`);
  const cols = Math.min(columns, n);
  const rows = Math.ceil(n / cols);
  const side = Math.max(h, w);
  const cell = options.cell ?? cellSizeFor([side, side]);
  if (cell < MIN_CELL)
    throw new RangeError(`labelled grid: cell ${cell} px, expected >= ${MIN_CELL}`);
  const gap = options.gap ?? 4;
  const extra = Math.round(cell / 4);
  const { rowHeaders, columnHeaders, title } = options;
  if (rowHeaders && rowHeaders.length !== rows) {
    throw new RangeError(`labelled grid: ${rowHeaders.length} row headers for ${rows} rows`);
  }
  if (columnHeaders && columnHeaders.length !== cols) {
    throw new RangeError(
      `labelled grid: ${columnHeaders.length} column headers for ${cols} columns`,
    );
  }
  const headerWidth = rowHeaders
    ? Math.max(0, ...rowHeaders.map((t) => textWidth(t, HEADER_SIZE))) + 8
    : 0;
  const titleHeight = title ? TITLE_SIZE + 12 : 0;
  const columnHeaderHeight = columnHeaders ? HEADER_SIZE + 8 : 0;
  const afterRow = new Set(options.separators?.afterRow ?? []);
  const afterColumn = new Set(options.separators?.afterColumn ?? []);
  const x: number[] = [];
  let left = MARGIN + headerWidth;
  for (let c = 0; c < cols; c++) {
    x.push(left);
    left += cell + gap + (afterColumn.has(c) ? extra : 0);
  }
  const y: number[] = [];
  let top = MARGIN + titleHeight + columnHeaderHeight;
  for (let r = 0; r < rows; r++) {
    y.push(top);
    top += cell + gap + (afterRow.has(r) ? extra : 0);
  }
  const gridRight = x[cols - 1] + cell;
  // Column headers wider than a cell may overhang it by half their excess.
  const overhang = columnHeaders
    ? Math.max(0, ...columnHeaders.map((t) => (textWidth(t, HEADER_SIZE) - cell) / 2))
    : 0;
  const titleRight = title ? MARGIN + textWidth(title, TITLE_SIZE, true) : 0;
  const width = Math.ceil(Math.max(gridRight + overhang, titleRight) + MARGIN);
  const height = y[rows - 1] + cell + MARGIN;
  return { width, height, cell, rows, columns: cols, x, y };
}

/** The grid as an SVG document (see `LabelledGridOptions`). */
export function labelledGridSvg(
  images: Float32Array,
  shape: readonly [n: number, height: number, width: number, channels: number],
  columns: number,
  options: LabelledGridOptions = {},
): string {
  const [n, h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new RangeError(`labelled grid: ${c} channels, expected 1 or 3`);
  if (images.length < n * h * w * c) {
    throw new RangeError(
      `labelled grid: ${images.length} values for ${n} images of ${h}x${w}x${c}`,
    );
  }
  const layout = labelledGridLayout(shape, columns, options);
  const { cell, x, y } = layout;
  const blank = new Set(options.blank ?? []);
  const body: string[] = [];
  if (options.title) {
    body.push(
      svgText(MARGIN, MARGIN + TITLE_SIZE, options.title, { size: TITLE_SIZE, weight: "bold" }),
    );
  }
  options.columnHeaders?.forEach((text, col) => {
    body.push(svgText(x[col] + cell / 2, y[0] - 7, text, { size: HEADER_SIZE, anchor: "middle" }));
  });
  options.rowHeaders?.forEach((text, row) => {
    body.push(
      svgText(x[0] - 8, y[row] + cell / 2 + HEADER_SIZE * 0.35, text, {
        size: HEADER_SIZE,
        anchor: "end",
      }),
    );
  });
  // Image side scaled into the cell, centred (non-square images keep their aspect ratio).
  const scale = cell / Math.max(h, w);
  const [iw, ih] = [w * scale, h * scale];
  const pixels = h * w * c;
  for (let k = 0; k < n; k++) {
    if (blank.has(k)) continue;
    const col = k % layout.columns;
    const row = Math.floor(k / layout.columns);
    const left = x[col] + (cell - iw) / 2;
    const top = y[row] + (cell - ih) / 2;
    body.push(
      svgImage(images.subarray(k * pixels, (k + 1) * pixels), [h, w, c], left, top, iw, ih),
    );
  }
  return svgDocument(layout.width, layout.height, body);
}
