/**
 * The image-arithmetic figure of a triplet VAE run: a grid whose top row shows the base
 * images B, whose left column shows the sources A, and whose cell (a, b) decodes z_B with
 * query Q's subspace taken from z_A (Karaletsos et al. 2016, Sec. 5).
 */
import { tree } from "../engine/jax.ts";
import { encodeDataset } from "../run/encode-dataset.ts";
import { queryMask, type TrainedRun } from "../run/trained-run.ts";
import { labelledGridSvg } from "./labelled-grid.ts";
import { swapGrid } from "./swap.ts";

export interface SwapFigure {
  /** [(rows + 1) · (columns + 1)] tiles, row-major, the corner tile blank. */
  tiles: Float32Array;
  rows: number;
  columns: number;
  dims: number[];
}

/** Builds the figure for dataset images `a` (sources) and `b` (bases) under query `query`. */
export async function subspaceSwapFigure(
  run: TrainedRun,
  query: string,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): Promise<SwapFigure> {
  const { dataset, model, params } = run;
  const mask = queryMask(run, query);
  for (const [flag, list] of [
    ["--a", a],
    ["--b", b],
  ] as const) {
    for (let i = 0; i < list.length; i++) {
      if (!Number.isInteger(list[i]) || list[i] < 0 || list[i] >= dataset.count) {
        throw new RangeError(`${flag}: image index ${list[i]} is outside [0, ${dataset.count})`);
      }
    }
  }
  const zA = await encodeDataset(model, params.encoder, dataset, a);
  const zB = await encodeDataset(model, params.encoder, dataset, b);
  const grid = await swapGrid(
    (z) => model.decodeMean(tree.ref(params.decoder), z),
    zA.mu,
    zB.mu,
    mask,
  );
  const [h, w, c] = dataset.imageShape;
  const pixels = h * w * c;
  const columns = grid.columns + 1;
  const tiles = new Float32Array((grid.rows + 1) * columns * pixels);
  tiles.set(dataset.readBatch(b), pixels);
  const sources = dataset.readBatch(a);
  for (let r = 0; r < grid.rows; r++) {
    const rowStart = (r + 1) * columns * pixels;
    tiles.set(sources.subarray(r * pixels, (r + 1) * pixels), rowStart);
    tiles.set(
      grid.images.subarray(r * grid.columns * pixels, (r + 1) * grid.columns * pixels),
      rowStart + pixels,
    );
  }
  for (let i = 0; i < tiles.length; i++) tiles[i] = Math.min(1, Math.max(0, tiles[i]));
  return { tiles, rows: grid.rows, columns: grid.columns, dims: grid.dims };
}

/**
 * The figure as a labelled grid: base images along the top, sources down the left, the
 * corner blank, and a title naming the query and its dimensions.
 */
export function swapFigureSvg(
  figure: SwapFigure,
  query: string,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  [h, w, c]: readonly [number, number, number],
): string {
  const columns = figure.columns + 1;
  return labelledGridSvg(figure.tiles, [(figure.rows + 1) * columns, h, w, c], columns, {
    title: `Bases B (top row) with the ${query} subspace (${figure.dims.map((d) => `z${d}`).join(", ")}) of sources A (left)`,
    columnHeaders: ["", ...Array.from(b, (i) => `#${i}`)],
    rowHeaders: ["", ...Array.from(a, (i) => `A #${i}`)],
    blank: [0],
    separators: { afterRow: [0], afterColumn: [0] },
  });
}
