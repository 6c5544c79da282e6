/**
 * Objectives by name: a typed table of descriptors, no string evaluation. Adding an objective
 * is one file exporting a descriptor (see descriptor.ts) and one line here; the config schema,
 * the `train` flags, `--help` and the README's table follow from it.
 */
import type { z } from "zod";
import { betaTcvae } from "./beta-tcvae.ts";
import { betaVae } from "./beta-vae.ts";
import { capacityVae } from "./capacity-vae.ts";
import { parseHyperparameters } from "./descriptor.ts";
import type { Objective } from "./objective.ts";
import { tripletVae } from "./triplet-vae.ts";
import { vae } from "./vae.ts";
import { vrBound } from "./vr-bound.ts";

/** The objective registry: name -> descriptor (paper, hyperparameters with defaults, the objective). */
export const OBJECTIVES = {
  vae,
  "beta-vae": betaVae,
  "beta-tcvae": betaTcvae,
  "capacity-vae": capacityVae,
  "vr-bound": vrBound,
} as const;

export type ObjectiveName = keyof typeof OBJECTIVES;

/**
 * The supervised latent term of the triplet VAE (Karaletsos et al. 2016): a model made of any
 * objective above (its `base`) plus this term, whose descriptor holds the term's
 * hyperparameters. The metric losses of later work take the same slot.
 */
export const SUPERVISED_TERM = tripletVae;
/** The names of {@link OBJECTIVES}, as `--model` accepts them. */
export const OBJECTIVE_NAMES = Object.keys(OBJECTIVES) as [ObjectiveName, ...ObjectiveName[]];

/** The hyperparameters `name` takes, as a caller writes them (every field optional). */
export type ObjectiveOptions<K extends ObjectiveName> = z.input<(typeof OBJECTIVES)[K]["schema"]>;

/**
 * Builds the objective `name`; hyperparameters left out take the descriptor's defaults.
 * Throws a RangeError naming the objective, the field and the value.
 */
export function createObjective<K extends ObjectiveName>(
  name: K,
  options: ObjectiveOptions<K> = {} as ObjectiveOptions<K>,
): Objective {
  const descriptor = OBJECTIVES[name];
  if (descriptor === undefined) {
    throw new RangeError(
      `objective ${JSON.stringify(name)}: expected one of ${OBJECTIVE_NAMES.join(", ")}`,
    );
  }
  const create = descriptor.create as (options: unknown) => Objective;
  return create(parseHyperparameters(descriptor, options));
}
