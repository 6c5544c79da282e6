/**
 * One jitted optimisation step: forward pass, objective, gradients and the Adam update,
 * traced once per run (fixed batch shape).
 */
import { type AdamConfig, type AdamState, adamUpdate } from "../engine/adam.ts";
import { type Array, jit, tree, valueAndGrad } from "../engine/jax.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import type { Objective } from "../objectives/objective.ts";

export interface StepOutput {
  params: VaeParams;
  opt: AdamState<VaeParams>;
  loss: Array;
  terms: Record<string, Array>;
}

export type TrainStep = (
  params: VaeParams,
  opt: AdamState<VaeParams>,
  x: Array,
  eps: Array,
  annealing: Array,
) => StepOutput;

export function makeTrainStep(
  model: Vae,
  objective: Objective,
  adam: AdamConfig,
  datasetSize: number,
): TrainStep {
  const lossAndTerms = (params: VaeParams, x: Array, eps: Array, annealing: Array) => {
    const { loss, terms } = objective.evaluate(model.forward(params, x, eps), {
      datasetSize,
      annealing,
    });
    return [loss, terms] as [Array, Record<string, Array>];
  };
  const lossAndGrad = valueAndGrad(lossAndTerms, { hasAux: true });
  return jit(
    (params: VaeParams, opt: AdamState<VaeParams>, x: Array, eps: Array, annealing: Array) => {
      const [[loss, terms], grads] = lossAndGrad(
        tree.ref(params),
        x,
        eps,
        annealing,
      ) as unknown as [[Array, Record<string, Array>], VaeParams];
      const next = adamUpdate(params, grads, opt, adam);
      return { params: next.params, opt: next.state, loss, terms };
    },
  ) as unknown as TrainStep;
}
