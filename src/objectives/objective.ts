/**
 * The interface between a model's forward pass and the quantity it minimises. A model hands
 * over a {@link LatentBatch}; an {@link Objective} turns it into a scalar loss plus scalar
 * terms for logging. Each objective is one file exporting one descriptor (descriptor.ts);
 * registry.ts lists them.
 */
import type { Distribution } from "../distributions/distribution.ts";
import type { Array } from "../engine/jax.ts";

/** One minibatch through encoder, reparameterisation and decoder (all jax arrays). */
export interface LatentBatch {
  /** [B] log p(x_i | z_i), summed over pixels. */
  logPxGivenZ: Array;
  /** [B, Z] the reparameterised sample z_i ~ q(z | x_i). */
  z: Array;
  /** q(z | x_i), parameters [B, Z]. */
  posterior: Distribution;
  /** The model's prior p(z), parameters [Z]. */
  prior: Distribution;
}

export interface ObjectiveContext {
  /** N, the number of training examples (beta-TCVAE's estimators of q(z) need it). */
  datasetSize: number;
  /**
   * Scalar a in [0, 1] from the train loop's linear warm-up, min(1, step / warmup), or 1 when
   * there is none. Most objectives multiply their annealed weight by it, the one called beta:
   * effective weight = beta · a (Chen et al. 2018's beta annealing, 0 -> beta); capacity-vae
   * schedules its target capacity with it instead.
   */
  annealing: Array;
  /**
   * A PRNG key for the objective's own draws (the prior samples of some prior divergences,
   * prior-term.ts): given exactly when the objective's `needsKey` is true.
   */
  key?: Array;
}

export interface ObjectiveResult {
  /** Scalar, minimised. */
  loss: Array;
  /**
   * Scalars, means over the batch: reconstruction (-log p(x|z)), kl, elbo, and for
   * beta-TCVAE mi, tc, dwkl. Reported unweighted and unannealed.
   */
  terms: Record<string, Array>;
}

export interface Objective {
  readonly name: string;
  /** True when `evaluate` draws random numbers of its own and must be given `ctx.key`. */
  readonly needsKey?: boolean;
  /**
   * Posterior samples per image, K (default 1): the task repeats each image K times in the
   * batch, rows i·K .. i·K + K − 1 being image i, each with its own noise (vr-bound.ts).
   */
  readonly samplesPerExample?: number;
  /** Consumes every array of `batch` and `ctx`. Pure: usable inside grad and jit. */
  evaluate(batch: LatentBatch, ctx: ObjectiveContext): ObjectiveResult;
}
