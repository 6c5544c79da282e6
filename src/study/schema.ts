/**
 * The study file (`studies/*.json`): a declarative grid of runs, compared fairly. Models x
 * swept hyperparameters x seeds x datasets, settings shared by every run, the metrics to
 * compute, when to evaluate along the way, and the budget (steps). Each cell of the grid is
 * a run config (src/run/config.ts), validated by the same schema as `disentangle train
 * --config`; expand.ts turns a study into its runs.
 *
 * Large-scale comparisons of this kind, over many seeds, follow Locatello et al., "Challenging
 * Common Assumptions in the Unsupervised Learning of Disentangled Representations" (ICML 2019).
 */
import { z } from "zod";
import { MODEL_NAMES } from "../run/config.ts";

/** A swept or fixed setting's value. */
const settingValue = z.union([z.number(), z.string(), z.boolean()]);

/** Swept hyperparameters: each name with its values (at least one; each a separate run). */
const gridSchema = z.record(
  z.string(),
  z.array(settingValue).min(1, "an empty list of values expands to no runs"),
);

/** Metric name -> its options (the metric's own schema checks them), or a list of names. */
const metricsSchema = z
  .union([
    z.array(z.string()).min(1, "name at least one metric"),
    z.record(z.string(), z.record(z.string(), z.unknown())),
  ])
  .transform((value) =>
    Array.isArray(value)
      ? Object.fromEntries(value.map((name) => [name, {} as Record<string, unknown>]))
      : value,
  );

/** One model of the study: the model, its fixed settings, and what is swept for it alone. */
const modelSchema = z
  .object({
    model: z.enum(MODEL_NAMES),
    /** Names the model in run ids and tables (default: the model's name). */
    label: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]*$/i, "letters, digits, dots and dashes")
      .optional(),
    /** Swept for this model only (merged over the study's grid). */
    grid: gridSchema.optional(),
  })
  // Every other key is a fixed setting of this model (a hyperparameter such as alpha).
  .catchall(z.unknown());

/** A dataset of the study: a run config's data settings. */
const datasetSchema = z.strictObject({
  label: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]*$/i, "letters, digits, dots and dashes")
    .optional(),
  data: z.string().min(1),
  root: z.string().min(1).optional(),
  dataOptions: z.record(z.string(), z.unknown()).optional(),
});

/** The study file's schema (the run settings of each cell are checked by the run config's). */
export const studySchema = z.strictObject({
  /** Names the study: its folder in the run store and its queue's jobs. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/i, "letters, digits and dashes (it names folders and jobs)"),
  description: z.string().optional(),
  /** Run settings every run shares (architecture, batch, lr, z, ...): a run config's fields. */
  shared: z.record(z.string(), z.unknown()).default({}),
  /** Datasets (default: the one `shared` names, or the run config's default). */
  datasets: z
    .array(datasetSchema)
    .min(1, "name at least one dataset, or leave datasets out")
    .optional(),
  models: z.array(modelSchema).min(1, "name at least one model"),
  /** Swept for every model (each model must take each of these). */
  grid: gridSchema.default({}),
  seeds: z.array(z.number().int().nonnegative()).min(1, "name at least one seed"),
  /** The training budget of every run. */
  budget: z.strictObject({ steps: z.number().int().positive() }),
  /** Metrics of the final evaluation (registry names, src/metrics/registry.ts), with options. */
  metrics: metricsSchema,
  /** Evaluations along the way (MIG vs steps): every N steps and/or at given steps. */
  evaluate: z
    .strictObject({
      every: z.number().int().positive().optional(),
      at: z.array(z.number().int().positive()).optional(),
      /** Metrics of the evaluations before the last (default: the final metrics). */
      metrics: metricsSchema.optional(),
    })
    .default({}),
  /** Seed of the metrics' subsamples and samples (the same for every run). */
  evalSeed: z.number().int().nonnegative().default(0),
});

/** A parsed study file. */
export type StudyFile = z.output<typeof studySchema>;
/** Metric name -> its options. */
export type MetricSpec = Record<string, Record<string, unknown>>;
