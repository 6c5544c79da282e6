/** Objectives by name: a typed table of factories, no string evaluation. */
import { betaTcvaeObjective } from "./beta-tcvae.ts";
import { betaVaeObjective } from "./beta-vae.ts";
import type { Estimator } from "./importance-weights.ts";
import {
  OBJECTIVE_NAMES,
  type Objective,
  type ObjectiveConfigs,
  type ObjectiveName,
} from "./objective.ts";
import { vaeObjective } from "./vae.ts";

export const objectiveRegistry: {
  [K in ObjectiveName]: (config: ObjectiveConfigs[K]) => Objective;
} = {
  vae: () => vaeObjective(),
  "beta-vae": (config) => betaVaeObjective(config),
  "beta-tcvae": (config) => betaTcvaeObjective(config),
};

/** The union of every objective's hyperparameters, as a run configuration holds them. */
export interface ObjectiveOptions {
  beta?: number;
  alpha?: number;
  gamma?: number;
  estimator?: Estimator;
}

/**
 * Builds the objective `name` from a run's options, taking the fields it uses; defaults are
 * beta 6 (beta-VAE, beta-TCVAE), alpha = gamma = 1, estimator "mws". The VAE accepts only
 * beta = 1 (or none).
 */
export function createObjective(name: ObjectiveName, options: ObjectiveOptions = {}): Objective {
  switch (name) {
    case "vae":
      if (options.beta !== undefined && options.beta !== 1) {
        throw new RangeError(
          `vae: beta is ${options.beta}, the plain VAE has beta = 1; use beta-vae`,
        );
      }
      return objectiveRegistry.vae({});
    case "beta-vae":
      return objectiveRegistry["beta-vae"]({ beta: options.beta ?? 6 });
    case "beta-tcvae":
      return objectiveRegistry["beta-tcvae"]({
        alpha: options.alpha ?? 1,
        beta: options.beta ?? 6,
        gamma: options.gamma ?? 1,
        estimator: options.estimator ?? "mws",
      });
    default:
      throw new RangeError(
        `objective ${JSON.stringify(name)}: expected one of ${OBJECTIVE_NAMES.join(", ")}`,
      );
  }
}
