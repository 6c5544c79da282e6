/**
 * Triplet accuracy of a representation (Karaletsos, Belongie & Rätsch 2016, Sec. 5, Table 1;
 * Veit et al. 2017, Sec. 4): the fraction of held-out triplets (i, j, k) under query Q with
 * d(i, j) < d(i, k) (ties count half), where d is the divergence's masked distance between
 * posteriors q(z | x) under a mask. Reported per query, in every query's subspace (the
 * matrix `cross`, whose diagonal is each query's own subspace) and in the full latent space
 * (every dimension weight 1). A subspace that captures only its own notion of similarity
 * scores near 1 on its query and near chance (0.5) on unrelated queries.
 *
 * A per-dimension divergence (d = Σ_h m_h D_h) is computed once per triplet pair with jax (in
 * chunks), then weighted by every mask in float64. A joint one (jensen-shannon-joint) is
 * evaluated in its masked form once per mask; a Monte Carlo divergence reuses one noise draw
 * per chunk and pair across all masks.
 */
import type { Divergence } from "../distributions/divergences/divergence.ts";
import { type Array as JaxArray, numpy as np, random } from "../engine/jax.ts";
import { splitKey } from "../engine/prng.ts";

/** Posterior means and log-variances of `count` items, row-major [count, dims]. */
export interface PosteriorMatrix {
  mu: Float32Array | Float64Array;
  logvar: Float32Array | Float64Array;
  count: number;
  dims: number;
}

/** T triplets as rows of a {@link PosteriorMatrix}, with each triplet's query index. */
export interface TripletIndexSet {
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
  query: Int32Array;
}

/** Row-major [queries, dims] non-negative mask weights. */
export interface MaskMatrix {
  data: ArrayLike<number>;
  queries: number;
  dims: number;
}

export interface TripletAccuracyReport {
  /** Triplets per query. */
  counts: number[];
  /** cross[q][r]: accuracy of query q's triplets under mask r (NaN for a query without triplets). */
  cross: number[][];
  /** subspace[q] = cross[q][q]. */
  subspace: number[];
  /** Accuracy of query q's triplets with every dimension weighted 1. */
  full: number[];
}

export interface TripletAccuracyOptions {
  /** PRNG key for a Monte Carlo divergence's noise (required for one, refused otherwise). */
  key?: JaxArray;
  /** Triplets per jax evaluation (default 4096). */
  chunkSize?: number;
}

function checkInputs(
  posteriors: PosteriorMatrix,
  triplets: TripletIndexSet,
  masks: MaskMatrix,
): void {
  const { count, dims } = posteriors;
  for (const field of ["mu", "logvar"] as const) {
    if (posteriors[field].length !== count * dims) {
      throw new RangeError(
        `triplet accuracy: posteriors.${field} holds ${posteriors[field].length} values, expected count*dims = ${count}*${dims}`,
      );
    }
  }
  if (masks.dims !== dims || masks.data.length !== masks.queries * dims) {
    throw new RangeError(
      `triplet accuracy: masks are [${masks.queries}, ${masks.dims}] with ${masks.data.length} values, expected [queries, ${dims}]`,
    );
  }
  const t = triplets.anchor.length;
  for (const field of ["anchor", "positive", "negative", "query"] as const) {
    const column = triplets[field];
    if (column.length !== t) {
      throw new RangeError(
        `triplet accuracy: triplets.${field} has ${column.length} entries, expected ${t}`,
      );
    }
    const limit = field === "query" ? masks.queries : count;
    for (let i = 0; i < t; i++) {
      if (!(column[i] >= 0 && column[i] < limit)) {
        throw new RangeError(
          `triplet accuracy: triplets.${field}[${i}] is ${column[i]}, expected an index in [0, ${limit})`,
        );
      }
    }
  }
}

/** Rows `rows` of a [*, dims] matrix, as a float32 jax array [rows.length, dims]. */
function gather(data: Float32Array | Float64Array, dims: number, rows: Int32Array): JaxArray {
  const out = new Float32Array(rows.length * dims);
  for (let i = 0; i < rows.length; i++)
    out.set(data.subarray(rows[i] * dims, (rows[i] + 1) * dims), i * dims);
  return np.array(out).reshape([rows.length, dims]);
}

/** Accuracy of every query's triplets under every mask and under the all-ones mask. */
export async function tripletAccuracy(
  posteriors: PosteriorMatrix,
  triplets: TripletIndexSet,
  masks: MaskMatrix,
  divergence: Divergence,
  options: TripletAccuracyOptions = {},
): Promise<TripletAccuracyReport> {
  checkInputs(posteriors, triplets, masks);
  const { dims } = posteriors;
  const { queries } = masks;
  const chunkSize = options.chunkSize ?? 4096;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(
      `triplet accuracy: chunkSize is ${chunkSize}, expected a whole number >= 1`,
    );
  }
  const stochastic = divergence.noiseShape([1, dims]) !== null;
  if (stochastic !== (options.key !== undefined)) {
    options.key?.dispose();
    throw new Error(
      stochastic
        ? `triplet accuracy: divergence ${divergence.config.name} (monte-carlo) needs options.key for its noise`
        : `triplet accuracy: divergence ${divergence.config.name} is deterministic and takes no key`,
    );
  }
  let key = options.key;
  const total = triplets.anchor.length;
  // right[q][r] counts query q's triplets ranked right under mask r (r = queries: all ones).
  const right = Array.from({ length: queries }, () => new Float64Array(queries + 1));
  const counts = new Array<number>(queries).fill(0);
  const side = (rows: Int32Array) => ({
    mu: gather(posteriors.mu, dims, rows),
    logvar: gather(posteriors.logvar, dims, rows),
  });
  for (let start = 0; start < total; start += chunkSize) {
    const end = Math.min(total, start + chunkSize);
    const rows = (field: "anchor" | "positive" | "negative") =>
      triplets[field].subarray(start, end);
    const noise = (): JaxArray | undefined => {
      if (key === undefined) return undefined;
      const [next, sub] = splitKey(key, 2);
      key = next;
      return random.normal(sub, divergence.noiseShape([end - start, dims]) as number[]);
    };
    const count = end - start;
    // distances[r]: d(i, j) and d(i, k) of this chunk's triplets under mask r (r = queries: all ones).
    const distances: { positive: ArrayLike<number>; negative: ArrayLike<number> }[] = [];
    if (divergence.kind === "per-dimension") {
      const dPositive = await divergence
        .evaluate(side(rows("anchor")), side(rows("positive")), noise())
        .data();
      const dNegative = await divergence
        .evaluate(side(rows("anchor")), side(rows("negative")), noise())
        .data();
      for (let r = 0; r <= queries; r++) {
        const positive = new Float64Array(count);
        const negative = new Float64Array(count);
        for (let t = 0; t < count; t++) {
          for (let h = 0; h < dims; h++) {
            const m = r === queries ? 1 : masks.data[r * dims + h];
            positive[t] += m * dPositive[t * dims + h];
            negative[t] += m * dNegative[t * dims + h];
          }
        }
        distances.push({ positive, negative });
      }
    } else {
      const noisePositive = noise();
      const noiseNegative = noise();
      for (let r = 0; r <= queries; r++) {
        const row = Float32Array.from({ length: dims }, (_, h) =>
          r === queries ? 1 : masks.data[r * dims + h],
        );
        const maskRows = () => np.tile(np.array(row), [count, 1]);
        const positive = await divergence
          .masked(side(rows("anchor")), side(rows("positive")), maskRows(), noisePositive?.ref)
          .data();
        const negative = await divergence
          .masked(side(rows("anchor")), side(rows("negative")), maskRows(), noiseNegative?.ref)
          .data();
        distances.push({ positive, negative });
      }
      noisePositive?.dispose();
      noiseNegative?.dispose();
    }
    for (let t = 0; t < count; t++) {
      const q = triplets.query[start + t];
      counts[q]++;
      for (let r = 0; r <= queries; r++) {
        const positive = distances[r].positive[t];
        const negative = distances[r].negative[t];
        right[q][r] += positive < negative ? 1 : positive === negative ? 0.5 : 0;
      }
    }
  }
  key?.dispose();
  const cross = right.map((row, q) => Array.from(row.subarray(0, queries), (n) => n / counts[q]));
  return {
    counts,
    cross,
    subspace: cross.map((row, q) => row[q]),
    full: right.map((row, q) => row[queries] / counts[q]),
  };
}
