/**
 * Binary rasterisation of simple shapes for the procedural datasets (sprites,
 * colored-shapes). Each shape is an inside test in unit coordinates (u right, v up) and fits
 * in the unit disc, so a shape of radius r centred r pixels from every edge stays in frame.
 * A pixel is on when its centre is inside the shape (no anti-aliasing, like dSprites).
 */

export type ShapeName = "square" | "ellipse" | "heart" | "circle" | "triangle" | "cross";

const HALF_SQUARE = Math.SQRT1_2;
const SQRT3 = Math.sqrt(3);

/** Inside tests. The heart is the implicit curve (x^2+y^2-1)^3 - x^2 y^3 <= 0, recentred and scaled into the unit disc. */
export const insideShape: Record<ShapeName, (u: number, v: number) => boolean> = {
  square: (u, v) => Math.abs(u) <= HALF_SQUARE && Math.abs(v) <= HALF_SQUARE,
  ellipse: (u, v) => u * u + 4 * v * v <= 1,
  heart: (u, v) => {
    const x = 1.25 * u;
    const y = 1.25 * v + 0.25;
    const q = x * x + y * y - 1;
    return q * q * q - x * x * y * y * y <= 0;
  },
  // same area as the square (pi 0.8^2 ~ 2)
  circle: (u, v) => u * u + v * v <= 0.64,
  // equilateral, pointing up, vertices on the unit circle
  triangle: (u, v) => v >= -0.5 && v <= 1 - SQRT3 * Math.abs(u),
  // plus sign: arms 1.88 long, 0.66 wide
  cross: (u, v) => {
    const a = Math.abs(u);
    const b = Math.abs(v);
    return (a <= 0.94 && b <= 0.33) || (a <= 0.33 && b <= 0.94);
  },
};

export interface Placement {
  /** Centre in pixel units from the top-left corner (pixel (i, j) covers [j, j+1) x [i, i+1)). */
  cx: number;
  cy: number;
  /** Radius of the shape's unit disc, in pixels. */
  radius: number;
  /** Rotation in radians, counter-clockwise as displayed. */
  angle: number;
}

/**
 * Paints `shape` into one HWC float image at `offset` of `out` (which the caller has
 * cleared), writing `color` (one value per channel) into covered pixels.
 */
export function paintShape(
  out: Float32Array,
  offset: number,
  height: number,
  width: number,
  color: ArrayLike<number>,
  shape: ShapeName,
  placement: Placement,
): void {
  const inside = insideShape[shape];
  const { cx, cy, radius } = placement;
  const channels = color.length;
  const cos = Math.cos(placement.angle);
  const sin = Math.sin(placement.angle);
  const inv = 1 / radius;
  const rowStart = Math.max(0, Math.floor(cy - radius - 0.5));
  const rowEnd = Math.min(height - 1, Math.ceil(cy + radius - 0.5));
  const colStart = Math.max(0, Math.floor(cx - radius - 0.5));
  const colEnd = Math.min(width - 1, Math.ceil(cx + radius - 0.5));
  for (let i = rowStart; i <= rowEnd; i++) {
    const dy = (cy - (i + 0.5)) * inv;
    for (let j = colStart; j <= colEnd; j++) {
      const dx = (j + 0.5 - cx) * inv;
      if (inside(cos * dx + sin * dy, cos * dy - sin * dx)) {
        const p = offset + (i * width + j) * channels;
        for (let c = 0; c < channels; c++) out[p + c] = color[c];
      }
    }
  }
}
