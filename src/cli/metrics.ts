/**
 * `disentangle metrics`: disentanglement metrics of a representation given as arrays, codes
 * [N, D] and factors [N, K] in .npy files, so any model can be scored. The
 * intervention-based scores (beta-VAE, FactorVAE) need a simulator to generate batches with
 * a fixed factor and are not available here (see src/metrics/beta-vae.ts, factor-vae.ts).
 */
import { readFileSync } from "node:fs";
import { DataFormatError } from "../data/errors.ts";
import { parseNpy } from "../data/formats/npy.ts";
import type { CodeMatrix, FactorMatrix } from "../metrics/arrays.ts";
import { dci } from "../metrics/dci.ts";
import { explicitness } from "../metrics/explicitness.ts";
import { migChen, migDlib } from "../metrics/mig.ts";
import { modularity } from "../metrics/modularity.ts";
import { sap } from "../metrics/sap.ts";

export interface MetricsCommandOptions {
  codes: string;
  factors: string;
  logvars?: string;
  discrete?: string;
  metrics?: string;
  include?: string;
  seed?: string;
  numTrain?: string;
  numTest?: string;
  bins?: string;
  samples?: string;
  json?: boolean;
}

const ARRAY_METRICS = ["mig-dlib", "mig-chen", "sap", "dci", "modularity", "explicitness"] as const;
type ArrayMetric = (typeof ARRAY_METRICS)[number];
export const DEFAULT_METRICS: ArrayMetric[] = [
  "mig-dlib",
  "sap",
  "dci",
  "modularity",
  "explicitness",
];
const ORACLE_METRICS = ["beta-vae", "factor-vae"];

/** A user error in the command's options (printed without a stack trace). */
export class MetricsOptionError extends Error {
  override name = "MetricsOptionError";
}

export async function runMetricsCommand(options: MetricsCommandOptions): Promise<void> {
  try {
    const result = await computeMetrics(options);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const width = Math.max(...Object.keys(result).map((k) => k.length));
      for (const [name, value] of Object.entries(result)) {
        process.stdout.write(
          `${name.padEnd(width)}  ${value === null ? "n/a" : value.toFixed(4)}\n`,
        );
      }
    }
  } catch (error) {
    if (error instanceof DataFormatError || error instanceof MetricsOptionError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

/** The requested metrics as one flat object; NaN (nothing scorable) becomes null. */
export async function computeMetrics(
  options: MetricsCommandOptions,
): Promise<Record<string, number | null>> {
  const metrics = parseMetricList(options.metrics);
  const codesArray = readMatrix(options.codes);
  const factorsArray = readMatrix(options.factors);
  if (codesArray.rows !== factorsArray.rows) {
    throw new DataFormatError(
      options.factors,
      `has ${factorsArray.rows} rows but ${options.codes} has ${codesArray.rows}; expected one factor row per code row`,
    );
  }
  const k = factorsArray.cols;
  const codes: CodeMatrix = {
    data: codesArray.data,
    count: codesArray.rows,
    dims: codesArray.cols,
  };
  const factors: FactorMatrix = {
    data: factorsArray.data,
    count: factorsArray.rows,
    factors: k,
    discrete: parseDiscrete(options.discrete, k),
  };
  const seed = wholeNumber("--seed", options.seed, 0, 0);
  const numTrain = wholeNumber("--num-train", options.numTrain, 10000, 1);
  const numTest = wholeNumber("--num-test", options.numTest, 5000, 1);
  const bins = wholeNumber("--bins", options.bins, 20, 2);
  const include =
    options.include === undefined ? undefined : indexList("--include", options.include, k);
  const out: Record<string, number | null> = {};
  const put = (name: string, v: number) => {
    out[name] = Number.isFinite(v) ? v : null;
  };
  for (const metric of metrics) {
    switch (metric) {
      case "mig-dlib":
        put(metric, migDlib(codes, factors, { numTrain, bins, seed, include }).mig);
        break;
      case "mig-chen": {
        if (options.logvars === undefined) {
          throw new MetricsOptionError(
            "mig-chen needs --logvars <npy> (posterior log-variances, same shape as --codes)",
          );
        }
        const logvars = readMatrix(options.logvars);
        if (logvars.rows !== codes.count || logvars.cols !== codes.dims) {
          throw new DataFormatError(
            options.logvars,
            `has shape (${logvars.rows}, ${logvars.cols}), expected the shape of ${options.codes}, (${codes.count}, ${codes.dims})`,
          );
        }
        const samples = wholeNumber("--samples", options.samples, 10000, 1);
        const factorSizes = gridSizes(factorsArray.data, codes.count, k, options.factors);
        const { initEngine } = await import("../engine/device.ts");
        await initEngine("wasm");
        put(
          metric,
          (
            await migChen(
              { means: codes.data, logvars: logvars.data, dims: codes.dims, factorSizes },
              { samples, seed, include },
            )
          ).mig,
        );
        break;
      }
      case "sap":
        put(metric, sap(codes, factors, { numTrain, numTest, seed }).sap);
        break;
      case "dci": {
        const r = dci(codes, factors, { numTrain, numTest, seed });
        put("dci-disentanglement", r.disentanglement);
        put("dci-completeness", r.completeness);
        put("dci-informativeness", r.informativeness);
        break;
      }
      case "modularity":
        put(metric, modularity(codes, factors, { numTrain, bins, seed }).modularity);
        break;
      case "explicitness":
        put(metric, explicitness(codes, factors, { numTrain, numTest, bins, seed }).explicitness);
        break;
    }
  }
  return out;
}

function parseMetricList(text: string | undefined): ArrayMetric[] {
  if (text === undefined) return DEFAULT_METRICS;
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new MetricsOptionError("--metrics is empty");
  for (const name of names) {
    if (ORACLE_METRICS.includes(name)) {
      throw new MetricsOptionError(
        `--metrics: ${name} cannot be computed from arrays: it generates batches with one factor held fixed, which needs the dataset's simulator and the model's encoder (use ${name === "beta-vae" ? "betaVaeScore" : "factorVaeScore"} from src/metrics with a RepresentationOracle)`,
      );
    }
    if (!(ARRAY_METRICS as readonly string[]).includes(name)) {
      throw new MetricsOptionError(
        `--metrics: unknown metric "${name}", expected some of ${ARRAY_METRICS.join(", ")}`,
      );
    }
  }
  return Array.from(new Set(names)) as ArrayMetric[];
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

function wholeNumber(
  option: string,
  text: string | undefined,
  fallback: number,
  min: number,
): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    throw new MetricsOptionError(`${option}: "${text}" is not a whole number >= ${min}`);
  }
  return v;
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
      `mig-chen needs the full factor grid: ${n} rows, but the factors' distinct values (${sizes.join(" x ")}) make ${total}`,
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
          `mig-chen needs the grid in row-major order (last factor fastest): row ${i} column ${j} is ${data[i * k + j]}, expected ${expected}`,
        );
      }
    }
  }
  return sizes;
}
