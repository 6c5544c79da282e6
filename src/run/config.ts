/**
 * Training configuration: one schema for `--config run.json` and for command-line flags,
 * validated with zod. Errors name the field, the value and what was expected (and, for a
 * config file, the file and line).
 */
import { z } from "zod";
import { DATASET_NAMES, type DatasetName } from "../data/registry.ts";
import { ARCHITECTURE_NAMES } from "../nn/architecture.ts";

export const MODEL_NAMES = ["vae", "beta-vae", "beta-tcvae", "triplet-vae"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const positiveInt = () => z.number().int().positive();

export const trainConfigSchema = z.strictObject({
  /** The objective: plain VAE, beta-VAE (beta on the KL), beta-TCVAE, or the triplet VAE. */
  model: z.enum(MODEL_NAMES).default("beta-tcvae"),
  /** Dataset name (see `disentangle data --help`) and its options. */
  data: z.enum(DATASET_NAMES as [DatasetName, ...DatasetName[]]).default("sprites"),
  root: z.string().min(1).optional(),
  dataOptions: z.record(z.string(), z.unknown()).default({}),
  /** Encoder/decoder; chosen from the image size when absent. */
  architecture: z.enum(ARCHITECTURE_NAMES).optional(),
  likelihood: z.enum(["bernoulli", "gaussian"]).default("bernoulli"),
  /** Fixed decoder variance for the Gaussian likelihood; "learned" learns one per channel. */
  gaussianVariance: z.union([z.number().positive(), z.literal("learned")]).default(1),
  z: positiveInt().max(512).default(10),
  beta: z.number().nonnegative().optional(),
  alpha: z.number().nonnegative().default(1),
  gamma: z.number().nonnegative().default(1),
  estimator: z.enum(["mws", "mss"]).default("mss"),
  /** Linear warm-up of the annealed weight over this many steps (0 = off). */
  betaWarmupSteps: z.number().int().nonnegative().default(0),
  batch: positiveInt().max(4096).default(64),
  steps: positiveInt().default(1000),
  lr: z.number().positive().default(1e-3),
  weightDecay: z.number().nonnegative().default(0),
  clipGradNorm: z.number().positive().optional(),
  seed: z.number().int().nonnegative().default(0),
  /** Fraction of the data held out for validation. */
  validationFraction: z.number().min(0).max(0.5).default(0.05),
  logEvery: positiveInt().default(50),
  checkpointEvery: positiveInt().default(500),
  out: z.string().min(1).default("runs/default"),
  /** Triplet VAE (Karaletsos et al. 2016): its unsupervised part. */
  base: z.enum(["vae", "beta-vae", "beta-tcvae"]).default("vae"),
  /** Notions of similarity, each one or more factor names joined by "+". */
  queries: z.array(z.string().min(1)).default([]),
  tripletsPerQuery: positiveInt().max(1024).default(16),
  /**
   * λ, the weight of the mean triplet log-likelihood. Default: the number of values per
   * image (H·W·C), so it keeps pace with the reconstruction term, a sum over pixels.
   */
  tripletWeight: z.number().nonnegative().optional(),
  /** Continuous queries: d(A,B) + margin < d(A,C). */
  tripletMargin: z.number().nonnegative().default(0),
  divergence: z.enum(["jensen-shannon", "symmetric-kl", "mean-squared"]).default("jensen-shannon"),
  divergenceEstimator: z.enum(["gauss-hermite", "monte-carlo"]).default("gauss-hermite"),
  masks: z.enum(["fixed", "learned"]).default("fixed"),
  /** Fixed masks: latent dimensions per query (default: z / (queries + 1), the rest unsupervised). */
  dimsPerQuery: positiveInt().optional(),
  maskL1: z.number().nonnegative().default(1e-3),
  /** Images whose factor takes these values are kept out of training (e.g. some subjects). */
  holdOut: z
    .strictObject({ factor: z.string().min(1), values: z.array(z.number()).min(1) })
    .optional(),
  /** Held-out triplets per query for the accuracy logged during training. */
  evalTriplets: positiveInt().default(500),
});

export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;

/** Raised for an invalid configuration; the message lists every problem found. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The unsupervised objective: the model itself, or the triplet VAE's base. */
export function unsupervisedModel(config: TrainConfig): Exclude<ModelName, "triplet-vae"> {
  return config.model === "triplet-vae" ? config.base : config.model;
}

/** beta's default depends on the objective: 1 for the VAE (where it must stay 1), 6 otherwise. */
export function effectiveBeta(config: TrainConfig): number {
  return config.beta ?? (unsupervisedModel(config) === "vae" ? 1 : 6);
}

function lineOfKey(text: string, key: string | number | undefined): number | undefined {
  if (typeof key !== "string") return undefined;
  const at = text.search(new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\s*:`));
  return at < 0 ? undefined : text.slice(0, at).split("\n").length;
}

function describeValue(input: unknown, path: readonly PropertyKey[]): string {
  let value: unknown = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
}

/**
 * Validates `input` against the schema. `source` names where it came from (a file path or
 * "command line"); `text` is the file's text, used to point at the line of a bad field.
 */
export function parseTrainConfig(input: unknown, source: string, text?: string): TrainConfig {
  const result = trainConfigSchema.safeParse(input);
  if (result.success) {
    const config = result.data;
    if (config.model === "triplet-vae" && config.queries.length === 0) {
      throw new ConfigError(
        `${source}: field "queries": the triplet VAE needs at least one query (factor names, e.g. --queries identity,azimuth)`,
      );
    }
    const unsupervised = config.model === "triplet-vae" ? config.base : config.model;
    if (unsupervised === "vae" && config.beta !== undefined && config.beta !== 1) {
      throw new ConfigError(
        `${source}: field "beta": the plain VAE has beta = 1 (got ${config.beta}); use --model beta-vae`,
      );
    }
    return config;
  }
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join(".") : "(top level)";
    const line = text ? lineOfKey(text, issue.path[issue.path.length - 1] as string) : undefined;
    const where = line ? `${source}:${line}` : source;
    return `${where}: field "${field}"${describeValue(input, issue.path)}: ${issue.message}`;
  });
  throw new ConfigError(problems.join("\n"));
}
