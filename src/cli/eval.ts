/**
 * `disentangle eval runs/NAME`: disentanglement metrics of a trained run (see
 * src/metrics/evaluate-run.ts for the metrics, their defaults and what each needs). Writes
 * runs/NAME/eval.json atomically and prints a table, or the JSON with --json.
 */
import { join } from "node:path";
import type { Command } from "commander";

export interface EvalCommandOptions {
  metrics?: string;
  seed?: string;
  rows?: string;
  include?: string;
  samples?: string;
  bins?: string;
  numTrain?: string;
  numTest?: string;
  numPoints?: string;
  numEval?: string;
  batch?: string;
  queries?: string;
  tripletsPerQuery?: string;
  progress?: boolean;
  json?: boolean;
}

function wholeNumber(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === "" || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${flag} ${JSON.stringify(text)}: expected a whole number >= ${min}`);
  }
  return v;
}

function list(text: string | undefined, flag = "--metrics"): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new RangeError(`${flag} is empty`);
  return items;
}

export async function runEvalCommand(runDir: string, opts: EvalCommandOptions): Promise<void> {
  const { initEngine } = await import("../engine/device.ts");
  await initEngine("wasm");
  const { loadTrainedRun } = await import("../run/trained-run.ts");
  const { evaluateRun } = await import("../metrics/evaluate-run.ts");
  const { writeFileAtomic } = await import("../engine/atomic-write.ts");
  const { countProgress } = await import("../run/progress.ts");
  const encoding = countProgress("encoding", { enabled: opts.progress !== false });
  const options = {
    metrics: list(opts.metrics),
    seed: wholeNumber("--seed", opts.seed, 0),
    rows: wholeNumber("--rows", opts.rows, 1),
    samples: wholeNumber("--samples", opts.samples, 1),
    bins: wholeNumber("--bins", opts.bins, 2),
    numTrain: wholeNumber("--num-train", opts.numTrain, 1),
    numTest: wholeNumber("--num-test", opts.numTest, 1),
    numPoints: wholeNumber("--num-points", opts.numPoints, 1),
    numEval: wholeNumber("--num-eval", opts.numEval, 1),
    batchSize: wholeNumber("--batch", opts.batch, 1),
    // commander sets progress true unless --no-progress: only `false` is a choice.
    onEncodeProgress: encoding.update,
    queries: opts.queries === undefined ? undefined : list(opts.queries, "--queries"),
    tripletsPerQuery: wholeNumber("--triplets-per-query", opts.tripletsPerQuery, 1),
  };
  const run = await loadTrainedRun(runDir);
  let include: number[] | undefined;
  if (opts.include !== undefined) {
    const names = run.dataset.factors.map((f) => f.name);
    include = opts.include.split(",").map((part) => {
      const s = part.trim();
      const i = names.includes(s) ? names.indexOf(s) : Number(s);
      if (s === "" || !Number.isInteger(i) || i < 0 || i >= names.length) {
        throw new RangeError(
          `--include: "${s}" is not a factor of ${run.dataset.name}, expected names or indices of ${names.join(", ")}`,
        );
      }
      return i;
    });
  }
  const log = opts.json ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const report = await evaluateRun(run, { ...options, include }, log).finally(encoding.stop);
  const path = join(runDir, "eval.json");
  writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const rows: [string, string, string][] = [];
  for (const [name, m] of Object.entries(report.metrics)) {
    for (const [key, value] of Object.entries(m.values)) {
      rows.push([
        `${name} ${key}`,
        value === null ? "n/a" : value.toFixed(4),
        `${m.seconds?.toFixed(1)} s`,
      ]);
    }
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(
    `${report.dataset.name}, step ${report.step}, ${report.encoded.rows} of ${report.encoded.of} images encoded (${report.encoded.seconds.toFixed(1)} s)\n`,
  );
  for (const [name, value, time] of rows) {
    process.stdout.write(`${name.padEnd(width)}  ${value.padStart(8)}  ${time.padStart(8)}\n`);
  }
  process.stdout.write(`wrote ${path}\n`);
}

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("disentanglement metrics of a trained run; writes <run>/eval.json")
    .argument("<run>", "run folder written by `disentangle train`")
    .option(
      "--metrics <list>",
      "mig,mig-dlib,beta-vae,factor-vae,sap,dci,modularity,decomposition,triplet (default: all that apply)",
    )
    .option("--seed <n>", "seed of every subsample and sample (default 0)")
    .option("--rows <n>", "images encoded when the full grid is not needed (default 10000)")
    .option("--include <list>", "MIG: factors to score, names or indices (default all)")
    .option("--samples <n>", "mig (Chen et al.): samples per entropy (default 10000)")
    .option("--bins <n>", "mig-dlib, modularity: histogram bins (default 20)")
    .option("--num-train <n>", "array metrics: training rows (default 10000; dci 2000)")
    .option("--num-test <n>", "sap, dci: held-out rows (default 5000; dci 1000)")
    .option("--num-points <n>", "beta-vae, factor-vae: training points (default 2000)")
    .option("--num-eval <n>", "beta-vae, factor-vae: evaluation points (default 1000)")
    .option("--batch <n>", "images per encoder call (default 256)")
    .option(
      "--queries <list>",
      "triplet: queries for a run without its own (scores its full latent space)",
    )
    .option("--triplets-per-query <n>", "triplet: held-out triplets per query (default 1000)")
    .option("--no-progress", "no progress bar while encoding")
    .option("--json", "print the report as one JSON object")
    .action(async (runDir: string, opts: EvalCommandOptions) => {
      await runEvalCommand(runDir, opts);
    });
}
