/**
 * Latent traversals (the figure of Chen et al. 2018, Fig. 1 and Sec. 6; Higgins et al. 2017):
 * each active latent dimension gets a row that sweeps its value while the other dimensions stay
 * at a seed image's posterior mean, decoded to images. Rows are sorted by the dimension's mean
 * KL(q(z_j|x) || p(z_j)) over a sample of images (closed form under the model's prior where one
 * exists); dimensions below 0.01 nats are folded into one "inactive" line. When the dataset has
 * factors, each row names the factor the dimension informs most, by MI(z_j; v_k) / H(v_k) as in
 * MIG (disentanglement_lib's binned estimate, src/metrics/mig.ts). Triplet-VAE runs group their
 * rows by query subspace.
 *
 * `traversalFigure` returns an SVG (one block per seed image, side by side) and the decoded
 * frames; `traversalGif` animates the same frames (rows = dimensions, columns = seed images,
 * frames = the sweep forward then back) with gifenc. No file system: src/cli/traverse.ts writes.
 */
// @ts-expect-error gifenc 1.0.3 ships no type declarations; GifencApi below types what is used.
import * as gifencModule from "gifenc";
import type { Dataset } from "../data/dataset.ts";
import { linspace } from "../data/factors.ts";
import { permutation, Rng } from "../data/random.ts";
import type { Distribution } from "../distributions/distribution.ts";
import { type Array as JaxArray, jit, numpy as np, tree } from "../engine/jax.ts";
import { keyFromSeed } from "../engine/prng.ts";
import { INACTIVE_KL, meanKlPerDimension } from "../metrics/elbo-decomposition.ts";
import { factorMatrix } from "../metrics/evaluate-run.ts";
import { migDlib } from "../metrics/mig.ts";
import type { DecoderParams } from "../nn/architecture.ts";
import { runSplit } from "../run/build.ts";
import { encodeDataset } from "../run/encode-dataset.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import { cellSizeFor, svgDocument, svgImage, svgText } from "./svg.ts";
import { textWidth } from "./text-width.ts";

export const TRAVERSAL_RANGES = ["prior", "posterior", "empirical"] as const;
export type TraversalRange = (typeof TRAVERSAL_RANGES)[number];

/** Below this mean KL (nats) a dimension counts as inactive (collapsed to the prior). */

export interface TraversalOptions {
  /** How far each row sweeps (default "prior"). */
  range?: TraversalRange;
  /** Seed images, one block each (default 3). */
  seeds?: number;
  /** Dataset indices of the seed images (default: drawn from the sample). */
  seedIndices?: number[];
  /** Values per sweep (default 9). */
  columns?: number;
  /** Images over which KL and MI are computed (default 2000). */
  rows?: number;
  /** prior: ± this many standard deviations' worth of central prior probability (default 2). */
  priorRadius?: number;
  /** posterior: ± k posterior standard deviations around the seed's code (default 3). */
  posteriorRadius?: number;
  /** empirical: the [low, high] percentiles of the sample's codes (default [2, 98]). */
  percentiles?: [number, number];
  /** Images per jitted decoder call (default 64). */
  batchSize?: number;
  /** Seed of the sample and seed-image draws (default 0). */
  seed?: number;
  /** Title line (default: model, data and step of the run). */
  title?: string;
}

export interface TraversalRow {
  dimension: number;
  /** Mean KL(q(z_j|x) || p(z_j)) over the sample, nats. */
  kl: number;
  /** The factor this dimension informs most (datasets with factors). */
  factor?: string;
  /** MI(z_j; factor) / H(factor), in [0, 1]. */
  mi?: number;
  active: boolean;
  /** Triplet-VAE runs: the query whose subspace holds the dimension, or "unsupervised". */
  group?: string;
  /** Active rows: the swept values, [seed][column]. */
  values?: number[][];
}

/** The decoded traversal images. */
export interface TraversalFrames {
  imageShape: [number, number, number];
  /** Active dimensions, in picture order (one row each). */
  dimensions: number[];
  /** Dataset indices of the seed images. */
  seeds: number[];
  columns: number;
  /** [dimensions][seeds][columns] images, HWC floats in [0, 1]. */
  images: Float32Array;
  /** [seeds] the seed images themselves. */
  seedImages: Float32Array;
}

export interface TraversalFigure {
  svg: string;
  width: number;
  height: number;
  /** Every dimension: active rows in picture order, then the inactive ones. */
  rows: TraversalRow[];
  frames: TraversalFrames;
  /** Side of one image cell in the SVG, pixels (>= 48). */
  cellSize: number;
  /** Images the KL and MI were computed over, and how many of them were held out. */
  sample: { count: number; heldOut: number };
}

/** What a traversal needs from a run (src/run/trained-run.ts loads one). */
export type TraversalRun = Pick<TrainedRun, "config" | "dataset" | "model" | "params" | "masks"> &
  Partial<Pick<TrainedRun, "step">>;

// ---------------------------------------------------------------------------------------------
// Quantiles of the priors' families.

/**
 * Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error
 * below 1.15e-9 over (0, 1); P. J. Acklam, "An algorithm for computing the inverse normal
 * cumulative distribution function", 2003).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    throw new RangeError(`normalQuantile: p = ${p}, expected a probability`);
  }
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
    -3.066479806614716e1, 2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    const x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < low ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** Φ(x), the standard normal CDF (erfc by Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function normalCdf(x: number): number {
  const coefficients = [
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398,
    1.48851587, -0.82215223, 0.17087277,
  ];
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  let poly = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) poly = poly * t + coefficients[i];
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** The Laplace(loc, b) quantile: loc - b·sign(p - ½)·ln(1 - 2|p - ½|). */
export function laplaceQuantile(p: number, loc = 0, scale = 1): number {
  const q = p - 0.5;
  return loc - scale * Math.sign(q) * Math.log(1 - 2 * Math.abs(q));
}

/** Prior draws per dimension for the quantiles of a family without a closed-form quantile. */
const QUANTILE_DRAWS = 20_000;

/**
 * Per-dimension quantiles `ps` of a prior over `d` dimensions (of each dimension's marginal):
 * exact for the normal and Laplace families, otherwise the empirical quantiles of
 * QUANTILE_DRAWS draws seeded 0 (the Student-t prior, the stick-breaking prior's Beta, a
 * learned mixture). One [Z] array per p. Consumes `prior`.
 */
export async function priorQuantiles(
  prior: Distribution,
  ps: number[],
  d: number,
): Promise<Float64Array[]> {
  if (prior.family === "normal") {
    const { mu, logvar } = prior.params;
    const [m, v] = [(await mu.data()) as Float32Array, (await logvar.data()) as Float32Array];
    return ps.map((p) =>
      Float64Array.from(m, (mean, j) => mean + Math.exp(v[j] / 2) * normalQuantile(p)),
    );
  }
  if (prior.family === "laplace") {
    const { loc, logscale } = prior.params;
    const [l, s] = [(await loc.data()) as Float32Array, (await logscale.data()) as Float32Array];
    return ps.map((p) =>
      Float64Array.from(l, (mean, j) => laplaceQuantile(p, mean, Math.exp(s[j]))),
    );
  }
  const draws = (await prior.sample(keyFromSeed(0), [QUANTILE_DRAWS, d]).data()) as Float32Array;
  const columns = Array.from({ length: d }, (_, j) =>
    Float64Array.from({ length: QUANTILE_DRAWS }, (_, i) => draws[i * d + j]).sort(),
  );
  return ps.map((p) =>
    Float64Array.from(columns, (column) => column[Math.round(p * (QUANTILE_DRAWS - 1))]),
  );
}

// ---------------------------------------------------------------------------------------------
// Statistics over the sample.

/** Up to `count` images: held-out ones first (seeded draw), topped up from training images. */
function sampleIndices(run: TraversalRun, count: number, seed: number) {
  const { validation, train } = runSplit(run.config, run.dataset);
  const rng = new Rng(seed, 0x7a7e);
  const pick = (pool: Int32Array, n: number) => {
    const order = permutation(pool.length, rng);
    return Array.from(order.subarray(0, Math.min(n, pool.length)), (i) => pool[i]);
  };
  const heldOut = pick(validation, count);
  const rest = pick(train, count - heldOut.length);
  return { indices: Int32Array.from([...heldOut, ...rest].sort((a, b) => a - b)), heldOut };
}

/** For each dimension, the factor with the largest MI(z_j; v_k) / H(v_k), and that value. */
export function informedFactors(
  dataset: Dataset,
  indices: Int32Array,
  mu: Float32Array,
  d: number,
): { factor: string; mi: number }[] | undefined {
  const factors = factorMatrix(dataset, indices);
  if (factors === undefined || indices.length < 2) return undefined;
  const result = migDlib({ data: mu, count: indices.length, dims: d }, factors, {
    numTrain: indices.length,
  });
  if (result.factors.length === 0) return undefined;
  return Array.from({ length: d }, (_, j) => {
    let best = { factor: "", mi: -1 };
    result.factors.forEach((factor, f) => {
      const mi = result.mutualInformation[f][j] / result.factorEntropies[f];
      if (mi > best.mi) best = { factor: dataset.factors[factor].name, mi };
    });
    return best;
  });
}

/** Percentile q (0-100) of sorted values, linear interpolation. */
function percentile(sorted: Float64Array, q: number): number {
  const at = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

// ---------------------------------------------------------------------------------------------
// Grouping (triplet VAE) and ordering.

export interface DimensionGroup {
  /** Header text, or undefined for an ungrouped run. */
  header?: string;
  name?: string;
  dims: number[];
}

/** Triplet runs: dimension j belongs to the query with the largest mask weight (if >= 0.5). */
export function groupsOf(run: TraversalRun, d: number): DimensionGroup[] {
  const masks = run.masks;
  if (!masks) return [{ dims: Array.from({ length: d }, (_, j) => j) }];
  const owner = Array.from({ length: d }, (_, j) => {
    let best = -1;
    let weight = 0.5;
    for (let q = 0; q < masks.queries; q++) {
      const w = masks.data[q * masks.dims + j];
      if (w >= weight) [best, weight] = [q, w];
    }
    return best;
  });
  const groups: DimensionGroup[] = masks.names.map((name, q) => {
    const dims = owner.flatMap((o, j) => (o === q ? [j] : []));
    return {
      name,
      dims,
      header: `${name} subspace: ${dims.map((j) => `z${j}`).join(", ") || "none"}`,
    };
  });
  const rest = owner.flatMap((o, j) => (o < 0 ? [j] : []));
  if (rest.length > 0) {
    groups.push({
      name: "unsupervised",
      dims: rest,
      header: `unsupervised: ${rest.map((j) => `z${j}`).join(", ")}`,
    });
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Decoding.

/** Decodes latents [n, d] in fixed-size batches with one jitted decoder (padded last batch). */
async function decodeAll(
  run: TraversalRun,
  latents: Float32Array,
  n: number,
  d: number,
  batchSize: number,
): Promise<Float32Array> {
  const [h, w, c] = run.dataset.imageShape;
  const pixels = h * w * c;
  const out = new Float32Array(n * pixels);
  if (n === 0) return out;
  const b = Math.max(1, Math.min(batchSize, n));
  const decode = jit((params: DecoderParams, z: JaxArray) =>
    np.clip(run.model.decodeMean(params, z), 0, 1),
  );
  const batch = new Float32Array(b * d);
  try {
    for (let start = 0; start < n; start += b) {
      const filled = Math.min(b, n - start);
      for (let i = 0; i < b; i++) {
        const row = start + Math.min(i, filled - 1);
        batch.set(latents.subarray(row * d, (row + 1) * d), i * d);
      }
      const decoder = tree.ref(run.params.decoder);
      const images = (await decode(
        decoder,
        np.array(batch, { shape: [b, d] }),
      ).data()) as Float32Array;
      out.set(images.subarray(0, filled * pixels), start * pixels);
    }
  } finally {
    decode.dispose();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The figure.

const FONT = 12;
const GAP = 2;
const BLOCK_GAP = 18;
const MARGIN = 12;
const LABEL_WIDTH = 190;

/** 2 -> "2nd", 98 -> "98th". */
function ordinal(n: number): string {
  const teen = Math.floor(n / 10) % 10 === 1;
  const suffix = teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10];
  return `${n}${suffix ?? "th"}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatValue(v: number): string {
  return (Math.abs(v) < 0.005 ? 0 : v).toFixed(2).replace("-", "−");
}

function rangeText(
  range: TraversalRange,
  options: Required<Pick<TraversalOptions, "priorRadius" | "posteriorRadius" | "percentiles">>,
  priorFamily: string,
  p: number,
): string {
  if (range === "prior") {
    return priorFamily === "normal"
      ? `each row sweeps ±${options.priorRadius} prior standard deviations`
      : `each row sweeps the prior's central ${(100 * (2 * p - 1)).toFixed(1)}% (the mass of ±${options.priorRadius}σ of a normal)`;
  }
  if (range === "posterior") {
    return `each row sweeps ±${options.posteriorRadius}σ of q(z|x) around the seed image's code`;
  }
  return `each row sweeps the ${ordinal(options.percentiles[0])}–${ordinal(options.percentiles[1])} percentile of the sample's codes`;
}

/**
 * Computes the traversal of `run` and draws it. Borrows the run's parameters (does not
 * consume them).
 */
export async function traversalFigure(
  run: TraversalRun,
  options: TraversalOptions = {},
): Promise<TraversalFigure> {
  const range = options.range ?? "prior";
  if (!TRAVERSAL_RANGES.includes(range)) {
    throw new RangeError(
      `range ${JSON.stringify(range)}: expected one of ${TRAVERSAL_RANGES.join(", ")}`,
    );
  }
  const columns = options.columns ?? 9;
  const seedCount = options.seeds ?? 3;
  const sampleSize = options.rows ?? 2000;
  for (const [name, v, min] of [
    ["columns", columns, 2],
    ["seeds", seedCount, 1],
    ["rows", sampleSize, 2],
  ] as const) {
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(`${name} is ${v}, expected a whole number >= ${min}`);
    }
  }
  const priorRadius = options.priorRadius ?? 2;
  const posteriorRadius = options.posteriorRadius ?? 3;
  const percentiles = options.percentiles ?? [2, 98];
  const seed = options.seed ?? 0;
  const { dataset, model } = run;
  const d = model.architecture.config.latentDim;
  const shape = dataset.imageShape;
  const pixels = shape[0] * shape[1] * shape[2];

  // The sample: KL, MI and (empirical range) percentiles.
  const { indices, heldOut } = sampleIndices(run, sampleSize, seed);
  const encoded = await encodeDataset(model, run.params.encoder, dataset, indices);
  const prior = model.trainedPrior(run.params);
  const { klPerDim: kl } = await meanKlPerDimension(encoded, prior);
  const informs = informedFactors(dataset, indices, encoded.mu, d);

  // Seed images: given, or drawn from the held-out part of the sample (else any of it).
  const seedPool = heldOut.length >= seedCount ? Int32Array.from(heldOut) : indices;
  const seeds =
    options.seedIndices ??
    Array.from(
      permutation(seedPool.length, new Rng(seed, 0x5eed)).subarray(0, seedCount),
      (i) => seedPool[i],
    );
  for (const s of seeds) {
    if (!Number.isInteger(s) || s < 0 || s >= dataset.count) {
      throw new RangeError(`seed image ${s} is outside [0, ${dataset.count})`);
    }
  }
  const seedCodes = await encodeDataset(model, run.params.encoder, dataset, seeds);

  // Rows in picture order.
  const groups = groupsOf(run, d);
  const rows: TraversalRow[] = [];
  const inactive: TraversalRow[] = [];
  const groupOfRow: (DimensionGroup | undefined)[] = [];
  for (const group of groups) {
    const sorted = [...group.dims].sort((a, b) => kl[b] - kl[a]);
    for (const j of sorted) {
      const row: TraversalRow = { dimension: j, kl: kl[j], active: kl[j] >= INACTIVE_KL };
      if (informs) Object.assign(row, informs[j]);
      if (group.name) row.group = group.name;
      if (row.active) {
        rows.push(row);
        groupOfRow.push(group);
      } else inactive.push(row);
    }
  }

  // Swept values, [seed][column] per active row.
  const p = normalCdf(priorRadius);
  const [priorLow, priorHigh] =
    range === "prior"
      ? await priorQuantiles(prior.distribution(d), [1 - p, p], d)
      : [undefined, undefined];
  for (const row of rows) {
    const j = row.dimension;
    let shared: number[] | undefined;
    if (range === "prior")
      shared = linspace((priorLow as Float64Array)[j], (priorHigh as Float64Array)[j], columns);
    if (range === "empirical") {
      const values = Float64Array.from(
        { length: encoded.count },
        (_, i) => encoded.mu[i * d + j],
      ).sort();
      shared = linspace(
        percentile(values, percentiles[0]),
        percentile(values, percentiles[1]),
        columns,
      );
    }
    row.values = seeds.map((_, s) => {
      if (shared) return shared;
      const mean = seedCodes.mu[s * d + j];
      const sd = Math.exp(seedCodes.logvar[s * d + j] / 2);
      return linspace(mean - posteriorRadius * sd, mean + posteriorRadius * sd, columns);
    });
  }

  // Decode every cell: [row][seed][column].
  const n = rows.length * seeds.length * columns;
  const latents = new Float32Array(n * d);
  rows.forEach((row, r) => {
    seeds.forEach((_, s) => {
      for (let col = 0; col < columns; col++) {
        const at = ((r * seeds.length + s) * columns + col) * d;
        latents.set(seedCodes.mu.subarray(s * d, (s + 1) * d), at);
        latents[at + row.dimension] = (row.values as number[][])[s][col];
      }
    });
  });
  const images = await decodeAll(run, latents, n, d, options.batchSize ?? 64);
  const seedImages = dataset.readBatch(seeds);
  const frames: TraversalFrames = {
    imageShape: shape,
    dimensions: rows.map((r) => r.dimension),
    seeds: [...seeds],
    columns,
    images,
    seedImages,
  };

  // Layout.
  const cell = cellSizeFor(shape);
  const blockWidth = columns * cell + (columns - 1) * GAP;
  const gridLeft = MARGIN + LABEL_WIDTH;
  const priorName = model.prior.name;
  const sampleText =
    heldOut.length === indices.length
      ? `${indices.length} held-out images`
      : `${indices.length} images (${heldOut.length} held out)`;
  const step = run.step === undefined ? "" : `, step ${run.step}`;
  const title = options.title ?? `Latent traversals: ${run.config.model} on ${dataset.name}${step}`;
  const caption = [
    `${capitalise(rangeText(range, { priorRadius, posteriorRadius, percentiles }, priorName, p))}; the other dimensions stay at the seed image's posterior mean.`,
    `Rows: the active dimensions, by mean KL(q(z_j|x) || p(z_j)) over ${sampleText}, ${priorName} prior.`,
  ];
  if (informs) {
    caption.push(
      "MI/H: the factor a dimension informs most, with their mutual information over the factor's entropy (as in MIG).",
    );
  }
  const inactiveText =
    inactive.length === 0
      ? ""
      : `${inactive
          .map((row) => row.dimension)
          .sort((a, b) => a - b)
          .map((j) => `z${j}`)
          .join(", ")} inactive (KL < ${INACTIVE_KL} nats)`;
  const width = Math.ceil(
    Math.max(
      gridLeft + seeds.length * blockWidth + (seeds.length - 1) * BLOCK_GAP + MARGIN,
      2 * MARGIN + textWidth(title, 16, true),
      2 * MARGIN + Math.max(...caption.map((line) => textWidth(line, FONT))),
      2 * MARGIN + Math.max(0, ...groups.map((g) => textWidth(g.header ?? "", 13, true))),
      2 * MARGIN + textWidth(inactiveText, 13),
    ),
  );
  const body: string[] = [];
  let y = MARGIN;
  body.push(svgText(MARGIN, y + 16, title, { size: 16, weight: "bold" }));
  y += 24;
  for (const line of caption) {
    body.push(svgText(MARGIN, y + 13, line, { size: FONT, fill: "#333333" }));
    y += 17;
  }
  y += 9;

  // Seed images above their blocks.
  const blockX = (s: number) => gridLeft + s * (blockWidth + BLOCK_GAP);
  seeds.forEach((index, s) => {
    const x = blockX(s) + (blockWidth - cell) / 2;
    body.push(
      svgText(blockX(s) + blockWidth / 2, y + 12, `seed image #${index}`, {
        size: FONT,
        anchor: "middle",
        weight: "bold",
      }),
    );
    body.push(
      svgImage(seedImages.subarray(s * pixels, (s + 1) * pixels), shape, x, y + 18, cell, cell),
    );
    body.push(
      `<rect x="${x - 1}" y="${y + 17}" width="${cell + 2}" height="${cell + 2}" fill="none" stroke="#888888"/>`,
    );
  });
  y += 18 + cell + 12;
  if (rows.length > 0 && range !== "posterior") {
    // Sweep direction above the first block row.
    seeds.forEach((_, s) => {
      body.push(svgText(blockX(s), y + 10, "low", { size: 10, fill: "#555555" }));
      body.push(
        svgText(blockX(s) + blockWidth, y + 10, "high", {
          size: 10,
          fill: "#555555",
          anchor: "end",
        }),
      );
      body.push(
        `<line x1="${blockX(s) + 26}" y1="${y + 6}" x2="${blockX(s) + blockWidth - 30}" y2="${y + 6}" stroke="#999999" marker-end="url(#arrow)"/>`,
      );
    });
    y += 16;
  }

  let lastGroup: DimensionGroup | undefined;
  const drawnGroups = new Set<DimensionGroup>();
  const header = (group: DimensionGroup) => {
    body.push(
      svgText(MARGIN, y + 15, group.header as string, {
        size: 13,
        weight: "bold",
        fill: "#1f4e79",
      }),
    );
    body.push(
      `<line x1="${MARGIN}" y1="${y + 20}" x2="${width - MARGIN}" y2="${y + 20}" stroke="#1f4e79" stroke-width="1"/>`,
    );
    y += 26;
    drawnGroups.add(group);
  };
  rows.forEach((row, r) => {
    const group = groupOfRow[r];
    if (group?.header && group !== lastGroup) header(group);
    lastGroup = group;
    const values = row.values as number[][];
    const textY = y + Math.max(14, (cell - 42) / 2 + 12);
    body.push(svgText(MARGIN, textY, `z${row.dimension}`, { size: 14, weight: "bold" }));
    body.push(svgText(MARGIN + 38, textY, `KL ${row.kl.toFixed(2)} nats`, { size: FONT }));
    if (row.factor !== undefined && row.mi !== undefined) {
      body.push(
        svgText(MARGIN + 38, textY + 15, `${row.factor}: MI/H ${row.mi.toFixed(2)}`, {
          size: FONT,
          fill: "#333333",
        }),
      );
    }
    const sweep =
      range === "posterior"
        ? `±${posteriorRadius}σ of q(z${row.dimension}|x)`
        : `${formatValue(values[0][0])} … ${formatValue(values[0][columns - 1])}`;
    body.push(svgText(MARGIN + 38, textY + 30, sweep, { size: 11, fill: "#666666" }));
    seeds.forEach((_, s) => {
      for (let col = 0; col < columns; col++) {
        const at = ((r * seeds.length + s) * columns + col) * pixels;
        body.push(
          svgImage(
            images.subarray(at, at + pixels),
            shape,
            blockX(s) + col * (cell + GAP),
            y,
            cell,
            cell,
          ),
        );
      }
    });
    y += cell + GAP + (r + 1 < rows.length && groupOfRow[r + 1] !== group ? 10 : 0);
  });
  // Query subspaces with no active dimension still get their header.
  for (const group of groups) if (group.header && !drawnGroups.has(group)) header(group);
  if (rows.length === 0) {
    body.push(
      svgText(MARGIN, y + 16, "no active dimension: every KL is below 0.01 nats", { size: 13 }),
    );
    y += 24;
  }
  if (inactive.length > 0) {
    y += 8;
    body.push(svgText(MARGIN, y + 14, inactiveText, { size: 13, fill: "#555555" }));
    y += 22;
  }
  const height = Math.ceil(y + MARGIN);
  const defs =
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#999999"/></marker></defs>';
  return {
    svg: svgDocument(width, height, [defs, ...body]),
    width,
    height,
    rows: [...rows, ...inactive.sort((a, b) => a.dimension - b.dimension)],
    frames,
    cellSize: cell,
    sample: { count: indices.length, heldOut: heldOut.length },
  };
}

// ---------------------------------------------------------------------------------------------
// The animated GIF.

interface GifencApi {
  GIFEncoder(): {
    writeFrame(
      index: Uint8Array,
      width: number,
      height: number,
      options?: { palette?: number[][]; delay?: number; repeat?: number },
    ): void;
    finish(): void;
    bytes(): Uint8Array;
  };
  quantize(rgba: Uint8Array, maxColors: number): number[][];
  applyPalette(rgba: Uint8Array, palette: number[][]): Uint8Array;
}

/** gifenc's API: its named exports under a bundler, its CommonJS `module.exports` under Node. */
function gifenc(): GifencApi {
  const ns = gifencModule as unknown as Partial<GifencApi> & { default?: GifencApi };
  return typeof ns.GIFEncoder === "function" ? (ns as GifencApi) : (ns.default as GifencApi);
}

/** Pixel glyphs for the GIF's row labels ("z" is 5 wide, so it reads as z, not 2). */
const GLYPHS: Record<string, string[]> = {
  z: ["11111", "00010", "00100", "01000", "11111"],
  "0": ["111", "101", "101", "101", "111"],
  "1": ["010", "110", "010", "010", "111"],
  "2": ["111", "001", "111", "100", "111"],
  "3": ["111", "001", "111", "001", "111"],
  "4": ["101", "101", "111", "001", "001"],
  "5": ["111", "100", "111", "001", "111"],
  "6": ["111", "100", "111", "101", "111"],
  "7": ["111", "001", "001", "001", "001"],
  "8": ["111", "101", "111", "101", "111"],
  "9": ["111", "101", "111", "001", "111"],
};

export interface TraversalGifOptions {
  /** Milliseconds per frame (default 120). */
  delay?: number;
}

/** Frames of the GIF: the sweep's columns forward, then back (ends not repeated). */
export function gifFrameOrder(columns: number): number[] {
  const forward = Array.from({ length: columns }, (_, i) => i);
  return [...forward, ...forward.slice(1, -1).reverse()];
}

/**
 * The traversal as an animated GIF: a top row of seed images, then one row per active
 * dimension (labelled z<j> in a pixel font) and one column per seed image; frame t shows the
 * sweep's value t (forward then back, 2·columns − 2 frames, looping) and a bar at the bottom
 * marks where in the sweep the frame is.
 */
export function traversalGif(
  figure: TraversalFigure,
  options: TraversalGifOptions = {},
): Uint8Array {
  const { frames, cellSize: cell } = figure;
  const [h, w, c] = frames.imageShape;
  const pixels = h * w * c;
  const rows = frames.dimensions.length;
  const seeds = frames.seeds.length;
  const labelScale = Math.max(2, Math.round(cell / 16));
  // Room for "z" (5 columns) and the widest dimension number (3 each), one column apart.
  const digits = String(Math.max(0, ...frames.dimensions)).length;
  const labelWidth = (6 + 4 * digits) * labelScale + 8;
  const pad = 4;
  const barHeight = 6;
  const width = labelWidth + seeds * (cell + pad) + pad;
  const height = pad + (rows + 1) * (cell + pad) + pad + barHeight + pad;
  const rgba = (frame: number) => {
    const out = new Uint8Array(width * height * 4).fill(255);
    const put = (x: number, y: number, r: number, g: number, b: number) => {
      const at = (y * width + x) * 4;
      out[at] = r;
      out[at + 1] = g;
      out[at + 2] = b;
    };
    const blit = (image: Float32Array, x0: number, y0: number) => {
      const scale = Math.floor(cell / Math.max(h, w));
      for (let y = 0; y < h * scale; y++) {
        for (let x = 0; x < w * scale; x++) {
          const src = (Math.floor(y / scale) * w + Math.floor(x / scale)) * c;
          const v = (k: number) =>
            Math.round(Math.min(1, Math.max(0, image[src + (c === 1 ? 0 : k)])) * 255);
          put(x0 + x, y0 + y, v(0), v(1), v(2));
        }
      }
    };
    const label = (text: string, x0: number, y0: number) => {
      let x = x0;
      for (const ch of text) {
        const glyph = GLYPHS[ch] ?? [];
        glyph.forEach((line, gy) => {
          for (let gx = 0; gx < line.length; gx++) {
            if (line[gx] !== "1") continue;
            for (let sy = 0; sy < labelScale; sy++) {
              for (let sx = 0; sx < labelScale; sx++) {
                put(x + gx * labelScale + sx, y0 + gy * labelScale + sy, 17, 17, 17);
              }
            }
          }
        });
        x += ((glyph[0]?.length ?? 3) + 1) * labelScale;
      }
    };
    for (let s = 0; s < seeds; s++) {
      blit(
        frames.seedImages.subarray(s * pixels, (s + 1) * pixels),
        labelWidth + s * (cell + pad),
        pad,
      );
    }
    for (let r = 0; r < rows; r++) {
      const y0 = pad + (r + 1) * (cell + pad);
      label(`z${frames.dimensions[r]}`, pad, y0 + Math.floor((cell - 5 * labelScale) / 2));
      for (let s = 0; s < seeds; s++) {
        const at = ((r * seeds + s) * frames.columns + frame) * pixels;
        blit(frames.images.subarray(at, at + pixels), labelWidth + s * (cell + pad), y0);
      }
    }
    // Sweep position: a gray track with a dark marker.
    const barY = height - pad - barHeight;
    const trackX = labelWidth;
    const trackWidth = width - pad - labelWidth;
    const markerWidth = Math.max(4, Math.round(trackWidth / frames.columns));
    const markerX =
      trackX + Math.round(((trackWidth - markerWidth) * frame) / Math.max(1, frames.columns - 1));
    for (let y = barY; y < barY + barHeight; y++) {
      for (let x = trackX; x < trackX + trackWidth; x++) {
        const on = x >= markerX && x < markerX + markerWidth;
        put(x, y, on ? 31 : 210, on ? 78 : 210, on ? 121 : 210);
      }
    }
    return out;
  };
  const { GIFEncoder, quantize, applyPalette } = gifenc();
  const order = gifFrameOrder(frames.columns);
  const images = order.map(rgba);
  const all = new Uint8Array(images.length * width * height * 4);
  images.forEach((image, i) => {
    all.set(image, i * image.length);
  });
  const palette = quantize(all, 256);
  const gif = GIFEncoder();
  images.forEach((image, i) => {
    gif.writeFrame(applyPalette(image, palette), width, height, {
      palette: i === 0 ? palette : undefined,
      delay: options.delay ?? 120,
      repeat: 0,
    });
  });
  gif.finish();
  return gif.bytes();
}
