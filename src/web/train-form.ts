/**
 * What the page's training form offers, derived from the library's registries rather than
 * written out: the models are the objective registry's (src/objectives/registry.ts; the
 * triplet VAE, its supervised term kept apart there, needs triplets the form does not make),
 * the priors and likelihoods are their registries' with their one-line summaries, and each
 * model's hyperparameters and each likelihood's options come from their descriptor's zod
 * schema (fieldDocs: name, type, default, allowed values, description). The form's values
 * become the object a `--config` file holds, and the library's own config parsing
 * (parseTrainConfig) validates it, in the page before starting and again in the worker.
 */
import {
  LIKELIHOOD_NAMES,
  LIKELIHOODS,
  type LikelihoodName,
} from "../distributions/likelihoods/registry.ts";
import {
  LEARNED_PRIOR_NAMES,
  type LearnedPriorName,
  PRIOR_NAMES,
  PRIORS,
  type PriorName,
} from "../distributions/priors.ts";
import { type FieldDoc, fieldDocs } from "../objectives/descriptor.ts";
import { OBJECTIVE_NAMES, OBJECTIVES, type ObjectiveName } from "../objectives/registry.ts";
import {
  ConfigError,
  parseTrainConfig,
  type TrainConfig,
  type TrainConfigInput,
} from "../run/config.ts";

/** Where config messages say the settings came from. */
export const FORM_SOURCE = "the form";

/** A model, prior or likelihood the form offers, with its registry's one-line summary. */
export interface Choice<N extends string> {
  name: N;
  summary: string;
}

/** The models: every objective of the registry (all train without supervision). */
export const MODEL_CHOICES: Choice<ObjectiveName>[] = OBJECTIVE_NAMES.map((name) => ({
  name,
  summary: OBJECTIVES[name].summary,
}));
export const PRIOR_CHOICES: Choice<PriorName>[] = PRIOR_NAMES.map((name) => ({
  name,
  summary: PRIORS[name].summary,
}));
export const LIKELIHOOD_CHOICES: Choice<LikelihoodName>[] = LIKELIHOOD_NAMES.map((name) => ({
  name,
  summary: LIKELIHOODS[name].summary,
}));

/** The hyperparameters of `model`, in its schema's order. */
export function modelFields(model: ObjectiveName): FieldDoc[] {
  return fieldDocs(OBJECTIVES[model].schema);
}

/** The options of `likelihood`, in its schema's order. */
export function likelihoodFields(likelihood: LikelihoodName): FieldDoc[] {
  return fieldDocs(LIKELIHOODS[likelihood].schema);
}

/** The page's sprites: 3 shapes x 3 scales x 8 orientations x 8x8 positions. */
export const SPRITE_OPTIONS = { positions: 8, scales: 3, orientations: 8 } as const;

/** The form's values. Descriptor fields are kept as typed, per model and per likelihood. */
export interface TrainForm {
  model: ObjectiveName;
  prior: PriorName;
  likelihood: LikelihoodName;
  size: 16 | 32;
  z: number;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  /** Linear warm-up of the annealed weight (beta; capacity-vae's C) over this many steps; 0: off. */
  betaWarmupSteps: number;
  /** Seconds between traversal refreshes. */
  traversalEvery: number;
  /** Learned prior -> its components K (mixture components, VampPrior pseudo-inputs). */
  priorComponents: Partial<Record<LearnedPriorName, number>>;
  /** Model -> hyperparameter -> text. */
  hyperparameters: Record<string, Record<string, string>>;
  /** Likelihood -> option -> text. */
  likelihoodOptions: Record<string, Record<string, string>>;
}

/** A field's default as the form shows it ("" when it has none). */
function defaultText(field: FieldDoc): string {
  return field.default === undefined ? "" : String(field.default);
}

function defaultsOf(fields: FieldDoc[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, defaultText(f)]));
}

/** Whether `prior` has parameters of its own (and so a number of components). */
export function isLearnedPrior(prior: PriorName): prior is LearnedPriorName {
  return (LEARNED_PRIOR_NAMES as PriorName[]).includes(prior);
}

/**
 * The form's starting values: model, prior, likelihood, learning rate, seed and warm-up are
 * the config's defaults; z, batch and steps are smaller than the CLI's, for a run of minutes.
 */
export function defaultForm(): TrainForm {
  const defaults = parseTrainConfig({}, "defaults");
  return {
    model: defaults.model as ObjectiveName,
    prior: defaults.prior,
    likelihood: defaults.likelihood,
    size: 16,
    z: 6,
    steps: 1000,
    batch: 32,
    lr: defaults.lr,
    seed: defaults.seed,
    betaWarmupSteps: defaults.betaWarmupSteps,
    traversalEvery: 3,
    priorComponents: Object.fromEntries(
      LEARNED_PRIOR_NAMES.map((name) => [name, PRIORS[name].learned.defaultComponents]),
    ),
    hyperparameters: Object.fromEntries(
      OBJECTIVE_NAMES.map((name) => [name, defaultsOf(modelFields(name))]),
    ),
    likelihoodOptions: Object.fromEntries(
      LIKELIHOOD_NAMES.map((name) => [name, defaultsOf(likelihoodFields(name))]),
    ),
  };
}

/**
 * `?train.KEY=VALUE` settings over `form`: model, prior, likelihood, size, the numbers, and
 * any hyperparameter or likelihood option by name (for every model or likelihood that has it).
 */
export function formFromQuery(form: TrainForm, query: URLSearchParams): TrainForm {
  const out: TrainForm = {
    ...form,
    hyperparameters: structuredClone(form.hyperparameters),
    likelihoodOptions: structuredClone(form.likelihoodOptions),
  };
  for (const key of [
    "z",
    "steps",
    "batch",
    "lr",
    "seed",
    "betaWarmupSteps",
    "traversalEvery",
  ] as const) {
    const v = query.get(`train.${key}`);
    if (v !== null && v.trim() !== "" && Number.isFinite(Number(v))) out[key] = Number(v);
  }
  const size = query.get("train.size");
  if (size === "16" || size === "32") out.size = Number(size) as 16 | 32;
  const model = query.get("train.model");
  if (OBJECTIVE_NAMES.includes(model as ObjectiveName)) out.model = model as ObjectiveName;
  const prior = query.get("train.prior");
  if (PRIOR_NAMES.includes(prior as PriorName)) out.prior = prior as PriorName;
  const likelihood = query.get("train.likelihood");
  if (LIKELIHOOD_NAMES.includes(likelihood as LikelihoodName)) {
    out.likelihood = likelihood as LikelihoodName;
  }
  for (const values of [
    ...Object.values(out.hyperparameters),
    ...Object.values(out.likelihoodOptions),
  ]) {
    for (const name of Object.keys(values)) {
      const v = query.get(`train.${name}`);
      if (v !== null) values[name] = v;
    }
  }
  return out;
}

/**
 * A field's text as its type: a number where the text is one (numeric fields, and those that
 * take a number or a word such as a likelihood's "learned" scale), a list for lists, else the
 * text, which validation then quotes if it does not fit.
 */
function fieldValue(field: FieldDoc, text: string): unknown {
  if (field.type === "number" || field.type === "integer") {
    const value = Number(text);
    return text.trim() !== "" && Number.isFinite(value) ? value : text;
  }
  if (field.type === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (field.type === "array") {
    return text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }
  return text;
}

function fieldValues(fields: FieldDoc[], texts: Record<string, string> | undefined) {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const text = texts?.[field.name] ?? defaultText(field);
    // A field without a default left empty stays out (its own default applies).
    if (text === "" && field.default === undefined) continue;
    out[field.name] = fieldValue(field, text);
  }
  return out;
}

/**
 * The run's settings as a config file holds them: the chosen model's hyperparameters and the
 * chosen likelihood's options only (the config refuses another's).
 */
export function configInput(form: TrainForm): TrainConfigInput {
  const stepsValid = Number.isInteger(form.steps) && form.steps > 0;
  return {
    model: form.model,
    prior: form.prior,
    likelihood: form.likelihood,
    data: "sprites",
    dataOptions: { size: form.size, ...SPRITE_OPTIONS },
    z: form.z,
    batch: form.batch,
    steps: form.steps,
    lr: form.lr,
    seed: form.seed,
    betaWarmupSteps: form.betaWarmupSteps,
    ...(isLearnedPrior(form.prior) ? { priorComponents: form.priorComponents[form.prior] } : {}),
    logEvery: 10,
    // One checkpoint, at the end (the zip); a bad `steps` is reported once, as itself.
    ...(stepsValid ? { checkpointEvery: form.steps } : {}),
    ...fieldValues(modelFields(form.model), form.hyperparameters[form.model]),
    ...fieldValues(likelihoodFields(form.likelihood), form.likelihoodOptions[form.likelihood]),
  } as TrainConfigInput;
}

/** The form's settings as the library parses them, or why it refuses them. */
export type FormCheck =
  | { config: TrainConfig; refusal?: undefined }
  | {
      config?: undefined;
      /** The config parser's message, one line per problem. */
      refusal: string;
      /** The settings the problems are about (first path segment of each). */
      fields: string[];
    };

/** Validates the form's settings with parseTrainConfig, as `disentangle train --config` would. */
export function checkForm(form: TrainForm): FormCheck {
  try {
    return { config: parseTrainConfig(configInput(form), FORM_SOURCE) };
  } catch (error) {
    if (error instanceof ConfigError) {
      return {
        refusal: error.message,
        fields: (error.issues ?? []).map((issue) => String(issue.path[0] ?? "")),
      };
    }
    return { refusal: error instanceof Error ? error.message : String(error), fields: [] };
  }
}
