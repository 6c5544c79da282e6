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
import type { TrainingState } from "../train/loop.ts";
import { ConfigError, type TrainConfig } from "./config.ts";
import {
  CHECKPOINT_FILE,
  CONFIG_FILE,
  checkpointBytes,
  checkpointFromBytes,
  runConfigFromText,
  runConfigText,
} from "./run-files.ts";

export { CHECKPOINT_FILE, CONFIG_FILE, LOG_FILE } from "./run-files.ts";

/** What a checkpoint holds: the training state (the loop's {@link TrainingState}). */
export type Checkpoint<P> = TrainingState<P>;

/**
 * Writes config.json; `engine` (the device and threads the run trained on) is recorded beside
 * the settings for the record and ignored when the config is read back.
 */
export function writeRunConfig(runDir: string, config: TrainConfig, engine?: EngineInfo): void {
  mkdirSync(runDir, { recursive: true });
  writeFileAtomic(join(runDir, CONFIG_FILE), runConfigText(config, engine));
}

export function readRunConfig(runDir: string): TrainConfig {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) {
    throw new ConfigError(
      `${runDir}: not a run folder (no ${CONFIG_FILE}); train one with \`disentangle train --out ${runDir}\``,
    );
  }
  return runConfigFromText(readFileSync(path, "utf8"), path);
}

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(join(runDir, CHECKPOINT_FILE));
}

/** Saves params, optimizer state, step and key. Consumes nothing. */
export async function saveCheckpoint<P>(runDir: string, checkpoint: Checkpoint<P>): Promise<void> {
  const path = join(runDir, CHECKPOINT_FILE);
  writeFileAtomic(path, await checkpointBytes(checkpoint, path));
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
  return checkpointFromBytes<P>(readFileSync(path), path, template);
}
