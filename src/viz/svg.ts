/**
 * Small SVG building blocks shared by the pictures: documents, text, raster images embedded
 * as PNG data URLs (nearest-neighbour upscaling kept crisp). Pure strings, no DOM, so the
 * same pictures are made in Node (rasterised by src/run/rasterize.ts) and in a browser.
 */
import { base64, encodePng } from "./png.ts";

/** Smallest side of an image cell in a picture, px (small images are upscaled to it). */
export const MIN_CELL = 48;

/** The cell side for images [h, w, c]: the smallest whole multiple of the image side >= MIN_CELL. */
export function cellSizeFor([h, w]: readonly [number, number, ...number[]]): number {
  const side = Math.max(h, w);
  return side * Math.max(1, Math.ceil(MIN_CELL / side));
}

/** The font every picture uses (DejaVu Sans ships with Debian; browsers fall back to sans-serif). */
export const FONT_FAMILY = "DejaVu Sans, sans-serif";

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A complete SVG document of `width` x `height` on a white background. */
export function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
  ].join("\n");
}

export interface TextOptions {
  size?: number;
  anchor?: "start" | "middle" | "end";
  weight?: "normal" | "bold";
  fill?: string;
  /** Degrees, about (x, y). */
  rotate?: number;
}

/** A text element; `y` is the baseline. */
export function svgText(x: number, y: number, text: string, options: TextOptions = {}): string {
  const { size = 14, anchor = "start", weight = "normal", fill = "#111111", rotate } = options;
  const transform = rotate ? ` transform="rotate(${rotate} ${x} ${y})"` : "";
  return `<text x="${x}" y="${y}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}"${transform}>${escapeXml(text)}</text>`;
}

/**
 * A float image [h, w, c] in [0, 1] (c = 1 or 3; values clamped) drawn at (x, y) scaled to
 * `width` x `height` pixels. The embedded PNG is already upscaled by whole factors with
 * nearest-neighbour sampling, so pixels stay crisp in renderers that smooth images (resvg).
 */
export function svgImage(
  image: Float32Array,
  [h, w, c]: readonly [number, number, number],
  x: number,
  y: number,
  width: number,
  height: number,
): string {
  const sx = Math.max(1, Math.round(width / w));
  const sy = Math.max(1, Math.round(height / h));
  const [W, H] = [w * sx, h * sy];
  const channels = c === 1 ? 1 : 3;
  const bytes = new Uint8Array(W * H * channels);
  for (let row = 0; row < H; row++) {
    for (let col = 0; col < W; col++) {
      const src = (Math.floor(row / sy) * w + Math.floor(col / sx)) * c;
      for (let k = 0; k < channels; k++) {
        const v = image[src + k];
        bytes[(row * W + col) * channels + k] = v > 0 ? (v >= 1 ? 255 : Math.round(v * 255)) : 0;
      }
    }
  }
  const png = encodePng(bytes, W, H, channels);
  return `<image x="${x}" y="${y}" width="${width}" height="${height}" preserveAspectRatio="none" href="data:image/png;base64,${base64(png)}"/>`;
}
