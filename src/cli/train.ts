/** `disentangle train`: flags or `--config run.json` (flags win), `--resume runs/NAME`. */
import type { Command } from "commander";
import { LIKELIHOOD_NAMES } from "../distributions/likelihoods/registry.ts";
import { LEARNED_PRIOR_NAMES, PRIOR_NAMES, PRIORS } from "../distributions/priors.ts";
import { OBJECTIVE_NAMES } from "../objectives/registry.ts";
import {
  hyperparameterDocs,
  likelihoodOptionDocs,
  MODEL_NAMES,
  type TrainConfig,
} from "../run/config.ts";
import {
  descriptorFlag,
  descriptorFlagHelp,
  descriptorFlagValue,
  toNumber,
} from "./descriptor-flags.ts";

/** Flag name -> config field, for the run settings whose value is a number. */
const NUMERIC_FLAGS = {
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
  priorComponents: "priorComponents",
} as const;
const STRING_FLAGS = {
  model: "model",
  base: "base",
  data: "data",
  root: "root",
  arch: "architecture",
  likelihood: "likelihood",
  prior: "prior",
  out: "out",
} as const;

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
  for (const { name, type } of [...hyperparameterDocs(), ...likelihoodOptionDocs()]) {
    const text = opts[name];
    if (text !== undefined) overrides[name] = descriptorFlagValue(type, String(text));
  }
  if (opts.holdOut !== undefined) overrides.holdOut = parseHoldOut(String(opts.holdOut));
  return overrides;
}

export function registerTrain(program: Command): void {
  const command = program
    .command("train")
    .description(
      "train a model (--model: any objective of the registry, or the triplet VAE); writes checkpoints and a JSONL log to --out",
    )
    .option("--config <file>", "JSON file of training settings (flags override it)")
    .option("--model <name>", `${MODEL_NAMES.join(" | ")} (default beta-tcvae)`)
    .option(
      "--base <objective>",
      `triplet-vae: its unsupervised objective, ${OBJECTIVE_NAMES.join(" | ")} (default vae)`,
    )
    .option("--data <name>", "dataset name (default sprites)")
    .option("--root <path>", "dataset folder or file, for datasets read from disk")
    .option("--arch <name>", "mlp-chen | conv-burgess | conv-small (default: from the image size)")
    .option(
      "--likelihood <name>",
      `p(x|z): ${LIKELIHOOD_NAMES.join(" | ")} (default bernoulli); its options below`,
    )
    .option("--prior <name>", `the prior p(z): ${PRIOR_NAMES.join(" | ")} (default normal)`)
    .option(
      "--prior-components <k>",
      `a learned prior's components (${LEARNED_PRIOR_NAMES.map((n) => `${n}: default ${PRIORS[n].learned.defaultComponents}`).join("; ")})`,
    )
    .option("--z <n>", "latent dimensions (default 10)")
    .option(
      "--beta-warmup <steps>",
      "linear warm-up over this many steps of the annealed weight (beta; the capacity C of capacity-vae) (default 0: off)",
    )
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
      "--hold-out <factor=values>",
      "keep images with these factor values out of training, e.g. identity=1,2,3",
    )
    .option("--resume <dir>", "continue the run in <dir> up to --steps")
    .option("--no-progress", "no progress output");
  for (const entry of [...likelihoodOptionDocs(), ...hyperparameterDocs()]) {
    command.option(descriptorFlag(entry), descriptorFlagHelp(entry));
  }
  command.action(async (opts: Record<string, unknown>) => {
    const { initEngine } = await import("../engine/device.ts");
    const { parseTrainConfig } = await import("../run/config.ts");
    const { loadTrainConfigFile } = await import("../run/config-file.ts");
    const { readRunConfig } = await import("../run/checkpoint.ts");
    const { runTraining } = await import("../run/run-training.ts");
    const engine = await initEngine();
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
    const { createPrior } = await import("../distributions/priors.ts");
    const { PRIOR_DIVERGENCES } = await import("../objectives/prior-term.ts");
    const divergence = config.priorDivergence ?? "kl";
    const prior = createPrior(config.prior, config.priorComponents);
    const estimator = PRIOR_DIVERGENCES[divergence].estimator(prior.posterior, prior.family);
    const priorTerm = divergence === "kl" ? `KL by ${estimator}` : `${divergence} by ${estimator}`;
    console.log(
      `training ${config.model} on ${config.data} for ${config.steps} steps (batch ${config.batch}, z ${config.z}, prior ${config.prior}: ${priorTerm}) on ${engine.device} with ${engine.threads} thread(s) -> ${config.out}`,
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
