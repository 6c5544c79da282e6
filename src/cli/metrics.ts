/**
 * `disentangle metrics`: disentanglement metrics of a representation given as arrays, codes
 * [N, D] and factors [N, K] in .npy files (and posterior log-variances for the metrics that
 * need them), so any model can be scored. The metrics, their names, options and defaults are
 * the registry's (src/metrics/registry.ts), the same as `disentangle eval`. The
 * intervention-based scores (beta-VAE, FactorVAE) need a simulator to generate batches with a
 * fixed factor and are not available here.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DataFormatError } from "../data/errors.ts";
import { parseNpy } from "../data/formats/npy.ts";
import {
  createPrior,
  LEARNED_PRIOR_NAMES,
  PRIOR_NAMES,
  type PriorName,
} from "../distributions/priors.ts";
import type { MetricInput, MetricReport } from "../metrics/metric.ts";
import { applicableMetrics, checkMetrics, runMetrics } from "../metrics/registry.ts";
import {
  addMetricFlags,
  metricList,
  metricOptionsFrom,
  metricTable,
  wholeNumber,
} from "./metric-flags.ts";

/** A user error in the command's options (printed without a stack trace). */
export class MetricsOptionError extends Error {
  override name = "MetricsOptionError";
}

export interface MetricsCommandOptions {
  codes: string;
  factors: string;
  logvars?: string;
  discrete?: string;
  prior?: string;
  metrics?: string;
  seed?: string;
  json?: boolean;
  /** Metric options (flags derived from the metric descriptors). */
  [option: string]: unknown;
}

export async function runMetricsCommand(options: MetricsCommandOptions): Promise<void> {
  const reports = await computeMetrics(options);
  process.stdout.write(options.json ? `${JSON.stringify(reports)}\n` : metricTable(reports));
}

/** The arrays of the command's files as a metric input. */
function readInput(options: MetricsCommandOptions): MetricInput {
  const codesArray = readMatrix(options.codes);
  const factorsArray = readMatrix(options.factors);
  if (codesArray.rows !== factorsArray.rows) {
    throw new DataFormatError(
      options.factors,
      `has ${factorsArray.rows} rows but ${options.codes} has ${codesArray.rows}; expected one factor row per code row`,
    );
  }
  const k = factorsArray.cols;
  const input: MetricInput = {
    codes: { data: codesArray.data, count: codesArray.rows, dims: codesArray.cols },
    factors: {
      data: factorsArray.data,
      count: factorsArray.rows,
      factors: k,
      discrete: parseDiscrete(options.discrete, k),
    },
  };
  if (options.prior !== undefined) {
    if (!(PRIOR_NAMES as string[]).includes(options.prior)) {
      throw new MetricsOptionError(
        `--prior "${options.prior}": expected one of ${PRIOR_NAMES.join(", ")}`,
      );
    }
    if ((LEARNED_PRIOR_NAMES as string[]).includes(options.prior)) {
      throw new MetricsOptionError(
        `--prior "${options.prior}": a learned prior is part of a trained model; score the run with \`disentangle eval\` instead`,
      );
    }
    input.prior = createPrior(options.prior as PriorName);
  }
  if (options.logvars !== undefined) {
    const logvars = readMatrix(options.logvars);
    if (logvars.rows !== codesArray.rows || logvars.cols !== codesArray.cols) {
      throw new DataFormatError(
        options.logvars,
        `has shape (${logvars.rows}, ${logvars.cols}), expected the shape of ${options.codes}, (${codesArray.rows}, ${codesArray.cols})`,
      );
    }
    input.logvars = logvars.data;
  }
  return input;
}

/** The requested metrics' reports, by name. */
export async function computeMetrics(
  options: MetricsCommandOptions,
): Promise<Record<string, MetricReport>> {
  const input = readInput(options);
  const given = metricOptionsFrom(options);
  const requested = metricList(options.metrics);
  // Chen et al.'s MIG needs the rows to be the full factor grid: an error when asked for, and
  // in the default list (with --logvars) when the rows are one.
  const askedForMig = requested?.some((m) => m === "mig" || m === "mig-chen") ?? false;
  if (askedForMig || (requested === undefined && input.logvars !== undefined)) {
    const { data, count, factors } = input.factors as NonNullable<MetricInput["factors"]>;
    try {
      input.grid = gridSizes(data, count, factors, options.factors);
    } catch (error) {
      if (askedForMig) throw error;
    }
  }
  const names = checkMetrics(input, requested ?? applicableMetrics(input, given), given);
  if (names.some((name) => name === "mig" || name === "decomposition")) {
    const { initEngine } = await import("../engine/device.ts");
    await initEngine();
  }
  const seed = wholeNumber("--seed", options.seed, 0) ?? 0;
  return runMetrics(input, names, given, seed);
}

export function registerMetrics(program: Command): void {
  const command = program
    .command("metrics")
    .description("disentanglement metrics of codes [N, D] vs factors [N, K] (.npy files)")
    .requiredOption("--codes <npy>", "codes (posterior means), float [N, D]")
    .requiredOption("--factors <npy>", "ground-truth factors [N, K]")
    .option("--discrete <list>", "discrete factor columns, e.g. 0,1 ('none'; default all)")
    .option(
      "--logvars <npy>",
      "posterior log-variances [N, D] (mig: over the full factor grid; decomposition)",
    )
    .option(
      "--prior <name>",
      `decomposition: the model's prior, ${PRIOR_NAMES.join(" | ")} (default normal)`,
    );
  addMetricFlags(command, "all that the given arrays allow").action(
    async (options: MetricsCommandOptions) => {
      try {
        await runMetricsCommand(options);
      } catch (error) {
        if (error instanceof DataFormatError || error instanceof MetricsOptionError) {
          process.stderr.write(`error: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
    },
  );
}

/** `--discrete 0,2`: those factor columns are discrete, the others continuous; `none`: all continuous. */
function parseDiscrete(text: string | undefined, k: number): boolean[] | undefined {
  if (text === undefined) return undefined;
  const flags = new Array<boolean>(k).fill(false);
  if (text.trim() === "none") return flags;
  for (const i of indexList("--discrete", text, k)) flags[i] = true;
  return flags;
}

function indexList(option: string, text: string, k: number): number[] {
  return text.split(",").map((part) => {
    const s = part.trim();
    const i = Number(s);
    if (s === "" || !Number.isInteger(i) || i < 0 || i >= k) {
      throw new MetricsOptionError(
        `${option}: "${s}" is not a factor column, expected comma-separated indices in 0..${k - 1}`,
      );
    }
    return i;
  });
}

interface Matrix {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

/** Reads a 2-D (or 1-D, as one column) numeric .npy file as a row-major float matrix. */
function readMatrix(path: string): Matrix {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DataFormatError(
      path,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  const npy = parseNpy(bytes, path);
  if (npy.shape.length < 1 || npy.shape.length > 2) {
    throw new DataFormatError(
      path,
      `has shape (${npy.shape.join(", ")}), expected a 2-D array [rows, columns]`,
    );
  }
  const rows = npy.shape[0];
  const cols = npy.shape.length === 2 ? npy.shape[1] : 1;
  if (rows < 1 || cols < 1) {
    throw new DataFormatError(
      path,
      `has shape (${npy.shape.join(", ")}), expected at least one row and column`,
    );
  }
  const source = npy.data;
  const data =
    source instanceof Float32Array || source instanceof Float64Array
      ? source
      : Float64Array.from(source);
  const out =
    npy.fortranOrder && cols > 1
      ? new (data.constructor as typeof Float64Array)(data.length)
      : data;
  if (out !== data)
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) out[i * cols + j] = data[j * rows + i];
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw new DataFormatError(
        path,
        `element [${Math.floor(i / cols)}, ${i % cols}] is ${out[i]}, expected a finite number`,
      );
    }
  }
  return { data: out, rows, cols };
}

/**
 * The factor sizes when the rows are the full factor grid in row-major order (last factor
 * fastest), as Chen et al.'s protocol needs; otherwise an error naming the first bad row.
 */
function gridSizes(data: ArrayLike<number>, n: number, k: number, path: string): number[] {
  const levels = Array.from({ length: k }, (_, j) => {
    const values = new Set<number>();
    for (let i = 0; i < n; i++) values.add(data[i * k + j]);
    return Array.from(values).sort((a, b) => a - b);
  });
  const sizes = levels.map((l) => l.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  if (total !== n) {
    throw new DataFormatError(
      path,
      `mig needs the full factor grid: ${n} rows, but the factors' distinct values (${sizes.join(" x ")}) make ${total}`,
    );
  }
  for (let i = 0; i < n; i++) {
    let rest = i;
    for (let j = k - 1; j >= 0; j--) {
      const expected = levels[j][rest % sizes[j]];
      rest = Math.floor(rest / sizes[j]);
      if (data[i * k + j] !== expected) {
        throw new DataFormatError(
          path,
          `mig needs the grid in row-major order (last factor fastest): row ${i} column ${j} is ${data[i * k + j]}, expected ${expected}`,
        );
      }
    }
  }
  return sizes;
}
