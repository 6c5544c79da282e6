/**
 * The run folders `disentangle serve` and `export-web` were given: found from the command's
 * arguments (a run folder, or a folder of run folders one level down), named by a URL-safe id,
 * summarised for the explorer's run list (model, dataset, step, metrics), and their held-out
 * images packed for the page.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { heldOutOrder, runSplit } from "../run/build.ts";
import { loadRunDataset } from "../run/build-dataset.ts";
import type { TrainConfig } from "../run/config.ts";
import { heldOutToBytes } from "../run/held-out-bytes.ts";
import { CHECKPOINT_FILE, CONFIG_FILE, LOG_FILE, runConfigFromText } from "../run/run-files.ts";

/** A run folder the server may read. */
export interface RunEntry {
  /** URL-safe and unique among the served runs. */
  id: string;
  /** The folder's real path (symlinks resolved). */
  dir: string;
  /** The folder as the user named it. */
  given: string;
}

/** What the run list shows of a run. */
export interface RunSummary {
  id: string;
  /** The folder as given on the command line. */
  path: string;
  model?: string;
  data?: string;
  z?: number;
  imageShape?: string;
  /** The last logged step. */
  step?: number;
  /** Steps the config asked for. */
  steps?: number;
  hasCheckpoint: boolean;
  /** Flattened eval.json values: "mig-dlib.mig" -> 0.02. */
  metrics: Record<string, number>;
  /** Why the run cannot be opened (bad config, no checkpoint). */
  problem?: string;
}

/** The run folders among `paths`: each a run folder (has config.json) or a folder of them. */
export function findRuns(paths: readonly string[]): RunEntry[] {
  const dirs: { dir: string; given: string }[] = [];
  for (const path of paths) {
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new Error(`${path}: no such folder (give run folders, or a folder holding them)`);
    }
    if (existsSync(join(path, CONFIG_FILE))) {
      dirs.push({ dir: realpathSync(path), given: path });
      continue;
    }
    const children = readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => join(path, entry.name))
      .filter((child) => existsSync(join(child, CONFIG_FILE)))
      .sort();
    if (children.length === 0) {
      throw new Error(
        `${path}: not a run folder (no ${CONFIG_FILE}) and holds no run folders one level down`,
      );
    }
    for (const child of children) dirs.push({ dir: realpathSync(child), given: child });
  }
  const seen = new Set<string>();
  const entries: RunEntry[] = [];
  for (const { dir, given } of dirs) {
    if (entries.some((entry) => entry.dir === dir)) continue;
    const base =
      basename(dir)
        .replace(/[^A-Za-z0-9_-]/g, "_")
        .replace(/^_+/, "") || "run";
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
    seen.add(id);
    entries.push({ id, dir, given });
  }
  return entries;
}

function readText(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** eval.json's metric values as "metric.value" -> number. */
export function flattenMetrics(evalJson: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const metrics = (evalJson as { metrics?: Record<string, { values?: Record<string, unknown> }> })
    ?.metrics;
  if (typeof metrics !== "object" || metrics === null) return out;
  for (const [name, report] of Object.entries(metrics)) {
    for (const [key, value] of Object.entries(report?.values ?? {})) {
      if (typeof value === "number")
        out[key === name || key === "value" ? name : `${name}.${key}`] = value;
    }
  }
  return out;
}

/** The run list's line for `entry`; never throws (a broken run says why in `problem`). */
export function summariseRun(entry: RunEntry): RunSummary {
  const summary: RunSummary = {
    id: entry.id,
    path: entry.given,
    hasCheckpoint: existsSync(join(entry.dir, CHECKPOINT_FILE)),
    metrics: {},
  };
  try {
    const config = runConfigFromText(
      readText(join(entry.dir, CONFIG_FILE)) ?? "",
      join(entry.given, CONFIG_FILE),
    );
    Object.assign(summary, {
      model: config.model,
      data: config.data,
      z: config.z,
      steps: config.steps,
    });
  } catch (error) {
    summary.problem = error instanceof Error ? error.message : String(error);
  }
  const log = readText(join(entry.dir, LOG_FILE));
  const lastLine = log?.trim().split("\n").at(-1);
  if (lastLine) {
    try {
      summary.step = (JSON.parse(lastLine) as { step?: number }).step;
    } catch {
      // A line being written; the step is left out.
    }
  }
  const evalText = readText(join(entry.dir, "eval.json"));
  if (evalText) {
    try {
      summary.metrics = flattenMetrics(JSON.parse(evalText));
    } catch {
      // eval.json being written; no metrics yet.
    }
  }
  if (!summary.hasCheckpoint && !summary.problem) {
    summary.problem = "no checkpoint.safetensors yet (training has not saved one)";
  }
  return summary;
}

/** Held-out images sent to the page by default, and at most. */
export const HELD_OUT_DEFAULT = 256;
export const HELD_OUT_MAX = 2000;

/**
 * The run's first `count` held-out images in its seeded held-out order (the training images
 * when nothing is held out), packed for the page (src/run/held-out-bytes.ts).
 */
export async function heldOutBytes(config: TrainConfig, count: number): Promise<Uint8Array> {
  const dataset = await loadRunDataset(config);
  const { validation } = runSplit(config, dataset);
  const indices = Int32Array.from(heldOutOrder(config, dataset).slice(0, count));
  return heldOutToBytes(dataset, indices, validation.length > 0 ? "held-out" : "training");
}
