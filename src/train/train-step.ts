/**
 * One jitted optimisation step for any training task: loss and its terms, gradients, and
 * the Adam update, traced once per run (every step has the same input shapes).
 */
import { type AdamConfig, type AdamState, adamUpdate } from "../engine/adam.ts";
import { type Array, jit, type OwnedFunction, tree, valueAndGrad } from "../engine/jax.ts";

/** The objective of a task: consumes params and inputs, returns the loss and its terms. */
export type LossFunction<P, I> = (params: P, inputs: I) => [Array, Record<string, Array>];

export type StepOutput<P> = {
  params: P;
  opt: AdamState<P>;
  loss: Array;
  terms: Record<string, Array>;
};

export type TrainStep<P, I> = (params: P, opt: AdamState<P>, inputs: I) => StepOutput<P>;

/** The jitted step; `dispose()` frees its compiled program and captured constants. */
export function makeTrainStep<P, I>(
  loss: LossFunction<P, I>,
  adam: AdamConfig,
): OwnedFunction<TrainStep<P, I>> {
  const lossAndGrad = valueAndGrad(loss as never, { hasAux: true }) as unknown as (
    params: P,
    inputs: I,
  ) => [[Array, Record<string, Array>], P];
  const step = (params: P, opt: AdamState<P>, inputs: I): StepOutput<P> => {
    const [[value, terms], grads] = lossAndGrad(tree.ref(params as never) as P, inputs);
    const next = adamUpdate(params, grads, opt, adam);
    return { params: next.params, opt: next.state, loss: value, terms };
  };
  return jit(step as never) as unknown as OwnedFunction<TrainStep<P, I>>;
}
