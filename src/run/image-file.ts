/** Image grids written to PNG files (the Node side of src/viz/image-grid.ts). */
import { encodeImageGrid, type ImageGridOptions } from "../viz/image-grid.ts";
import { writeBytes } from "./rasterize.ts";

/** Writes the grid to `path` as PNG (creating folders as needed). */
export function writeImageGrid(
  path: string,
  images: Float32Array,
  n: number,
  shape: [height: number, width: number, channels: number],
  columns: number,
  options: ImageGridOptions = {},
): void {
  writeBytes(path, encodeImageGrid(images, n, shape, columns, options));
}
