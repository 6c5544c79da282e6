/**
 * `disentangle eval` as a library: loads nothing itself, takes a trained run, encodes the
 * images the requested metrics need (the whole dataset when it is a factor grid and a metric
 * needs the grid, else a seeded subsample), runs a typed registry of metric runners and
 * returns one JSON-ready report with every metric's options (samples, seeds, bins, protocol),
 * so each number can be reproduced.
 *
 * Defaults (all overridable through {@link EvalOptions}):
 * - encoded subsample (datasets without a grid, or no grid metric asked): 10000 rows, seed 0;
 * - mig (Chen et al. 2018): 10000 samples per entropy, seed 0, all factors;
 * - mig-dlib, modularity: 10000 rows, 20 bins; sap: 10000/5000 train/test rows;
 * - dci: 2000/1000 train/test rows (its boosted trees are the slowest array metric);
 * - beta-vae, factor-vae: batches of 64, 2000 training and 1000 evaluation points (smaller
 *   than disentanglement_lib's 10000/5000, which would encode ~2M images), 10000 rows for
 *   FactorVAE's variances;
 * - decomposition: 10000 Monte Carlo points against the encoded posteriors.
 */
import { permutation, Rng } from "../data/random.ts";
import { type EncodedPosteriors, encodeDataset } from "../run/encode-dataset.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import type { CodeMatrix, FactorMatrix } from "./arrays.ts";
import { betaVaeScore } from "./beta-vae.ts";
import { dci } from "./dci.ts";
import { elboDecomposition } from "./elbo-decomposition.ts";
import { factorVaeScore } from "./factor-vae.ts";
import { migChen, migDlib } from "./mig.ts";
import { modularity } from "./modularity.ts";
import type { RepresentationOracle } from "./oracle.ts";
import { oracleFromRun } from "./oracle-from-run.ts";
import { sap } from "./sap.ts";
import { evaluateTriplets } from "./triplet-runner.ts";

export interface EvalOptions {
  /** Metric names (keys of {@link METRIC_RUNNERS}). Default: every applicable one. */
  metrics?: string[];
  /** Seed of every subsample and sample. Default 0. */
  seed?: number;
  /** Rows encoded when the whole dataset is not needed. Default 10000. */
  rows?: number;
  /** Factors scored by the MIGs (indices). Default: all. */
  include?: number[];
  /** mig: samples per entropy estimate. Default 10000. */
  samples?: number;
  /** mig-dlib, modularity: histogram bins. Default 20. */
  bins?: number;
  /** Rows for the array metrics' training/estimation. Default 10000 (dci: 2000). */
  numTrain?: number;
  /** Held-out rows of sap and dci. Default 5000 (dci: 1000). */
  numTest?: number;
  /** beta-vae, factor-vae: points to train and to evaluate on. Default 2000 and 1000. */
  numPoints?: number;
  numEval?: number;
  /** Images per encoder call. Default 256. */
  batchSize?: number;
  /** Hears the images encoded so far (the CLI draws a bar with it). */
  onEncodeProgress?: (done: number, total: number) => void;
  /** triplet: queries to score a run that has none of its own (its full latent space). */
  queries?: string[];
  /** triplet: held-out triplets per query. Default 1000. */
  tripletsPerQuery?: number;
}

/** What a runner sees: the run, the encoded rows and their factors. */
export interface EvalContext {
  run: TrainedRun;
  /** Posteriors of the dataset rows `rows`, in that order. */
  posteriors: EncodedPosteriors;
  rows: Int32Array;
  /** True when `rows` is every image of a factor-grid dataset, in dataset order. */
  fullGrid: boolean;
  options: EvalOptions & { seed: number };
  /** The oracle of the run (grid datasets only), created on first use. */
  oracle(): RepresentationOracle;
}

/** One metric's result: headline values, the options that produced them, and details. */
export interface MetricReport {
  values: Record<string, number | null>;
  options: Record<string, unknown>;
  details?: Record<string, unknown>;
  seconds?: number;
}

export interface MetricRunner {
  /** What the metric needs: of the dataset, or (triplet) queries of the run or the options. */
  needs: "grid" | "factors" | "nothing" | "queries";
  run(ctx: EvalContext): Promise<MetricReport>;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function codeMatrix(ctx: EvalContext): CodeMatrix {
  return { data: ctx.posteriors.mu, count: ctx.posteriors.count, dims: ctx.posteriors.latentDim };
}

/** Factor indices of the encoded rows; continuous factors binned as disentanglement_lib. */
function factorMatrix(ctx: EvalContext): FactorMatrix {
  const { dataset } = ctx.run;
  const k = dataset.factors.length;
  const all = dataset.factorIndices as Int32Array;
  const data = new Int32Array(ctx.rows.length * k);
  for (let i = 0; i < ctx.rows.length; i++) {
    data.set(all.subarray(ctx.rows[i] * k, (ctx.rows[i] + 1) * k), i * k);
  }
  return { data, count: ctx.rows.length, factors: k };
}

function factorNames(ctx: EvalContext, indices: number[]): string[] {
  return indices.map((i) => ctx.run.dataset.factors[i].name);
}

/** The registry: adding a metric is one entry. */
export const METRIC_RUNNERS: Record<string, MetricRunner> = {
  mig: {
    needs: "grid",
    async run(ctx) {
      const options = {
        protocol: "chen",
        samples: ctx.options.samples ?? 10000,
        seed: ctx.options.seed,
        include: ctx.options.include ?? null,
      };
      const r = await migChen(
        {
          means: ctx.posteriors.mu,
          logvars: ctx.posteriors.logvar,
          dims: ctx.posteriors.latentDim,
          factorSizes: ctx.run.dataset.grid as number[],
        },
        { samples: options.samples, seed: options.seed, include: ctx.options.include },
      );
      return {
        values: { mig: finite(r.mig) },
        options,
        details: {
          factors: factorNames(ctx, r.factors),
          perFactor: r.perFactor,
          mutualInformation: r.mutualInformation,
          factorEntropies: r.factorEntropies,
        },
      };
    },
  },
  "mig-dlib": {
    needs: "factors",
    async run(ctx) {
      const options = {
        protocol: "disentanglement_lib",
        numTrain: ctx.options.numTrain ?? 10000,
        bins: ctx.options.bins ?? 20,
        seed: ctx.options.seed,
        include: ctx.options.include ?? null,
      };
      const r = migDlib(codeMatrix(ctx), factorMatrix(ctx), {
        ...options,
        include: ctx.options.include,
      });
      return {
        values: { mig: finite(r.mig) },
        options,
        details: {
          factors: factorNames(ctx, r.factors),
          perFactor: r.perFactor,
          mutualInformation: r.mutualInformation,
          factorEntropies: r.factorEntropies,
        },
      };
    },
  },
  sap: {
    needs: "factors",
    async run(ctx) {
      const options = {
        numTrain: ctx.options.numTrain ?? 10000,
        numTest: ctx.options.numTest ?? 5000,
        seed: ctx.options.seed,
      };
      const r = sap(codeMatrix(ctx), factorMatrix(ctx), options);
      return { values: { sap: finite(r.sap) }, options, details: { ...r } };
    },
  },
  dci: {
    needs: "factors",
    async run(ctx) {
      const options = {
        numTrain: ctx.options.numTrain ?? 2000,
        numTest: ctx.options.numTest ?? 1000,
        seed: ctx.options.seed,
      };
      const r = dci(codeMatrix(ctx), factorMatrix(ctx), options);
      return {
        values: {
          disentanglement: finite(r.disentanglement),
          completeness: finite(r.completeness),
          informativeness: finite(r.informativeness),
        },
        options,
        details: { ...r },
      };
    },
  },
  modularity: {
    needs: "factors",
    async run(ctx) {
      const options = {
        numTrain: ctx.options.numTrain ?? 10000,
        bins: ctx.options.bins ?? 20,
        seed: ctx.options.seed,
      };
      const r = modularity(codeMatrix(ctx), factorMatrix(ctx), options);
      return { values: { modularity: finite(r.modularity) }, options, details: { ...r } };
    },
  },
  "beta-vae": {
    needs: "grid",
    async run(ctx) {
      const options = {
        batchSize: 64,
        numTrain: ctx.options.numPoints ?? 2000,
        numEval: ctx.options.numEval ?? 1000,
        seed: ctx.options.seed,
      };
      const r = await betaVaeScore(ctx.oracle(), options);
      return { values: { score: r.score }, options, details: { ...r } };
    },
  },
  "factor-vae": {
    needs: "grid",
    async run(ctx) {
      const options = {
        batchSize: 64,
        numTrain: ctx.options.numPoints ?? 2000,
        numEval: ctx.options.numEval ?? 1000,
        numVarianceEstimate: 10000,
        seed: ctx.options.seed,
      };
      const r = await factorVaeScore(ctx.oracle(), options);
      return { values: { score: r.score }, options, details: { ...r } };
    },
  },
  triplet: {
    needs: "queries",
    async run(ctx) {
      const r = await evaluateTriplets(ctx.run, {
        queries: ctx.options.queries,
        tripletsPerQuery: ctx.options.tripletsPerQuery,
        seed: ctx.options.seed,
      });
      const values: Record<string, number | null> = {};
      for (const [query, { subspace, full }] of Object.entries(r.perQuery)) {
        values[`${query}.subspace`] = subspace;
        values[`${query}.full`] = full;
        // The query's triplets in the other queries' subspaces: near 0.5 when they ignore it.
        for (const [other, accuracy] of Object.entries(r.cross?.[query] ?? {})) {
          if (other !== query) values[`${query}.in-${other}-subspace`] = accuracy;
        }
      }
      return { values, options: r.options, details: { perQuery: r.perQuery, cross: r.cross } };
    },
  },
  decomposition: {
    needs: "nothing",
    async run(ctx) {
      const options = {
        samples: Math.min(ctx.posteriors.count, 10000),
        seed: ctx.options.seed,
        posteriors: ctx.posteriors.count,
        prior: ctx.run.model.prior.name,
      };
      const r = await elboDecomposition(ctx.posteriors, { ...options, prior: ctx.run.model.prior });
      return {
        values: { mi: r.mi, tc: r.tc, dwkl: r.dwkl, kl: r.kl },
        options,
        details: { ...r },
      };
    },
  },
};

export interface EvalReport {
  run: string;
  step: number;
  dataset: { name: string; count: number; factors: string[]; grid: number[] | null };
  encoded: { rows: number; of: number; seed: number; fullGrid: boolean; seconds: number };
  metrics: Record<string, MetricReport>;
  seconds: number;
}

/**
 * Metrics that apply: grid metrics need a grid, the others factors; triplet needs a
 * triplet VAE run or `options.queries`.
 */
export function applicableMetrics(
  run: Pick<TrainedRun, "dataset" | "masks">,
  options: Pick<EvalOptions, "queries"> = {},
): string[] {
  const { dataset } = run;
  const hasFactors = dataset.factors.length > 0 && dataset.factorIndices !== undefined;
  const hasQueries = run.masks !== undefined || (options.queries?.length ?? 0) > 0;
  const applies: Record<MetricRunner["needs"], boolean> = {
    grid: dataset.grid !== undefined,
    factors: hasFactors,
    queries: hasFactors && hasQueries,
    nothing: true,
  };
  return Object.entries(METRIC_RUNNERS)
    .filter(([, r]) => applies[r.needs])
    .map(([name]) => name);
}

/** Checks the requested metrics against the registry and the dataset; clear errors. */
export function checkMetrics(
  run: Pick<TrainedRun, "dataset" | "masks">,
  names: string[],
  options: Pick<EvalOptions, "queries"> = {},
): string[] {
  const known = Object.keys(METRIC_RUNNERS);
  const applicable = applicableMetrics(run, options);
  for (const name of names) {
    if (!known.includes(name)) {
      throw new RangeError(`unknown metric "${name}", expected some of ${known.join(", ")}`);
    }
    if (!applicable.includes(name)) {
      const needs = METRIC_RUNNERS[name].needs;
      throw new RangeError(
        needs === "queries"
          ? `${name} needs queries: a triplet-vae run, or --queries (factor names) to score this run's full latent space`
          : needs === "grid"
            ? `${name} needs the full factor grid (a dataset that is the product of its factors, like sprites); ${run.dataset.name} has none. Try mig-dlib, sap, dci, modularity or decomposition`
            : `${name} needs ground-truth factors; ${run.dataset.name} has none. Try decomposition`,
      );
    }
  }
  return Array.from(new Set(names));
}

/** Runs the metrics on `run`; `log` hears progress lines (metric started/finished). */
export async function evaluateRun(
  run: TrainedRun,
  options: EvalOptions = {},
  log: (line: string) => void = () => {},
): Promise<EvalReport> {
  const started = performance.now();
  const seed = options.seed ?? 0;
  const names = checkMetrics(run, options.metrics ?? applicableMetrics(run, options), options);
  const { dataset } = run;
  const fullGrid =
    dataset.grid !== undefined && names.some((n) => METRIC_RUNNERS[n].needs === "grid");
  let rows: Int32Array;
  if (fullGrid) {
    rows = Int32Array.from({ length: dataset.count }, (_, i) => i);
  } else {
    const take = Math.min(options.rows ?? 10000, dataset.count);
    rows = permutation(dataset.count, new Rng(seed, 0xe7a1)).slice(0, take).sort();
  }
  log(`encoding ${rows.length} of ${dataset.count} images`);
  const encodeStart = performance.now();
  const posteriors = await encodeDataset(run.model, run.params.encoder, dataset, rows, {
    batchSize: options.batchSize,
    onProgress: options.onEncodeProgress,
  });
  const encodeSeconds = (performance.now() - encodeStart) / 1000;
  let oracle: RepresentationOracle | undefined;
  const ctx: EvalContext = {
    run,
    posteriors,
    rows,
    fullGrid,
    options: { ...options, seed },
    oracle: () => {
      oracle ??= oracleFromRun(run, fullGrid ? posteriors : undefined, {
        batchSize: options.batchSize,
      });
      return oracle;
    },
  };
  const metrics: Record<string, MetricReport> = {};
  for (const name of names) {
    log(`${name}...`);
    const t = performance.now();
    const report = await METRIC_RUNNERS[name].run(ctx);
    metrics[name] = { ...report, seconds: (performance.now() - t) / 1000 };
  }
  return {
    run: run.runDir,
    step: run.step,
    dataset: {
      name: dataset.name,
      count: dataset.count,
      factors: dataset.factors.map((f) => f.name),
      grid: dataset.grid ?? null,
    },
    encoded: { rows: rows.length, of: dataset.count, seed, fullGrid, seconds: encodeSeconds },
    metrics,
    seconds: (performance.now() - started) / 1000,
  };
}
