/**
 * The bit-for-bit resume check the run tests share: a run trained straight to `steps`, and the
 * same config trained to half the steps, then resumed to `steps`.
 */
import { join } from "node:path";
import { tree } from "../../src/engine/jax.ts";
import { loadCheckpoint } from "../../src/run/checkpoint.ts";
import type { TrainConfig } from "../../src/run/config.ts";
import { runTraining } from "../../src/run/run-training.ts";

/** Every parameter array of the run folder's checkpoint, as data. */
export async function checkpointLeafData(runDir: string): Promise<unknown[]> {
  const { params } = loadCheckpoint(runDir);
  const arrays = tree.leaves(params as never) as { data(): Promise<unknown> }[];
  return Promise.all(arrays.map((a) => a.data()));
}

/**
 * Trains `dir/straight` to `steps` and `dir/resumed` to `steps / 2` then on to `steps`
 * (`config(out, steps)` makes each config); returns both folders.
 */
export async function trainStraightAndResumed(
  dir: string,
  config: (out: string, steps: number) => TrainConfig,
  steps: number,
): Promise<{ straight: string; resumed: string }> {
  const [straight, resumed] = [join(dir, "straight"), join(dir, "resumed")];
  await runTraining(config(straight, steps), { progress: false });
  await runTraining(config(resumed, steps / 2), { progress: false });
  await runTraining(config(resumed, steps), { progress: false, resume: true });
  return { straight, resumed };
}
