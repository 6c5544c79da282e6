/** `disentangle train`: flags or `--config run.json` (flags win), `--resume runs/NAME`. */
import type { Command } from "commander";
import type { DeviceName } from "../engine/device.ts";
import type { TrainConfig } from "../run/config.ts";

/** Flag name -> config field, for flags whose value is a number. */
const NUMERIC_FLAGS = {
  beta: "beta",
  alpha: "alpha",
  gamma: "gamma",
  betaWarmup: "betaWarmupSteps",
  z: "z",
  batch: "batch",
  steps: "steps",
  lr: "lr",
  seed: "seed",
  weightDecay: "weightDecay",
  clipGradNorm: "clipGradNorm",
  validationFraction: "validationFraction",
  logEvery: "logEvery",
  checkpointEvery: "checkpointEvery",
  tripletsPerQuery: "tripletsPerQuery",
  tripletWeight: "tripletWeight",
  tripletMargin: "tripletMargin",
  dimsPerQuery: "dimsPerQuery",
  maskL1: "maskL1",
  evalTriplets: "evalTriplets",
} as const;
const STRING_FLAGS = {
  model: "model",
  data: "data",
  root: "root",
  arch: "architecture",
  likelihood: "likelihood",
  estimator: "estimator",
  out: "out",
  base: "base",
  divergence: "divergence",
  divergenceEstimator: "divergenceEstimator",
  masks: "masks",
} as const;

/** Keeps non-numeric text as is, so validation reports the bad value instead of NaN. */
function toNumber(text: string): number | string {
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) ? value : text;
}

/** "identity=1,2,3" -> { factor: "identity", values: [1, 2, 3] }. */
export function parseHoldOut(text: string): { factor: string; values: unknown[] } {
  const at = text.indexOf("=");
  if (at < 1) {
    throw new Error(
      `--hold-out ${JSON.stringify(text)}: expected FACTOR=V1,V2,... (e.g. identity=1,2,3)`,
    );
  }
  return {
    factor: text.slice(0, at),
    values: text
      .slice(at + 1)
      .split(",")
      .map((v) => toNumber(v)),
  };
}

export function flagOverrides(opts: Record<string, unknown>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(NUMERIC_FLAGS)) {
    if (opts[flag] !== undefined) overrides[field] = toNumber(String(opts[flag]));
  }
  for (const [flag, field] of Object.entries(STRING_FLAGS)) {
    if (opts[flag] !== undefined) overrides[field] = opts[flag];
  }
  if (opts.queries !== undefined) {
    overrides.queries = String(opts.queries)
      .split(",")
      .map((q) => q.trim())
      .filter((q) => q !== "");
  }
  if (opts.holdOut !== undefined) overrides.holdOut = parseHoldOut(String(opts.holdOut));
  if (opts.gaussianVariance !== undefined) {
    const text = String(opts.gaussianVariance);
    overrides.gaussianVariance = text === "learned" ? text : toNumber(text);
  }
  return overrides;
}

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description(
      "train a VAE, beta-VAE, beta-TCVAE or triplet VAE; writes checkpoints and a JSONL log to --out",
    )
    .option("--config <file>", "JSON file of training settings (flags override it)")
    .option("--model <name>", "vae | beta-vae | beta-tcvae | triplet-vae (default beta-tcvae)")
    .option("--data <name>", "dataset name (default sprites)")
    .option("--root <path>", "dataset folder or file, for datasets read from disk")
    .option("--arch <name>", "mlp-chen | conv-burgess | conv-small (default: from the image size)")
    .option("--likelihood <name>", "bernoulli | gaussian (default bernoulli)")
    .option("--gaussian-variance <v>", "fixed decoder variance, or 'learned' (default 1)")
    .option("--z <n>", "latent dimensions (default 10)")
    .option(
      "--beta <b>",
      "weight of the KL (beta-VAE) or of the total correlation (beta-TCVAE); default 6",
    )
    .option("--alpha <a>", "beta-TCVAE weight of the index-code mutual information (default 1)")
    .option("--gamma <g>", "beta-TCVAE weight of the dimension-wise KL (default 1)")
    .option(
      "--estimator <name>",
      "beta-TCVAE estimator of log q(z): mss (stratified, default) | mws (weighted)",
    )
    .option("--beta-warmup <steps>", "anneal beta linearly over this many steps (default 0: off)")
    .option("--batch <n>", "batch size (default 64)")
    .option("--steps <n>", "total number of optimisation steps (default 1000)")
    .option("--lr <rate>", "Adam learning rate (default 1e-3)")
    .option("--weight-decay <w>", "Adam L2 weight decay (default 0)")
    .option("--clip-grad-norm <n>", "clip the global gradient norm to this value")
    .option("--seed <n>", "random seed (default 0)")
    .option("--validation-fraction <f>", "fraction of the data held out (default 0.05)")
    .option("--log-every <n>", "log a row every n steps (default 50)")
    .option("--checkpoint-every <n>", "checkpoint every n steps (default 500)")
    .option("--out <dir>", "run folder (default runs/default)")
    .option(
      "--base <model>",
      "triplet-vae: its unsupervised objective, vae | beta-vae | beta-tcvae (default vae)",
    )
    .option(
      "--queries <list>",
      "triplet-vae: notions of similarity, comma-separated factor names ('a+b' for several)",
    )
    .option("--triplets-per-query <n>", "triplet-vae: triplets per query per step (default 16)")
    .option(
      "--triplet-weight <l>",
      "triplet-vae: weight λ of the mean triplet log-likelihood (default: values per image, H·W·C)",
    )
    .option("--triplet-margin <m>", "triplet-vae: margin for continuous factors (default 0)")
    .option(
      "--divergence <name>",
      "triplet-vae: jensen-shannon | symmetric-kl | mean-squared (default jensen-shannon)",
    )
    .option(
      "--divergence-estimator <name>",
      "triplet-vae: jensen-shannon by gauss-hermite (default) | monte-carlo",
    )
    .option(
      "--masks <kind>",
      "triplet-vae: fixed (disjoint blocks, default) | learned (L1-penalised)",
    )
    .option("--dims-per-query <n>", "triplet-vae: latent dimensions per query for fixed masks")
    .option("--mask-l1 <w>", "triplet-vae: L1 weight on learned masks (default 1e-3)")
    .option(
      "--hold-out <factor=values>",
      "keep images with these factor values out of training, e.g. identity=1,2,3",
    )
    .option(
      "--eval-triplets <n>",
      "triplet-vae: held-out triplets per query for the logged accuracy (default 500)",
    )
    .option("--resume <dir>", "continue the run in <dir> up to --steps")
    .option("--device <name>", "wasm | webgpu | cpu (default wasm)", "wasm")
    .option("--no-progress", "no progress output")
    .action(async (opts: Record<string, unknown>) => {
      const { initEngine } = await import("../engine/device.ts");
      const { parseTrainConfig } = await import("../run/config.ts");
      const { loadTrainConfigFile } = await import("../run/config-file.ts");
      const { readRunConfig } = await import("../run/checkpoint.ts");
      const { runTraining } = await import("../run/run-training.ts");
      const engine = await initEngine(opts.device as DeviceName);
      const overrides = flagOverrides(opts);
      const resumeDir = opts.resume as string | undefined;
      let config: TrainConfig;
      if (resumeDir !== undefined) {
        const extra = Object.keys(overrides).filter((field) => field !== "steps");
        if (extra.length > 0 || opts.config !== undefined) {
          throw new Error(
            `--resume continues ${resumeDir} with its saved settings; only --steps may be given with it (got ${[...extra, ...(opts.config ? ["config"] : [])].join(", ")})`,
          );
        }
        config = { ...readRunConfig(resumeDir), ...overrides, out: resumeDir } as TrainConfig;
      } else if (opts.config !== undefined) {
        config = loadTrainConfigFile(String(opts.config), overrides);
      } else {
        config = parseTrainConfig(overrides, "command line");
      }
      console.log(
        `training ${config.model} on ${config.data} for ${config.steps} steps (batch ${config.batch}, z ${config.z}) on ${engine.device} with ${engine.threads} thread(s) -> ${config.out}`,
      );
      const summary = await runTraining(config, {
        resume: resumeDir !== undefined,
        progress: opts.progress !== false,
      });
      const last = summary.last
        ? Object.entries(summary.last)
            .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
            .join(" ")
        : "";
      console.log(
        `${summary.stoppedBy === "interrupted" ? "interrupted; checkpoint saved" : "done"} at step ${summary.step} in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(0)} img/s)\n${last}\nrun folder: ${summary.runDir} (config.json, checkpoint.safetensors, log.jsonl)`,
      );
      if (summary.stoppedBy === "interrupted") process.exitCode = 130;
    });
}
