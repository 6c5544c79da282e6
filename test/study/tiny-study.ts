/** The tiny study of the runner tests. */
import { TINY_SPRITES } from "../helpers/cli.ts";

/** A tiny study: 2 models x `betas`, 20 steps, checkpoints every 5, one cheap metric. */
export function tinyStudy(name: string, betas: number[], extra: Record<string, unknown> = {}) {
  return {
    name,
    shared: {
      data: "sprites",
      dataOptions: TINY_SPRITES,
      architecture: "mlp-chen",
      z: 4,
      batch: 16,
      lr: 0.003,
      logEvery: 5,
      checkpointEvery: 5,
    },
    models: [{ model: "beta-vae" }, { model: "beta-tcvae" }],
    grid: { beta: betas },
    seeds: [0],
    budget: { steps: 20 },
    metrics: { "mig-dlib": {} },
    ...extra,
  };
}
