/** Training configurations read from JSON files, with errors that point at the file and line. */
import { readFileSync } from "node:fs";
import { ConfigError, parseTrainConfig, type TrainConfig } from "./config.ts";

/** Reads and validates a JSON config file; `overrides` (e.g. from flags) win over the file. */
export function loadTrainConfigFile(
  path: string,
  overrides: Record<string, unknown> = {},
): TrainConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${path}: cannot read config file (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${path}: expected a JSON object of training settings`);
  }
  return parseTrainConfig({ ...parsed, ...overrides }, path, text);
}
