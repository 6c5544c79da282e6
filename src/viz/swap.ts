/**
 * Image arithmetic in a query's subspace (Karaletsos, Belongie & Rätsch 2016, Sec. 5, the
 * attribute-swapping figures): take the posterior mean z_B of one image, replace its
 * coordinates in query Q's subspace with those of another image's z_A, and decode. If the
 * subspace captures exactly Q's notion of similarity, the result looks like B with A's
 * Q-attribute.
 */
import { type Array as JaxArray, numpy as np } from "../engine/jax.ts";

/**
 * The dimensions of a mask's subspace: those with weight >= threshold · max weight (default
 * 0.5), so 0/1 block masks give their block and learned masks their dominant dimensions.
 * Empty for an all-zero mask.
 */
export function subspaceDims(mask: ArrayLike<number>, threshold = 0.5): number[] {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new RangeError(`subspace swap: threshold is ${threshold}, expected a number in (0, 1]`);
  }
  let max = 0;
  for (let h = 0; h < mask.length; h++) {
    if (!(mask[h] >= 0) || !Number.isFinite(mask[h])) {
      throw new RangeError(
        `subspace swap: mask[${h}] is ${mask[h]}, expected a finite number >= 0`,
      );
    }
    max = Math.max(max, mask[h]);
  }
  const dims: number[] = [];
  for (let h = 0; h < mask.length && max > 0; h++) if (mask[h] >= threshold * max) dims.push(h);
  return dims;
}

/**
 * Row-major [rows · columns, latentDim] codes: row a, column b is zB[b] with the coordinates
 * `dims` taken from zA[a]. zA is [rows, latentDim] and zB [columns, latentDim], row-major.
 */
export function swapSubspace(
  zA: ArrayLike<number>,
  zB: ArrayLike<number>,
  dims: readonly number[],
  latentDim: number,
): Float32Array {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new RangeError(`subspace swap: latentDim is ${latentDim}, expected a whole number >= 1`);
  }
  for (const [name, z] of [
    ["zA", zA],
    ["zB", zB],
  ] as const) {
    if (z.length % latentDim !== 0 || z.length === 0) {
      throw new RangeError(
        `subspace swap: ${name} holds ${z.length} values, expected a non-zero multiple of latentDim ${latentDim}`,
      );
    }
  }
  for (const h of dims) {
    if (!Number.isInteger(h) || h < 0 || h >= latentDim) {
      throw new RangeError(`subspace swap: dimension ${h} is outside [0, ${latentDim})`);
    }
  }
  const rows = zA.length / latentDim;
  const columns = zB.length / latentDim;
  const out = new Float32Array(rows * columns * latentDim);
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < columns; b++) {
      const at = (a * columns + b) * latentDim;
      for (let h = 0; h < latentDim; h++) out[at + h] = zB[b * latentDim + h];
      for (const h of dims) out[at + h] = zA[a * latentDim + h];
    }
  }
  return out;
}

export interface SwapGrid {
  /** Decoded images, [rows · columns, H, W, C] flattened; image (a, b) at index a · columns + b. */
  images: Float32Array;
  /** One row per zA (the source of the subspace). */
  rows: number;
  /** One column per zB (the base image). */
  columns: number;
  /** The swapped dimensions. */
  dims: number[];
}

/**
 * Decodes the swap grid of `swapSubspace` for query mask `mask` [latentDim]. `decode` consumes
 * a [N, latentDim] float32 array and returns the likelihood's mean images [N, H, W, C] (e.g.
 * `(z) => vae.decodeMean(tree.ref(params.decoder), z)`). Pixels come back as they are decoded.
 */
export async function swapGrid(
  decode: (z: JaxArray) => JaxArray,
  zA: ArrayLike<number>,
  zB: ArrayLike<number>,
  mask: ArrayLike<number>,
  threshold?: number,
): Promise<SwapGrid> {
  const latentDim = mask.length;
  const dims = subspaceDims(mask, threshold);
  const codes = swapSubspace(zA, zB, dims, latentDim);
  const rows = zA.length / latentDim;
  const columns = zB.length / latentDim;
  const decoded = decode(np.array(codes).reshape([rows * columns, latentDim]));
  const images = Float32Array.from((await decoded.data()) as Float32Array);
  return { images, rows, columns, dims };
}
