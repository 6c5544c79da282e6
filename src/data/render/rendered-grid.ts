/**
 * A dataset that is the full product of its factors and is drawn on demand: no images are
 * stored, `readBatch` paints each requested image from its factor indices.
 */
import { batchBuffer, type Dataset } from "../dataset.ts";
import type { gridFactors } from "../factors.ts";

/** Paints image `row` of the grid (its factor indices in `indices`) into `out` at `offset`. */
export type GridPainter = (out: Float32Array, offset: number, indices: Int32Array) => void;

export function renderedGridDataset(
  name: string,
  imageShape: [height: number, width: number, channels: number],
  tables: ReturnType<typeof gridFactors>,
  paint: GridPainter,
): Dataset {
  const { count, factorIndices } = tables;
  const k = tables.factors.length;
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  return {
    name,
    count,
    imageShape,
    factors: tables.factors,
    factorValues: tables.factorValues,
    factorIndices,
    grid: tables.grid,
    skipped: [],
    readBatch(indices, out) {
      const buffer = batchBuffer(name, count, pixels, indices, out);
      buffer.fill(0);
      for (let b = 0; b < indices.length; b++) {
        paint(buffer, b * pixels, factorIndices.subarray(indices[b] * k, (indices[b] + 1) * k));
      }
      return buffer;
    },
  };
}
