/**
 * Subspace maps of a trained run (Karaletsos, Belongie & Rätsch 2016, the t-SNE map of each
 * query's subspace): encode a seeded sample of images, keep the posterior means of one
 * subspace (a triplet VAE's query: its mask's dimensions; other models: the whole latent
 * space), embed them in 2-D with t-SNE (src/viz/tsne.ts) or UMAP (src/viz/umap.ts), and draw
 * the embedding coloured by every factor with thumbnails (src/viz/subspace-map.ts).
 * No file system: src/cli/map.ts writes the PNGs.
 */
import { permutation, Rng } from "../data/random.ts";
import { runSplit } from "../run/build.ts";
import { encodeDataset } from "../run/encode-dataset.ts";
import { queryMask, type TrainedRun } from "../run/trained-run.ts";
import {
  type MapFactor,
  spreadSample,
  subspaceMapSvg,
  thumbnailPanelSize,
  thumbnailSide,
} from "./subspace-map.ts";
import { subspaceDims } from "./swap.ts";

export const MAP_METHODS = ["tsne", "umap"] as const;
export type MapMethod = (typeof MAP_METHODS)[number];

/** The name of the map of the whole latent space (runs without query subspaces). */
export const LATENT_MAP = "latent";

export interface MapTarget {
  /** The query, or LATENT_MAP. */
  name: string;
  /** Latent dimensions embedded. */
  dims: number[];
}

export interface MapSample {
  /** Dataset indices of the sampled images. */
  indices: number[];
  /** Where they were drawn from: the held-out images, or all when fewer are held out. */
  pool: "held-out" | "all";
  /** Images in the pool. */
  poolSize: number;
  /** Images the run holds out. */
  heldOut: number;
  latentDim: number;
  /** [indices.length, latentDim] posterior means. */
  mu: Float32Array;
}

export type MapProgress = (stage: "encoding" | MapMethod, done: number, total: number) => void;

export interface SubspaceMapOptions {
  /** A triplet VAE's query (default: every query in turn; other models have none). */
  query?: string;
  /** Default "tsne". */
  method?: MapMethod;
  /** Images in the sample (default 2000, at most the pool). */
  points?: number;
  /** Seed of the sample, the random parts of the embedding and the drawing order (default 0). */
  seed?: number;
  /** Thumbnail images drawn (default 40; 0: none). */
  thumbnails?: number;
  /** t-SNE perplexity (default 30, at most (points - 1) / 3). */
  perplexity?: number;
  /** UMAP neighbours (default 15). */
  neighbours?: number;
  onProgress?: MapProgress;
}

export interface SubspaceMap extends MapTarget {
  method: MapMethod;
  /** Dataset indices of the embedded images, in embedding row order. */
  indices: number[];
  /** [indices.length, 2] row-major. */
  embedding: Float64Array;
  /** t-SNE's final KL(P || Q). */
  kl?: number;
  svg: string;
}

/**
 * What to map: query `query` of a triplet VAE run, every query when none is named, or the
 * whole latent space of other runs. Clear errors for a query the run lacks (listing its
 * queries) and for a query given to a run without query subspaces.
 */
export function mapTargets(run: TrainedRun, query?: string): MapTarget[] {
  if (!run.masks) {
    if (query !== undefined) {
      throw new Error(
        `${run.runDir} is a ${run.config.model} run without query subspaces: leave out --query to map its whole latent space (only triplet-vae runs have queries)`,
      );
    }
    return [{ name: LATENT_MAP, dims: Array.from({ length: run.config.z }, (_, h) => h) }];
  }
  const names = query === undefined ? run.masks.names : [query];
  return names.map((name) => {
    const dims = subspaceDims(queryMask(run, name));
    if (dims.length === 0) {
      throw new Error(`${run.runDir}: the mask of query '${name}' is all zero, nothing to map`);
    }
    return { name, dims };
  });
}

/**
 * A seeded sample of `points` images (held-out images when the run holds out at least that
 * many, else all images) and their posterior means.
 */
export async function encodeMapSample(
  run: TrainedRun,
  options: Pick<SubspaceMapOptions, "points" | "seed" | "onProgress"> = {},
): Promise<MapSample> {
  const points = options.points ?? 2000;
  if (!Number.isInteger(points) || points < 3) {
    throw new RangeError(`points: expected a whole number >= 3, got ${points}`);
  }
  const { validation } = runSplit(run.config, run.dataset);
  const heldOut = validation.length >= points;
  const pool = heldOut ? Array.from(validation) : null;
  const poolSize = pool ? pool.length : run.dataset.count;
  const order = permutation(poolSize, new Rng(options.seed ?? 0, 0x3a7));
  const count = Math.min(points, poolSize);
  const indices = Array.from(order.subarray(0, count), (i) => (pool ? pool[i] : i));
  const encoded = await encodeDataset(run.model, run.params.encoder, run.dataset, indices, {
    onProgress: (done, total) => options.onProgress?.("encoding", done, total),
  });
  return {
    indices,
    pool: heldOut ? "held-out" : "all",
    poolSize,
    heldOut: validation.length,
    latentDim: encoded.latentDim,
    mu: encoded.mu,
  };
}

/** The dataset's factors at the sampled images, for colouring. */
function sampleFactors(run: TrainedRun, indices: number[]): MapFactor[] {
  const { factors, factorValues } = run.dataset;
  if (!factorValues) return [];
  const k = factors.length;
  return factors.map((factor, f) => ({
    name: factor.name,
    kind: factor.kind === "categorical" ? "categorical" : "ordered",
    values: Float64Array.from(indices, (image) => factorValues[image * k + f]),
    levels: factor.values,
    labels: factor.labels,
  }));
}

/** "2000 held-out images", "500 of all 720 images (36 held out)". */
export function describeSample(sample: MapSample): string {
  const n = sample.indices.length;
  if (sample.pool === "held-out") return `${n} held-out images`;
  const all = n === sample.poolSize ? `all ${n}` : `${n} of all ${sample.poolSize}`;
  return `${all} images (${sample.heldOut} held out)`;
}

/** Side of each panel's plot, pixels. */
const PANEL_SIZE = 240;

export const METHOD_NAMES: Record<MapMethod, string> = { tsne: "t-SNE", umap: "UMAP" };

/** Embeds `sample` restricted to `target`'s dimensions and draws the map. */
export async function subspaceMap(
  run: TrainedRun,
  sample: MapSample,
  target: MapTarget,
  options: SubspaceMapOptions = {},
): Promise<SubspaceMap> {
  const method = options.method ?? "tsne";
  if (!MAP_METHODS.includes(method)) {
    throw new Error(`method '${method}': expected one of ${MAP_METHODS.join(", ")}`);
  }
  const seed = options.seed ?? 0;
  const n = sample.indices.length;
  const d = target.dims.length;
  const points = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++)
      points[i * d + j] = sample.mu[i * sample.latentDim + target.dims[j]];
  }
  const progress = (done: number, total: number) => options.onProgress?.(method, done, total);
  let embedding: Float64Array;
  let kl: number | undefined;
  let settings: string;
  if (method === "tsne") {
    const { tsne } = await import("./tsne.ts");
    const perplexity = Math.min(options.perplexity ?? 30, Math.max(1, (n - 1) / 3));
    ({ embedding, kl } = await tsne(points, n, d, { perplexity, seed, onProgress: progress }));
    settings = `perplexity ${Number(perplexity.toPrecision(3))}, KL(P‖Q) ${kl.toFixed(2)}`;
  } else {
    const { umap } = await import("./umap.ts");
    const nNeighbors = Math.min(options.neighbours ?? 15, n - 1);
    ({ embedding } = await umap(points, n, d, { nNeighbors, seed, onProgress: progress }));
    settings = `${nNeighbors} neighbours`;
  }
  const what = !run.masks
    ? `the latent space (${d} dims)`
    : `the '${target.name}' subspace (dim${d === 1 ? "" : "s"} ${target.dims.join(", ")})`;
  const thumbnailCount = Math.min(options.thumbnails ?? 40, n);
  const thumbnailPoints = spreadSample(
    embedding,
    thumbnailCount,
    thumbnailPanelSize(PANEL_SIZE),
    thumbnailSide(run.dataset.imageShape),
  );
  const svg = subspaceMapSvg({
    embedding,
    title: `${METHOD_NAMES[method]} map of ${what}`,
    subtitle: `${run.config.model} on ${run.dataset.name}, step ${run.step}: posterior means of ${describeSample(sample)}; ${settings}`,
    factors: sampleFactors(run, sample.indices),
    thumbnails:
      thumbnailPoints.length > 0
        ? {
            points: thumbnailPoints,
            images: run.dataset.readBatch(thumbnailPoints.map((i) => sample.indices[i])),
            shape: run.dataset.imageShape,
          }
        : undefined,
    seed,
    panelSize: PANEL_SIZE,
  });
  return { ...target, method, indices: sample.indices, embedding, kl, svg };
}

/** Every map `options` asks for (see mapTargets), from one encoded sample. */
export async function subspaceMaps(
  run: TrainedRun,
  options: SubspaceMapOptions = {},
): Promise<SubspaceMap[]> {
  const targets = mapTargets(run, options.query);
  const sample = await encodeMapSample(run, options);
  const maps: SubspaceMap[] = [];
  for (const target of targets) maps.push(await subspaceMap(run, sample, target, options));
  return maps;
}
