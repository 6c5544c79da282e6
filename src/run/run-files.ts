/**
 * A run folder's files as text and bytes, free of any platform: what `config.json`,
 * `checkpoint.safetensors` and `log.jsonl` hold and how they are written and read. The Node
 * side (`checkpoint.ts`, `log.ts`) adds the disk; a page reads the same files from fetched
 * bytes and writes them into a download (the explorer's in-page training), so a run made in
 * a browser is a run folder `disentangle` reads.
 */

import type { AdamState } from "../engine/adam.ts";
import type { EngineInfo } from "../engine/device.ts";
import { tree as jaxTree } from "../engine/jax.ts";
import { keyFromData, keyToData } from "../engine/prng.ts";
import { decodeTree, encodeTree } from "../engine/safetensors.ts";
import { conformTree } from "../engine/tree-names.ts";
import type { LogRow, TrainingState } from "../train/loop.ts";
import {
  ConfigError,
  dropForeignHyperparameters,
  parseTrainConfig,
  type TrainConfig,
} from "./config.ts";

export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const CONFIG_FILE = "config.json";
export const LOG_FILE = "log.jsonl";
/** The `format` metadata of a checkpoint. */
export const CHECKPOINT_FORMAT = "disentangle-checkpoint-v1";

/**
 * The text of `config.json`: the validated settings and, for the record, the engine the run
 * trained on (ignored when the config is read back).
 */
export function runConfigText(config: TrainConfig, engine?: EngineInfo): string {
  const record = engine ? { ...config, engine } : config;
  return `${JSON.stringify(record, null, 2)}\n`;
}

/**
 * Parses the text of a `config.json` (`source` names it in errors): drops the engine record
 * and hyperparameters of other models that earlier versions wrote, then validates.
 */
export function runConfigFromText(text: string, source: string): TrainConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${source}: expected a JSON object of run settings`);
  }
  const { engine: _engine, ...settings } = parsed as Record<string, unknown>;
  return parseTrainConfig(dropForeignHyperparameters(settings), source, text);
}

/** A checkpoint's bytes: parameters (`params.*`), Adam state (`opt.*`), step, key, format. Borrows the state. */
export async function checkpointBytes<P>(
  state: TrainingState<P>,
  source: string,
): Promise<Uint8Array> {
  const keyData = keyToData(state.key.ref);
  return encodeTree(
    { params: state.params, opt: state.opt } as never,
    {
      format: CHECKPOINT_FORMAT,
      step: String(state.step),
      key: Array.from(keyData).join(","),
    },
    source,
  );
}

/**
 * Reads checkpoint bytes written by {@link checkpointBytes} (`source` names them in errors).
 * With `template` (parameters and Adam state freshly initialised from the run's config; not
 * consumed) the loaded trees take its structure: empty subtrees, which the file cannot record,
 * come back, and a checkpoint that does not fit the config is a clear error.
 */
export function checkpointFromBytes<P>(
  bytes: Uint8Array,
  source: string,
  template?: { params: P; opt: AdamState<P> },
): TrainingState<P> {
  const { tree, metadata } = decodeTree(bytes, source);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    jaxTree.dispose(tree);
    throw new ConfigError(
      `${source}: not a disentangle checkpoint (metadata format ${JSON.stringify(metadata.format)}, expected ${CHECKPOINT_FORMAT})`,
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
    jaxTree.dispose(tree);
    throw new ConfigError(
      `${source}: corrupt checkpoint metadata (step ${metadata.step}, key ${metadata.key})`,
    );
  }
  let saved = tree as unknown;
  if (template !== undefined) {
    try {
      saved = conformTree(template, tree, source);
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

/** One JSON line per log row. */
export function logRowText(row: LogRow): string {
  return `${JSON.stringify(row)}\n`;
}

/** The rows of a `log.jsonl` text (`source` names it in errors; blank lines skipped). */
export function logRowsFromText(text: string, source: string): LogRow[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as LogRow;
      } catch {
        throw new Error(`${source}:${i + 1}: not a JSON log row: ${line.slice(0, 80)}`);
      }
    });
}
