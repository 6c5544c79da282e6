/**
 * A training task: what the step optimises (parameters, inputs, loss) and how step t's
 * inputs are made. The training loop (run-training.ts) is the same for every task.
 */
import type { Array } from "../engine/jax.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import type { LossFunction } from "./train-step.ts";

/** Every task's parameters hold the VAE's under `vae`, plus anything task-specific. */
export type TaskParams = { vae: VaeParams; [extra: string]: unknown };

export interface TrainingTask<P extends TaskParams, I> {
  readonly model: Vae;
  /** Number of training images (the N of the beta-TCVAE estimators). */
  readonly datasetSize: number;
  init(key: Array): P;
  loss: LossFunction<P, I>;
  /** The inputs of step `step` (1-based): a pure function of the run's seed and `step`. Borrows `noiseKey`. */
  inputsAt(step: number, noiseKey: Array): I;
  /** Extra figures logged with each row (e.g. held-out triplet accuracy). Borrows `params`. */
  evaluate?(params: P): Promise<Record<string, number>>;
}
