/**
 * Triplets from similarity queries, for the oracle-constrained VAE (Karaletsos, Belongie and
 * Raetsch, "Bayesian Representation Learning with Oracle Constraints", ICLR 2016, Sec. 3):
 * a triplet (A, B, C) says "A is more similar to B than to C" under one notion of
 * similarity (a query).
 *
 * - Categorical query (factors all categorical, e.g. identity; shape + color): A and B agree
 *   on every listed factor, A and C differ on at least one. Drawn exactly uniformly: A among
 *   images with a partner, B among A's partners, C among the images that differ.
 * - Continuous query (factors all continuous, e.g. azimuth): d(A,B) + margin < d(A,C), with
 *   d = |a - b| for one factor, or the Euclidean distance of values divided by each factor's
 *   range (max - min) for several (the margin is then in range units). Drawn by picking A,
 *   then two others at random and ordering them; pairs within the margin are redrawn.
 *
 * Sampling is a pure function of (seed, step), so a resumed run draws the same triplets.
 */
import { type Dataset, factorIndex } from "./dataset.ts";
import { Rng } from "./random.ts";

export interface TripletQuery {
  /** Display name (default: the factor names joined by "+"). */
  name?: string;
  factors: string[];
  /** Continuous queries: required gap between d(A,B) and d(A,C) (default 0). */
  margin?: number;
}

export interface TripletSamplerOptions {
  seed: number;
  /** Images to draw from (default: all). */
  indices?: ArrayLike<number>;
  /** Images with these values of `factor` are left out of the pool (kept for evaluation). */
  holdOut?: { factor: string; values: number[] };
}

export interface Triplets {
  /** Index into the sampler's queries, per triplet. */
  query: Int32Array;
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
}

interface CategoricalPlan {
  kind: "categorical";
  /** Pool images sorted by their key; groups are contiguous ranges. */
  order: Int32Array;
  groupStart: Int32Array;
  groupEnd: Int32Array;
  /** Positions in `order` that have a partner and a non-partner. */
  anchors: Int32Array;
}

interface ContinuousPlan {
  kind: "continuous";
  /** [pool.length * factors] scaled values. */
  points: Float64Array;
  dims: number;
  margin: number;
}

const MAX_TRIES = 1000;

/**
 * Draws triplets (A, B, C), "A is more like B than like C" under one query, from a dataset's
 * factors (Karaletsos et al. 2016, Sec. 3), seeded, optionally keeping some factor values out.
 */
export class TripletSampler {
  /** Images the triplets are drawn from. */
  readonly pool: Int32Array;
  /** Images left out by `holdOut` (empty without it). */
  readonly heldOut: Int32Array;
  readonly queryNames: string[];
  private readonly plans: (CategoricalPlan | ContinuousPlan)[];
  private readonly seed: number;

  constructor(
    readonly dataset: Dataset,
    queries: TripletQuery[],
    options: TripletSamplerOptions,
  ) {
    if (queries.length === 0) throw new Error("triplet sampler needs at least one query");
    const values = dataset.factorValues;
    const indices = dataset.factorIndices;
    if (values === undefined || indices === undefined) {
      throw new Error(`${dataset.name} has no factor values to build triplets from`);
    }
    this.seed = options.seed;
    const k = dataset.factors.length;
    const candidates = options.indices ?? Int32Array.from({ length: dataset.count }, (_, i) => i);
    const pool: number[] = [];
    const heldOut: number[] = [];
    const hold = options.holdOut;
    const holdFactor = hold === undefined ? -1 : factorIndex(dataset, hold.factor);
    const holdValues = new Set(hold?.values.map(Math.fround) ?? []);
    for (let i = 0; i < candidates.length; i++) {
      const image = candidates[i];
      (holdFactor >= 0 && holdValues.has(values[image * k + holdFactor]) ? heldOut : pool).push(
        image,
      );
    }
    this.pool = Int32Array.from(pool);
    this.heldOut = Int32Array.from(heldOut);
    this.queryNames = queries.map((q) => q.name ?? q.factors.join("+"));
    this.plans = queries.map((query, q) => {
      const name = this.queryNames[q];
      if (query.factors.length === 0) throw new Error(`query '${name}' names no factors`);
      const fs = query.factors.map((f) => factorIndex(dataset, f));
      const kinds = new Set(fs.map((f) => dataset.factors[f].kind));
      if (kinds.size > 1) {
        throw new Error(
          `query '${name}' mixes categorical and continuous factors; use one kind per query`,
        );
      }
      if (kinds.has("categorical")) return this.planCategorical(name, fs, indices, k);
      const margin = query.margin ?? 0;
      if (!(margin >= 0)) throw new Error(`query '${name}': margin must be >= 0, got ${margin}`);
      const dims = fs.length;
      const points = new Float64Array(this.pool.length * dims);
      fs.forEach((f, d) => {
        const levels = dataset.factors[f].values;
        const range = dims === 1 ? 1 : levels[levels.length - 1] - levels[0] || 1;
        for (let i = 0; i < this.pool.length; i++)
          points[i * dims + d] = values[this.pool[i] * k + f] / range;
      });
      if (this.pool.length < 3) throw new Error(`query '${name}': fewer than 3 images in the pool`);
      return { kind: "continuous", points, dims, margin } satisfies ContinuousPlan;
    });
  }

  private planCategorical(
    name: string,
    fs: number[],
    indices: Int32Array,
    k: number,
  ): CategoricalPlan {
    const n = this.pool.length;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let key = 0;
      for (const f of fs)
        key = key * this.dataset.factors[f].values.length + indices[this.pool[i] * k + f];
      keys[i] = key;
    }
    const order = Int32Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => keys[a] - keys[b] || a - b,
    );
    const groupStart = new Int32Array(n);
    const groupEnd = new Int32Array(n);
    const anchors: number[] = [];
    for (let s = 0; s < n; ) {
      let e = s + 1;
      while (e < n && keys[order[e]] === keys[order[s]]) e++;
      for (let p = s; p < e; p++) {
        groupStart[p] = s;
        groupEnd[p] = e;
        if (e - s >= 2 && e - s < n) anchors.push(p);
      }
      s = e;
    }
    if (anchors.length === 0) {
      throw new Error(
        `query '${name}': no valid triplets (no two images agree, or none differ, on ${name})`,
      );
    }
    for (let p = 0; p < n; p++) order[p] = this.pool[order[p]];
    return { kind: "categorical", order, groupStart, groupEnd, anchors: Int32Array.from(anchors) };
  }

  /**
   * `n` triplets for training step `step` (a pure function of seed and step). With `query`,
   * all come from that query; otherwise queries take turns.
   */
  sample(n: number, step: number, query?: number): Triplets {
    if (query !== undefined && !(query >= 0 && query < this.plans.length)) {
      throw new RangeError(`query ${query} outside [0, ${this.plans.length})`);
    }
    const rng = new Rng(this.seed, 0x7219, step);
    const out: Triplets = {
      query: new Int32Array(n),
      anchor: new Int32Array(n),
      positive: new Int32Array(n),
      negative: new Int32Array(n),
    };
    for (let t = 0; t < n; t++) {
      const q = query ?? (step * n + t) % this.plans.length;
      const plan = this.plans[q];
      out.query[t] = q;
      if (plan.kind === "categorical") {
        const { order, groupStart, groupEnd, anchors } = plan;
        const a = anchors[rng.nextInt(anchors.length)];
        const s = groupStart[a];
        const e = groupEnd[a];
        let b = s + rng.nextInt(e - s - 1);
        if (b >= a) b++;
        let c = rng.nextInt(order.length - (e - s));
        if (c >= s) c += e - s;
        out.anchor[t] = order[a];
        out.positive[t] = order[b];
        out.negative[t] = order[c];
      } else {
        const [a, b, c] = this.drawContinuous(plan, rng, q);
        out.anchor[t] = this.pool[a];
        out.positive[t] = this.pool[b];
        out.negative[t] = this.pool[c];
      }
    }
    return out;
  }

  private drawContinuous(plan: ContinuousPlan, rng: Rng, q: number): [number, number, number] {
    const n = this.pool.length;
    const { points, dims, margin } = plan;
    const distance = (i: number, j: number) => {
      let sum = 0;
      for (let d = 0; d < dims; d++) sum += (points[i * dims + d] - points[j * dims + d]) ** 2;
      return Math.sqrt(sum);
    };
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const a = rng.nextInt(n);
      let b = rng.nextInt(n - 1);
      if (b >= a) b++;
      let c = rng.nextInt(n - 1);
      if (c >= a) c++;
      if (b === c) continue;
      const ab = distance(a, b);
      const ac = distance(a, c);
      if (ab + margin < ac) return [a, b, c];
      if (ac + margin < ab) return [a, c, b];
    }
    throw new Error(
      `query '${this.queryNames[q]}': no valid triplet in ${MAX_TRIES} draws (margin ${margin} too large, or all values equal?)`,
    );
  }
}
