/**
 * UMAP (McInnes, Healy & Melville 2018, arXiv:1802.03426) to two dimensions through `umap-js`
 * (1.4.0, the PAIR-code port of umap-learn), with the same input and output shapes as
 * `tsne.ts`: row-major points in, a row-major [n, 2] Float64Array out. Seeded: umap-js draws
 * every random number (random-projection trees, NN-descent, negative sampling, the
 * fallback random init) from its `random` option, which gets our own generator
 * (`src/data/random.ts`), so a seed gives the same embedding on every run and platform.
 * umap-js's other parameters keep their defaults (Euclidean distance, spread 1, 500 epochs up
 * to 2500 points and 200 above, learning rate 1, spectral init).
 */
import { UMAP } from "umap-js";
import { Rng } from "../data/random.ts";

export interface UmapOptions {
  /** Size of the local neighbourhood (umap-js: 15); must be < n. */
  nNeighbors?: number;
  /** Minimum distance between embedded points (umap-js: 0.1). */
  minDist?: number;
  seed?: number;
  /** Called after every epoch with (epochs done, total epochs). */
  onProgress?: (epoch: number, total: number) => void;
}

/** The option defaults (umap-js's own for nNeighbors and minDist). */
export const UMAP_DEFAULTS = {
  nNeighbors: 15,
  minDist: 0.1,
  seed: 0,
} as const satisfies Required<Omit<UmapOptions, "onProgress">>;

/** Epochs between yields to the event loop, so that a page or progress bar stays live. */
const EPOCHS_PER_YIELD = 20;

/** A seeded two-dimensional UMAP embedding (McInnes et al. 2018) of `n` row-major points. */
export async function umap(
  points: Float32Array | Float64Array,
  n: number,
  dims: number,
  options: UmapOptions = {},
): Promise<{ embedding: Float64Array }> {
  const nNeighbors = options.nNeighbors ?? UMAP_DEFAULTS.nNeighbors;
  const minDist = options.minDist ?? UMAP_DEFAULTS.minDist;
  const seed = options.seed ?? UMAP_DEFAULTS.seed;
  if (!(Number.isInteger(dims) && dims >= 1)) {
    throw new RangeError(`dims must be a positive integer, got ${dims}`);
  }
  if (points.length !== n * dims) {
    throw new RangeError(`points: ${points.length} values, expected n * dims = ${n * dims}`);
  }
  if (!(Number.isInteger(nNeighbors) && nNeighbors >= 2 && nNeighbors < n)) {
    throw new RangeError(`nNeighbors must be an integer in [2, n = ${n}), got ${nNeighbors}`);
  }
  if (!(Number.isFinite(minDist) && minDist >= 0)) {
    throw new RangeError(`minDist must be a number >= 0, got ${minDist}`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from(points.subarray(i * dims, (i + 1) * dims));
    if (!row.every(Number.isFinite)) throw new RangeError(`points: row ${i} is not finite`);
    rows.push(row);
  }
  const rng = new Rng(seed, 0x0a3a);
  const model = new UMAP({ nComponents: 2, nNeighbors, minDist, random: () => rng.nextFloat() });
  const total = model.initializeFit(rows);
  for (let epoch = 0; epoch < total; epoch++) {
    model.step();
    options.onProgress?.(epoch + 1, total);
    if ((epoch + 1) % EPOCHS_PER_YIELD === 0) await new Promise((r) => setTimeout(r, 0));
  }
  const out = model.getEmbedding();
  const embedding = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    embedding[2 * i] = out[i][0];
    embedding[2 * i + 1] = out[i][1];
  }
  return { embedding };
}
