/** Image grids written to PNG files (the Node side of src/viz/image-grid.ts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { encodeImageGrid, type ImageGridOptions } from "../viz/image-grid.ts";

/** Writes the grid to `path` as PNG (creating folders as needed). */
export function writeImageGrid(
  path: string,
  images: Float32Array,
  n: number,
  shape: [height: number, width: number, channels: number],
  columns: number,
  options: ImageGridOptions = {},
): void {
  const bytes = encodeImageGrid(images, n, shape, columns, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}
