/**
 * Colored shapes: the seed example of incompatible notions of similarity (Karaletsos,
 * Belongie and Raetsch, "Bayesian Representation Learning with Oracle Constraints", ICLR
 * 2016): images are alike by shape or alike by colour, and a representation has to serve
 * both. Full product of shape {triangle, square, circle, cross} x colour {red, green, blue,
 * yellow, magenta, cyan} x scale x posX x posY, rendered on demand on black, RGB.
 * Geometry as in sprites.ts, with shapes of radius 0.2 S at scale 1.
 */
import { type CommonOptions, type Dataset, positiveInteger } from "../dataset.ts";
import { gridFactors, linspace } from "../factors.ts";
import { renderedGridDataset } from "../render/rendered-grid.ts";
import { paintShape, type ShapeName } from "../render/shapes.ts";

export interface ColoredShapesOptions extends CommonOptions {
  /** Image side in pixels (default 32). */
  size?: number;
  /** Values of posX and of posY (default 5). */
  positions?: number;
  /**
   * Values of scale in [0.6, 1] (default 1: scale 1 only). At 32x32 a shape at scale 0.6 is
   * 8 pixels across; with colour and shape as triplet queries (lr 5e-4), shape stayed at
   * chance for 4000 steps on the 5x5-position grid with 2 scales, and reached 0.99 in 2100
   * steps with 1 scale.
   */
  scales?: number;
}

export const COLORED_SHAPES: ShapeName[] = ["triangle", "square", "circle", "cross"];
export const SHAPE_COLORS: Record<string, [number, number, number]> = {
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
  yellow: [1, 1, 0],
  magenta: [1, 0, 1],
  cyan: [0, 1, 1],
};
const EXTENT = 0.2;

/**
 * The colored-shapes dataset (Karaletsos et al. 2016's example of two notions of similarity):
 * every combination of shape, colour, scale and position, rendered on demand as RGB images.
 */
export function loadColoredShapes(options: ColoredShapesOptions = {}): Dataset {
  const size = positiveInteger("size", options.size ?? 32);
  const positions = positiveInteger("positions", options.positions ?? 5);
  const scales = positiveInteger("scales", options.scales ?? 1);
  const colorNames = Object.keys(SHAPE_COLORS);
  const levels = [
    COLORED_SHAPES.map((_, i) => i),
    colorNames.map((_, i) => i),
    linspace(scales === 1 ? 1 : 0.6, 1, scales),
    linspace(0, 1, positions),
    linspace(0, 1, positions),
  ];
  const tables = gridFactors(
    [
      { name: "shape", kind: "categorical", label: (v) => COLORED_SHAPES[v] },
      { name: "color", kind: "categorical", label: (v) => colorNames[v] },
      { name: "scale", kind: "continuous" },
      { name: "posX", kind: "continuous" },
      { name: "posY", kind: "continuous" },
    ],
    levels,
  );
  return renderedGridDataset("colored-shapes", [size, size, 3], tables, (out, offset, f) => {
    const color = SHAPE_COLORS[colorNames[f[1]]];
    paintShape(out, offset, size, size, color, COLORED_SHAPES[f[0]], {
      cx: size * (EXTENT + levels[3][f[3]] * (1 - 2 * EXTENT)),
      cy: size * (EXTENT + levels[4][f[4]] * (1 - 2 * EXTENT)),
      radius: size * EXTENT * levels[2][f[2]],
      angle: 0,
    });
  });
}
