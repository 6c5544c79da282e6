/**
 * dSprites-compatible sprites (Matthey et al., "dSprites: Disentanglement testing Sprites
 * dataset", 2017), generated on demand: the same factor grid and index order as
 * `dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz` (row-major over shape, scale,
 * orientation, posX, posY; posY fastest) - shape {square, ellipse, heart}, scale
 * linspace(0.5, 1, 6), orientation linspace(0, 2pi, 40), posX/posY linspace(0, 1, 32) -
 * rendered as binary 64x64 images. NOT byte-identical to dSprites: the shape outlines are
 * our own (see render/shapes.ts).
 *
 * Geometry (fractions of the image side S): a sprite of scale s fits in a disc of radius
 * 0.16 s S; its centre is at 0.16 S + pos (1 - 0.32) S, so positions 0..1 map to pixels
 * 10.2..53.8 at 64x64 (dSprites: roughly 8..56) and every sprite stays inside the frame.
 * posX runs left to right, posY top to bottom; orientation turns counter-clockwise.
 *
 * Images are rendered per batch from the factor indices (a few microseconds each), so the
 * dataset holds only its factor tables in memory.
 */
import { type CommonOptions, type Dataset, positiveInteger } from "../dataset.ts";
import { gridFactors, linspace } from "../factors.ts";
import { renderedGridDataset } from "../render/rendered-grid.ts";
import { paintShape, type ShapeName } from "../render/shapes.ts";

export interface SpritesOptions extends CommonOptions {
  /** Image side in pixels (default 64). */
  size?: number;
  /** Values of posX and of posY (default 32). */
  positions?: number;
  /** Values of scale (default 6). */
  scales?: number;
  /** Values of orientation (default 40). */
  orientations?: number;
}

/** The shape factor's values, in dSprites' order (Matthey et al. 2017). */
export const SPRITE_SHAPES: ShapeName[] = ["square", "ellipse", "heart"];
/** Radius of a scale-1 sprite and the margin of its centre, as a fraction of the image side. */
export const SPRITE_EXTENT = 0.16;

/**
 * dSprites-compatible sprites (Matthey et al. 2017): the dSprites factor grid (shape, scale,
 * orientation, posX, posY; smaller grids through `options`), rendered on demand as binary
 * images of `options.size` pixels.
 */
export function loadSprites(options: SpritesOptions = {}): Dataset {
  const size = positiveInteger("size", options.size ?? 64);
  const positions = positiveInteger("positions", options.positions ?? 32);
  const scales = positiveInteger("scales", options.scales ?? 6);
  const orientations = positiveInteger("orientations", options.orientations ?? 40);
  const levels = [
    [0, 1, 2],
    linspace(0.5, 1, scales),
    linspace(0, 2 * Math.PI, orientations),
    linspace(0, 1, positions),
    linspace(0, 1, positions),
  ];
  const tables = gridFactors(
    [
      { name: "shape", kind: "categorical", label: (v) => SPRITE_SHAPES[v] },
      { name: "scale", kind: "continuous" },
      { name: "orientation", kind: "continuous" },
      { name: "posX", kind: "continuous" },
      { name: "posY", kind: "continuous" },
    ],
    levels,
  );
  const white = [1];
  return renderedGridDataset("sprites", [size, size, 1], tables, (out, offset, f) => {
    paintShape(out, offset, size, size, white, SPRITE_SHAPES[f[0]], {
      cx: size * (SPRITE_EXTENT + levels[3][f[3]] * (1 - 2 * SPRITE_EXTENT)),
      cy: size * (SPRITE_EXTENT + levels[4][f[4]] * (1 - 2 * SPRITE_EXTENT)),
      radius: size * SPRITE_EXTENT * levels[1][f[1]],
      angle: levels[2][f[2]],
    });
  });
}
