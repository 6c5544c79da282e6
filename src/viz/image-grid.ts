/**
 * PNG grids of images (dataset previews, samples, reconstructions). Images are float HWC in
 * [0, 1] (values outside are clamped), grayscale (c = 1) or RGB (c = 3), laid out row by
 * row, `columns` per row, with `padding` pixels of `background` between and around tiles.
 */
import { encodePng } from "./png.ts";

export interface ImageGridOptions {
  /** Pixels between tiles and around the grid (default 2). */
  padding?: number;
  /** Gray level of the padding, in [0, 1] (default 0.5). */
  background?: number;
}

/** Encodes the grid as PNG bytes. */
export function encodeImageGrid(
  images: Float32Array,
  n: number,
  shape: [height: number, width: number, channels: number],
  columns: number,
  options: ImageGridOptions = {},
): Uint8Array {
  const [h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new RangeError(`image grid: ${c} channels, expected 1 or 3`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`image grid: n must be >= 1, got ${n}`);
  if (images.length < n * h * w * c) {
    throw new RangeError(`image grid: ${images.length} values for ${n} images of ${h}x${w}x${c}`);
  }
  if (!Number.isInteger(columns) || columns < 1) {
    throw new RangeError(`image grid: columns must be >= 1, got ${columns}`);
  }
  const pad = options.padding ?? 2;
  const background = toByte(options.background ?? 0.5);
  const cols = Math.min(columns, n);
  const rows = Math.ceil(n / cols);
  const width = cols * w + (cols + 1) * pad;
  const height = rows * h + (rows + 1) * pad;
  const pixels = new Uint8Array(width * height * c).fill(background);
  for (let k = 0; k < n; k++) {
    const top = pad + Math.floor(k / cols) * (h + pad);
    const left = pad + (k % cols) * (w + pad);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w * c; j++) {
        pixels[((top + i) * width + left) * c + j] = toByte(images[(k * h + i) * w * c + j]);
      }
    }
  }
  return encodePng(pixels, width, height, c);
}

function toByte(value: number): number {
  if (!(value > 0)) return 0; // also NaN
  return value >= 1 ? 255 : Math.round(value * 255);
}
