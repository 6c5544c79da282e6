/**
 * A metric's descriptor: its name, the paper, what it needs of its input, a zod schema of its
 * options (each with its default and one-line doc), and `compute`. `disentangle eval` (a
 * trained run) and `disentangle metrics` (arrays) both run metrics through the registry
 * (registry.ts), so a metric has one name, one set of defaults and one implementation.
 */
import { z } from "zod";
import { isJointFamily } from "../distributions/distribution.ts";
import type { Prior } from "../distributions/priors.ts";
import type { EncodedPosteriors } from "../run/encode-dataset.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import type { CodeMatrix, FactorMatrix } from "./arrays.ts";
import type { RepresentationOracle } from "./oracle.ts";

/**
 * Why a metric that samples q(z|x) as a Gaussian cannot score `input`'s non-Gaussian
 * posterior, or null.
 */
export function needsGaussianPosterior(input: MetricInput): string | null {
  const family = input.posterior?.family ?? input.prior?.posterior ?? "normal";
  return family === "normal"
    ? null
    : `samples q(z|x) as a Gaussian, and this run's posterior is ${family} (stick-breaking prior); use active-dims, mig-dlib, sap, dci or modularity`;
}

/** Why a metric that splits log p(z) over dimensions cannot use `input`'s joint prior, or null. */
export function needsFactorisedPrior(input: MetricInput): string | null {
  const prior = input.prior;
  return prior === undefined || !isJointFamily(prior.family)
    ? null
    : `splits log p(z) into Σ_j log p(z_j), and the ${prior.name} prior does not factorise over dimensions; use active-dims, mig, mig-dlib, sap, dci or modularity`;
}

/** What a metric can be computed from. Every field but `codes` is optional. */
export interface MetricInput {
  /** Codes (posterior means) [N, D]. */
  codes: CodeMatrix;
  /** Ground-truth factors of the same rows. */
  factors?: FactorMatrix;
  /** Factor names, in column order (for `include` and the reports). */
  factorNames?: string[];
  /** Posterior log-variances of the same rows, [N, D] row-major. */
  logvars?: Float32Array | Float64Array;
  /**
   * A non-Gaussian posterior's own parameters for the same rows (the stick-breaking VAE's
   * Kumaraswamy), which `codes` and `logvars` summarise as a moment-matched Gaussian.
   */
  posterior?: EncodedPosteriors["posterior"];
  /** The factor sizes, when the rows are the full factor grid in row-major order. */
  grid?: number[];
  /** The model's prior (default: the standard normal). */
  prior?: Prior;
  /** A trained run (`eval` only): for metrics that encode new images or draw triplets. */
  run?: TrainedRun;
  /** The run's representation oracle (`eval` on a factor grid only). */
  oracle?(): RepresentationOracle;
}

/** One metric's result: headline values, the options that produced them, and details. */
export interface MetricReport {
  values: Record<string, number | null>;
  options: Record<string, unknown>;
  details?: Record<string, unknown>;
  seconds?: number;
}

export interface MetricDescriptor<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  /** One line: what it measures, with the paper and the protocol. */
  readonly summary: string;
  /** `eval` encodes every image of a factor-grid dataset for this metric. */
  readonly needsGrid?: boolean;
  /**
   * Why the metric runs only when named (`--metrics`), not among the defaults: e.g. its cost.
   * Absent for a default metric.
   */
  readonly onlyWhenNamed?: string;
  /**
   * Why `input` cannot be scored (shown to the user), or null when it can. `given` holds the
   * options as the user gave them (before defaults).
   */
  missing(input: MetricInput, given: Record<string, unknown>): string | null;
  /** Options, each with `.default(...)` or optional, and `.describe(...)`. `seed` is common. */
  readonly schema: S;
  /** Scores `input` with validated `options`; `seed` fixes every random choice the metric makes. */
  compute(input: MetricInput, options: z.output<S> & { seed: number }): Promise<MetricReport>;
}

/** Ties a descriptor's `compute` to its schema's type. */
export function defineMetric<S extends z.ZodObject>(
  descriptor: MetricDescriptor<S>,
): MetricDescriptor<S> {
  return descriptor;
}

/** NaN (nothing scorable) becomes null in reports. */
export const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The usual "needs factors" check. */
export function needsFactors(input: MetricInput): string | null {
  return input.factors === undefined ? "needs ground-truth factors" : null;
}

/** `include`: factor names or column indices -> indices, with a clear error. */
export function factorIndices(
  input: MetricInput,
  include: string[] | undefined,
): number[] | undefined {
  if (include === undefined) return undefined;
  const k = input.factors?.factors ?? 0;
  const names = input.factorNames ?? Array.from({ length: k }, (_, i) => String(i));
  return include.map((item) => {
    const at = names.indexOf(item);
    const i = at >= 0 ? at : Number(item);
    if (item.trim() === "" || !Number.isInteger(i) || i < 0 || i >= k) {
      throw new RangeError(
        `include: "${item}" is not a factor, expected names or column indices of ${names.join(", ")}`,
      );
    }
    return i;
  });
}

/** The names of factor columns `indices`. */
export function namesOf(input: MetricInput, indices: number[]): string[] {
  return indices.map((i) => input.factorNames?.[i] ?? String(i));
}

/** The `include` option shared by the MIGs. */
export const includeOption = () =>
  z
    .array(z.string())
    .optional()
    .describe("factors to score, names or column indices (default all)");

/** Row counts shared by the array metrics. */
export const rowsOption = (rows: number, what: string) =>
  z.number().int().positive().default(rows).describe(what);

/** The train/test rows of the metrics that fit a predictor (sap, dci, explicitness). */
export const trainTestShape = (train: number, test: number) => ({
  numTrain: rowsOption(train, "training rows"),
  numTest: rowsOption(test, "held-out rows"),
});

/** Histogram bins shared by MIG (disentanglement_lib) and modularity. */
export const binsOption = (bins: number) =>
  z.number().int().min(2).default(bins).describe("histogram bins of the codes");

/** Posteriors as `encodeDataset` returns them, for metrics that need log-variances. */
export function posteriorsOf(input: MetricInput): EncodedPosteriors | undefined {
  if (input.logvars === undefined) return undefined;
  const { data, count, dims } = input.codes;
  return {
    count,
    latentDim: dims,
    mu: Float32Array.from(data),
    logvar: Float32Array.from(input.logvars),
    ...(input.posterior ? { posterior: input.posterior } : {}),
  };
}
