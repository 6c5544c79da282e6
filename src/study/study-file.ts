/** Study files read from disk, with errors that point at the file and line (expand.ts). */
import { readFileSync } from "node:fs";
import { ConfigError } from "../run/config.ts";
import { expandStudy, type Study } from "./expand.ts";

/** Reads, validates and expands a study file (`studies/*.json`). */
export function loadStudyFile(path: string): Study {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${path}: cannot read study file (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return expandStudy(parsed, path, text);
}
