/**
 * `disentangle data <name>`: loads a dataset and prints what it holds (counts, image shape,
 * factors and their values, what was skipped and why), as text or one JSON object, with an
 * optional PNG preview grid. Loads no engine code.
 */
import cliProgress from "cli-progress";
import type { Dataset } from "../data/dataset.ts";
import { DataFormatError } from "../data/errors.ts";
import { permutation, Rng } from "../data/random.ts";
import {
  DATASET_NAMES,
  type DatasetOptionsByName,
  isDatasetName,
  loadDataset,
} from "../data/registry.ts";
import { writeImageGrid } from "../run/image-file.ts";

export interface DataCommandOptions {
  root?: string;
  json?: boolean;
  preview?: string;
  previewCount?: string;
  size?: string;
  split?: string;
  limit?: string;
  attributes?: string;
  includeBad?: boolean;
}

export interface DatasetSummary {
  name: string;
  count: number;
  imageShape: [number, number, number];
  factors: (
    | { name: string; kind: "categorical"; values: number[]; labels?: string[] }
    | { name: string; kind: "continuous"; range: [number, number]; distinct: number }
  )[];
  grid: number[] | null;
  skipped: { path: string; reason: string }[];
  notes: string[];
}

export function summarizeDataset(dataset: Dataset): DatasetSummary {
  return {
    name: dataset.name,
    count: dataset.count,
    imageShape: dataset.imageShape,
    factors: dataset.factors.map((f) =>
      f.kind === "categorical"
        ? {
            name: f.name,
            kind: f.kind,
            values: f.values,
            ...(f.labels ? { labels: f.labels } : {}),
          }
        : {
            name: f.name,
            kind: f.kind,
            range: [f.values[0], f.values[f.values.length - 1]],
            distinct: f.values.length,
          },
    ),
    grid: dataset.grid ?? null,
    skipped: dataset.skipped,
    notes: dataset.notes ?? [],
  };
}

export function formatSummary(s: DatasetSummary): string {
  const lines = [
    `${s.name}: ${s.count} images, ${s.imageShape.join("x")} (height x width x channels)`,
  ];
  lines.push(s.factors.length === 0 ? "factors: none known" : "factors:");
  const width = Math.max(0, ...s.factors.map((f) => f.name.length));
  const short = (xs: (string | number)[]) =>
    xs.length <= 12
      ? xs.join(", ")
      : `${xs.slice(0, 5).join(", ")}, ..., ${xs.slice(-3).join(", ")}`;
  for (const f of s.factors) {
    const detail =
      f.kind === "categorical"
        ? `${f.values.length} values: ${short(f.labels ?? f.values)}`
        : `${f.distinct} values in [${round(f.range[0])}, ${round(f.range[1])}]`;
    lines.push(`  ${f.name.padEnd(width)}  ${f.kind.padEnd(11)}  ${detail}`);
  }
  if (s.factors.length > 0) {
    lines.push(
      s.grid
        ? `grid: full product ${s.grid.join(" x ")}`
        : "grid: none (not a full product of the factors)",
    );
  }
  for (const note of s.notes) lines.push(`note: ${note}`);
  lines.push(`skipped: ${s.skipped.length}`);
  const byReason = new Map<string, string[]>();
  for (const { path, reason } of s.skipped)
    byReason.set(reason, [...(byReason.get(reason) ?? []), path]);
  for (const [reason, paths] of byReason)
    lines.push(`  ${paths.length} x ${reason} (e.g. ${paths[0]})`);
  return lines.join("\n");
}

const round = (x: number) => Number(x.toPrecision(6));

function progressReporter(quiet: boolean) {
  if (!process.stderr.isTTY) {
    let last = -1;
    return {
      update: (stage: string, done: number, total: number) => {
        const quarter = Math.floor((4 * done) / total);
        if (!quiet && quarter !== last) {
          last = quarter;
          process.stderr.write(`${stage}: ${done}/${total}\n`);
        }
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: "{stage} [{bar}] {value}/{total}", stream: process.stderr, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (stage: string, done: number, total: number) => {
      if (!started) {
        bar.start(total, done, { stage });
        started = true;
      } else bar.update(done, { stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function wholeNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`--${option} must be a positive whole number, got '${value}'`);
  return n;
}

export async function runDataCommand(name: string, options: DataCommandOptions): Promise<void> {
  try {
    if (!isDatasetName(name)) {
      throw new RangeError(
        `unknown dataset '${name}' (expected one of ${DATASET_NAMES.join(", ")})`,
      );
    }
    const progress = progressReporter(options.json === true);
    const split = options.split;
    if (split !== undefined && split !== "train" && split !== "test" && split !== "all") {
      throw new RangeError(`--split must be train, test or all, got '${split}'`);
    }
    const loadOptions: DatasetOptionsByName[typeof name] = {
      root: options.root,
      onProgress: progress.update,
      size: wholeNumber("size", options.size),
      limit: wholeNumber("limit", options.limit),
      split,
      attributes: options.attributes,
      includeBad: options.includeBad,
    };
    let dataset: Dataset;
    try {
      dataset = await loadDataset(name, loadOptions);
    } finally {
      progress.stop();
    }
    const summary = summarizeDataset(dataset);
    console.log(options.json ? JSON.stringify(summary) : formatSummary(summary));
    if (options.preview !== undefined) {
      const n = Math.min(dataset.count, wholeNumber("preview-count", options.previewCount) ?? 64);
      const chosen = permutation(dataset.count, new Rng(0)).slice(0, n);
      writeImageGrid(
        options.preview,
        dataset.readBatch(chosen),
        n,
        dataset.imageShape,
        Math.ceil(Math.sqrt(n)),
      );
      process.stderr.write(`wrote ${n} random images to ${options.preview}\n`);
    }
  } catch (error) {
    if (error instanceof DataFormatError || error instanceof RangeError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
