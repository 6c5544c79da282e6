/** The run's JSONL log: one object per line with `step`, `loss` and every objective term. */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../engine/atomic-write.ts";
import type { LogRow } from "../train/loop.ts";
import { logRowsFromText, logRowText } from "./run-files.ts";

export function appendLogRow(path: string, row: LogRow): void {
  appendFileSync(path, logRowText(row));
}

export function readLog(path: string): LogRow[] {
  if (!existsSync(path)) return [];
  return logRowsFromText(readFileSync(path, "utf8"), path);
}

/**
 * Drops rows logged after `step` (written by a run that was killed after its last
 * checkpoint), so a resumed run's log has each step once.
 */
export function truncateLogAfter(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readLog(path).filter((row) => row.step <= step);
  writeFileAtomic(path, kept.map(logRowText).join(""));
}
