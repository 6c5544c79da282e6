/**
 * Training configuration: one schema for `--config run.json` and for command-line flags,
 * validated with zod. Errors name the field, the value and what was expected (and, for a
 * config file, the file and line).
 *
 * The settings every run has are written here; each objective's hyperparameters come from
 * its descriptor (src/objectives/registry.ts, and the triplet VAE's supervised term), with
 * their defaults and docs. A config holds the hyperparameters of its model only, resolved to
 * their values: a hyperparameter that the model does not take is an error.
 */
import { z } from "zod";
import { DATASET_NAMES } from "../data/dataset-names.ts";
import { isJointFamily } from "../distributions/distribution.ts";
import { LIKELIHOOD_NAMES, LIKELIHOODS } from "../distributions/likelihoods/registry.ts";
import { createPrior, PRIOR_NAMES, PRIORS, type Prior } from "../distributions/priors.ts";
import { ARCHITECTURE_NAMES } from "../nn/architecture.ts";
import {
  type ObjectiveDescriptor,
  type SharedFieldDoc,
  sharedFieldDocs,
} from "../objectives/descriptor.ts";
import { PRIOR_DIVERGENCES, type PriorDivergenceName } from "../objectives/prior-term.ts";
import {
  OBJECTIVE_NAMES,
  OBJECTIVES,
  type ObjectiveName,
  SUPERVISED_TERM as tripletVae,
} from "../objectives/registry.ts";
import { formatIssues, type SettingsIssue } from "./config-errors.ts";

/** Models: every objective of the registry, and the triplet VAE (a base objective + its supervised term). */
export const MODEL_NAMES = [...OBJECTIVE_NAMES, tripletVae.name] as const;
export type ModelName = ObjectiveName | typeof tripletVae.name;

/** The descriptors whose hyperparameters a config may hold. */
const HYPERPARAMETER_SOURCES = [...Object.values(OBJECTIVES), tripletVae];
/** The descriptors whose options a config may hold for its likelihood. */
const LIKELIHOOD_SOURCES = Object.values(LIKELIHOODS);

const positiveInt = () => z.number().int().positive();

/** Settings of every run (not an objective's hyperparameters). */
const runSettings = {
  /** The objective (any of the registry's), or the triplet VAE (a base objective + triplets). */
  model: z.enum(MODEL_NAMES).default("beta-tcvae"),
  /** Triplet VAE (Karaletsos et al. 2016): its unsupervised part. */
  base: z.enum(OBJECTIVE_NAMES).optional(),
  /** Dataset name (see `disentangle data --help`) and its options. */
  data: z.enum(DATASET_NAMES).default("sprites"),
  root: z.string().min(1).optional(),
  dataOptions: z.record(z.string(), z.unknown()).default({}),
  /** Encoder/decoder; chosen from the image size when absent. */
  architecture: z.enum(ARCHITECTURE_NAMES).optional(),
  /** The likelihood p(x|z) (src/distributions/likelihoods/registry.ts); its options are fields too. */
  likelihood: z.enum(LIKELIHOOD_NAMES).default("bernoulli"),
  /** The prior p(z) (src/distributions/priors.ts). */
  prior: z.enum(PRIOR_NAMES).default("normal"),
  /** A learned prior's components K (mixture components, VampPrior pseudo-inputs); its default when absent. */
  priorComponents: positiveInt().max(4096).optional(),
  z: positiveInt().max(512).default(10),
  /** Linear warm-up of the objective's annealed weight or target over this many steps (0 = off). */
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
  /** Images whose factor takes these values are kept out of training (e.g. some subjects). */
  holdOut: z
    .strictObject({ factor: z.string().min(1), values: z.array(z.number()).min(1) })
    .optional(),
};

/** Every hyperparameter and likelihood option of every descriptor, optional and without its default. */
function optionalHyperparameters(): Record<string, z.ZodType> {
  const fields: Record<string, z.ZodType> = {};
  for (const descriptor of [...HYPERPARAMETER_SOURCES, ...LIKELIHOOD_SOURCES]) {
    for (const [name, field] of Object.entries(descriptor.schema.shape) as [string, z.ZodType][]) {
      const bare = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field;
      fields[name] ??= bare.optional();
    }
  }
  return fields;
}

const configSchema = z.strictObject({ ...runSettings, ...optionalHyperparameters() });

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;
/** An objective's resolved hyperparameters; one without any (the VAE) adds nothing. */
type OutputOf<K extends ObjectiveName> = z.output<(typeof OBJECTIVES)[K]["schema"]>;
type Hyperparameters = UnionToIntersection<
  {
    [K in ObjectiveName]: string extends keyof OutputOf<K> ? Record<never, never> : OutputOf<K>;
  }[ObjectiveName]
> &
  z.output<typeof tripletVae.schema>;
/** Every likelihood's options, resolved; one without any (the Bernoulli) adds nothing. */
type LikelihoodOutput<K extends keyof typeof LIKELIHOODS> = z.output<
  (typeof LIKELIHOODS)[K]["schema"]
>;
type LikelihoodOptions = UnionToIntersection<
  {
    [K in keyof typeof LIKELIHOODS]: string extends keyof LikelihoodOutput<K>
      ? Record<never, never>
      : LikelihoodOutput<K>;
  }[keyof typeof LIKELIHOODS]
>;

export type TrainConfig = z.output<z.ZodObject<typeof runSettings>> &
  Partial<Hyperparameters> &
  Partial<LikelihoodOptions>;
export type TrainConfigInput = z.input<z.ZodObject<typeof runSettings>> &
  Partial<Hyperparameters> &
  Partial<LikelihoodOptions>;

/** Raised for an invalid configuration; the message lists every problem found. */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** The problems by field, when the error comes from validation (e.g. to re-point them at a study file). */
  readonly issues?: readonly SettingsIssue[];
  constructor(message: string, issues?: readonly SettingsIssue[]) {
    super(message);
    this.issues = issues;
  }
}

/** The unsupervised objective: the model itself, or the triplet VAE's base. */
export function unsupervisedModel(config: Pick<TrainConfig, "model" | "base">): ObjectiveName {
  return config.model === tripletVae.name ? (config.base ?? "vae") : config.model;
}

/** The descriptors that give `config`'s model its hyperparameters. */
function descriptorsOf(
  config: Pick<TrainConfig, "model" | "base">,
): Pick<ObjectiveDescriptor, "name" | "schema" | "declines" | "needsFactorisedPrior">[] {
  const objective = OBJECTIVES[unsupervisedModel(config)];
  return config.model === tripletVae.name ? [objective, tripletVae] : [objective];
}

/** The unsupervised objective's hyperparameters, resolved. */
export function objectiveOptions(config: TrainConfig): Record<string, unknown> {
  const { schema } = OBJECTIVES[unsupervisedModel(config)];
  return pick(config, Object.keys(schema.shape));
}

/** The triplet VAE's own hyperparameters, resolved (a triplet-vae config only). */
export function tripletOptions(config: TrainConfig): z.output<typeof tripletVae.schema> {
  if (config.model !== tripletVae.name) {
    throw new ConfigError(`a ${config.model} run has no triplet settings`);
  }
  return tripletVae.schema.parse(pick(config, Object.keys(tripletVae.schema.shape)));
}

/** Every hyperparameter of every model, with each model's doc and default: for flags and docs. */
export function hyperparameterDocs(): SharedFieldDoc[] {
  return sharedFieldDocs(HYPERPARAMETER_SOURCES);
}

/** Every option of every likelihood, with each likelihood's doc and default: for flags and docs. */
export function likelihoodOptionDocs(): SharedFieldDoc[] {
  return sharedFieldDocs(LIKELIHOOD_SOURCES);
}

/** The likelihood's options, resolved (the fields of its descriptor's schema). */
export function likelihoodOptions(config: TrainConfig): Record<string, unknown> {
  return pick(config, Object.keys(LIKELIHOODS[config.likelihood].schema.shape));
}

function isLikelihoodOption(key: string): boolean {
  return LIKELIHOOD_SOURCES.some((d) => key in d.schema.shape);
}

function pick(source: object, keys: string[]): Record<string, unknown> {
  const values = source as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]]));
}

/**
 * Drops the hyperparameters `input`'s model does not take, and the options its likelihood
 * does not take. Run folders written before hyperparameters belonged to their objective hold
 * every objective's defaults (alpha, gamma, estimator, the triplet settings), and those
 * written before likelihoods had options hold `gaussianVariance` whatever the likelihood;
 * reading such a folder goes through this, new input does not.
 */
export function dropForeignHyperparameters(
  input: Record<string, unknown>,
): Record<string, unknown> {
  const parsed = z
    .object({
      model: runSettings.model,
      base: runSettings.base,
      likelihood: runSettings.likelihood,
    })
    .safeParse(input);
  if (!parsed.success) return input;
  const own = new Set([
    ...descriptorsOf(parsed.data).flatMap((d) => Object.keys(d.schema.shape)),
    ...Object.keys(LIKELIHOODS[parsed.data.likelihood].schema.shape),
  ]);
  // Earlier versions also wrote the triplet VAE's `base` ("vae") into every run's config.
  const foreign = (key: string) =>
    ((isHyperparameter(key) || isLikelihoodOption(key)) && !own.has(key)) ||
    (key === "base" && parsed.data.model !== tripletVae.name);
  return Object.fromEntries(Object.entries(input).filter(([key]) => !foreign(key)));
}

function isHyperparameter(key: string): boolean {
  return HYPERPARAMETER_SOURCES.some((d) => key in d.schema.shape);
}

/**
 * Validates `input`. `source` names where it came from (a file path or "command line");
 * `text` is the file's text, used to point at the line of a bad field.
 */
export function parseTrainConfig(input: unknown, source: string, text?: string): TrainConfig {
  const fail = (issues: SettingsIssue[]): never => {
    throw new ConfigError(formatIssues(issues, source, input, text), issues);
  };
  const result = configSchema.safeParse(input);
  if (!result.success) fail(result.error.issues);
  const config = result.data as Record<string, unknown> & TrainConfig;
  if (config.base !== undefined && config.model !== tripletVae.name) {
    fail([
      {
        path: ["base"],
        message: `only the triplet VAE has a base objective (model is ${config.model})`,
      },
    ]);
  }
  const descriptors = descriptorsOf(config);
  const own = new Set(descriptors.flatMap((d) => Object.keys(d.schema.shape)));
  const foreign = Object.keys(config).filter((k) => isHyperparameter(k) && !own.has(k));
  if (foreign.length > 0) {
    fail(
      foreign.map((key) => {
        const takers = HYPERPARAMETER_SOURCES.filter((d) => key in d.schema.shape).map(
          (d) => d.name,
        );
        const reasons = descriptors.flatMap((d) => d.declines?.[key] ?? []);
        const why = reasons.length > 0 ? `: ${reasons.join("; ")}` : "";
        return {
          path: [key],
          message: `${descriptors.map((d) => d.name).join(" + ")} takes no ${key}${why} (a hyperparameter of ${takers.join(", ")}; choose one of those with --model${config.model === tripletVae.name ? " or --base" : ""})`,
        };
      }),
    );
  }
  const resolved: Record<string, unknown> = { ...config };
  if (config.model === tripletVae.name) resolved.base = unsupervisedModel(config);
  const likelihood = LIKELIHOODS[config.likelihood];
  const foreignOptions = Object.keys(config).filter(
    (key) => isLikelihoodOption(key) && !(key in likelihood.schema.shape),
  );
  if (foreignOptions.length > 0) {
    fail(
      foreignOptions.map((key) => {
        const takers = LIKELIHOOD_SOURCES.filter((d) => key in d.schema.shape).map((d) => d.name);
        return {
          path: [key],
          message: `the ${likelihood.name} likelihood takes no ${key} (an option of ${takers.join(", ")}; choose one of those with --likelihood)`,
        };
      }),
    );
  }
  const likelihoodParsed = likelihood.schema.safeParse(
    pick(config, Object.keys(likelihood.schema.shape)),
  );
  if (!likelihoodParsed.success) fail(likelihoodParsed.error.issues);
  else Object.assign(resolved, likelihoodParsed.data);
  for (const descriptor of descriptors) {
    const parsed = descriptor.schema.safeParse(pick(config, Object.keys(descriptor.schema.shape)));
    if (!parsed.success) fail(parsed.error.issues);
    else Object.assign(resolved, parsed.data);
  }
  const prior = ((): Prior => {
    try {
      return createPrior(config.prior, config.priorComponents);
    } catch (error) {
      return fail([{ path: ["priorComponents"], message: (error as Error).message }]);
    }
  })();
  if (isJointFamily(prior.family)) {
    const refusals = descriptors.flatMap((d) =>
      d.needsFactorisedPrior ? [`${d.name}: ${d.needsFactorisedPrior}`] : [],
    );
    if (refusals.length > 0) {
      fail([
        {
          path: ["prior"],
          message: `the ${config.prior} prior does not factorise over dimensions, and ${refusals.join("; ")} (choose a factorised prior: ${PRIOR_NAMES.filter((n) => !isJointFamily(PRIORS[n].family)).join(", ")})`,
        },
      ]);
    }
  }
  const divergence = resolved.priorDivergence as PriorDivergenceName | undefined;
  const refusal = divergence && PRIOR_DIVERGENCES[divergence].refuses(prior.family);
  if (refusal) {
    fail([
      {
        path: ["priorDivergence"],
        message: `${divergence} with prior ${config.prior}: ${refusal}`,
      },
    ]);
  }
  return resolved as TrainConfig;
}
