/**
 * Run folders and checkpoints. A run folder holds
 * - `config.json`: the validated training configuration (written once, atomically);
 * - `checkpoint.safetensors`: parameters (`params.*`), Adam state (`opt.*`), and in its
 *   metadata the step, the PRNG key and the format version; written atomically, so a
 *   crash mid-write leaves the previous checkpoint intact;
 * - `log.jsonl`: one row every `logEvery` steps (see `log.ts`).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AdamState } from "../engine/adam.ts";
import { writeFileAtomic } from "../engine/atomic-write.ts";
import type { EngineInfo } from "../engine/device.ts";
import { tree as jaxTree } from "../engine/jax.ts";
import { keyFromData, keyToData } from "../engine/prng.ts";
import { loadTree, saveTree } from "../engine/safetensors-file.ts";
import { conformTree } from "../engine/tree-names.ts";
import type { TrainingState } from "../train/loop.ts";
import {
  ConfigError,
  dropForeignHyperparameters,
  parseTrainConfig,
  type TrainConfig,
} from "./config.ts";

export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const CONFIG_FILE = "config.json";
export const LOG_FILE = "log.jsonl";
const FORMAT = "disentangle-checkpoint-v1";

/** What a checkpoint holds: the training state (the loop's {@link TrainingState}). */
export type Checkpoint<P> = TrainingState<P>;

/**
 * Writes config.json; `engine` (the device and threads the run trained on) is recorded beside
 * the settings for the record and ignored when the config is read back.
 */
export function writeRunConfig(runDir: string, config: TrainConfig, engine?: EngineInfo): void {
  mkdirSync(runDir, { recursive: true });
  const record = engine ? { ...config, engine } : config;
  writeFileAtomic(join(runDir, CONFIG_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export function readRunConfig(runDir: string): TrainConfig {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) {
    throw new ConfigError(
      `${runDir}: not a run folder (no ${CONFIG_FILE}); train one with \`disentangle train --out ${runDir}\``,
    );
  }
  const text = readFileSync(path, "utf8");
  const { engine: _engine, ...settings } = JSON.parse(text) as Record<string, unknown>;
  return parseTrainConfig(dropForeignHyperparameters(settings), path, text);
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(join(runDir, CHECKPOINT_FILE));
}

/** Saves params, optimizer state, step and key. Consumes nothing. */
export async function saveCheckpoint<P>(runDir: string, checkpoint: Checkpoint<P>): Promise<void> {
  const keyData = keyToData(checkpoint.key.ref);
  await saveTree(
    join(runDir, CHECKPOINT_FILE),
    { params: checkpoint.params, opt: checkpoint.opt } as never,
    {
      format: FORMAT,
      step: String(checkpoint.step),
      key: globalThis.Array.from(keyData).join(","),
    },
  );
}

/**
 * Loads a checkpoint written by {@link saveCheckpoint}. With `template` (parameters and Adam
 * state freshly initialised from the run's config; not consumed), the loaded trees take its
 * structure: empty subtrees, which the file cannot record, come back, and a checkpoint that
 * does not fit the config is a clear error instead of a crash in the first step.
 */
export function loadCheckpoint<P>(
  runDir: string,
  template?: { params: P; opt: AdamState<P> },
): Checkpoint<P> {
  const path = join(runDir, CHECKPOINT_FILE);
  if (!existsSync(path)) {
    throw new ConfigError(
      `${runDir}: no ${CHECKPOINT_FILE} yet (the run has config.json but has not saved a checkpoint; train it, or wait for its first checkpoint)`,
    );
  }
  const { tree, metadata } = loadTree(path);
  if (metadata.format !== FORMAT) {
    throw new ConfigError(
      `${path}: not a disentangle checkpoint (metadata format ${JSON.stringify(metadata.format)}, expected ${FORMAT})`,
    );
  }
  const step = Number(metadata.step);
  const keyWords = (metadata.key ?? "").split(",").map(Number);
  if (
    !Number.isInteger(step) ||
    step < 0 ||
    keyWords.length !== 2 ||
    keyWords.some((w) => !Number.isInteger(w))
  ) {
    throw new ConfigError(
      `${path}: corrupt checkpoint metadata (step ${metadata.step}, key ${metadata.key})`,
    );
  }
  let saved = tree as unknown;
  if (template !== undefined) {
    try {
      saved = conformTree(template, tree, path);
    } catch (error) {
      jaxTree.dispose(tree);
      throw new ConfigError(
        `${(error as Error).message} (the checkpoint does not fit the run's config.json; was it edited?)`,
      );
    }
  }
  const { params, opt } = saved as { params: P; opt: AdamState<P> };
  return { step, params, opt, key: keyFromData(Uint32Array.from(keyWords)) };
}
