/** The first training state of a fresh run, shared by the Node driver, the browser and tests. */
import { adamInit } from "../engine/adam.ts";
import { keyFromSeed, splitKey } from "../engine/prng.ts";
import type { TrainingState } from "./loop.ts";
import type { TaskParams, TrainingTask } from "./task.ts";

/**
 * The first state of a fresh run: parameters from the seed's init key, a fresh Adam state
 * (Kingma & Ba 2015, Algorithm 1: m = v = 0) and the noise key for the first step.
 */
export function initialState<P extends TaskParams>(
  task: TrainingTask<P, unknown>,
  seed: number,
): TrainingState<P> {
  const [initKey, noiseKey] = splitKey(keyFromSeed(seed), 2);
  const params = task.init(initKey);
  return { step: 0, params, opt: adamInit(params), key: noiseKey };
}
