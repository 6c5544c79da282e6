/**
 * `disentangle eval runs/NAME`: disentanglement metrics of a trained run (the metric
 * registry, src/metrics/registry.ts: the same names, options and defaults as `disentangle
 * metrics`). Writes runs/NAME/eval.json atomically and prints a table, or the JSON with --json.
 */
import { join } from "node:path";
import type { Command } from "commander";
import {
  addMetricFlags,
  metricList,
  metricOptionsFrom,
  metricTable,
  wholeNumber,
} from "./metric-flags.ts";

export async function runEvalCommand(runDir: string, opts: Record<string, unknown>): Promise<void> {
  const { initEngine } = await import("../engine/device.ts");
  await initEngine();
  const { loadTrainedRun } = await import("../run/load-trained-run.ts");
  const { evaluateRun } = await import("../metrics/evaluate-run.ts");
  const { writeFileAtomic } = await import("../engine/atomic-write.ts");
  const { countProgress } = await import("../run/progress.ts");
  // commander sets progress true unless --no-progress: only `false` is a choice.
  const encoding = countProgress("encoding", { enabled: opts.progress !== false });
  const options = {
    metrics: metricList(opts.metrics as string | undefined),
    seed: wholeNumber("--seed", opts.seed as string | undefined, 0),
    rows: wholeNumber("--rows", opts.rows as string | undefined, 1),
    batchSize: wholeNumber("--batch", opts.batch as string | undefined, 1),
    options: metricOptionsFrom(opts),
    onEncodeProgress: encoding.update,
  };
  const run = await loadTrainedRun(runDir);
  const log = opts.json ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const report = await evaluateRun(run, options, log).finally(encoding.stop);
  const path = join(runDir, "eval.json");
  writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(
    `${report.dataset.name}, step ${report.step}, ${report.encoded.rows} of ${report.encoded.of} images encoded (${report.encoded.seconds.toFixed(1)} s)\n`,
  );
  process.stdout.write(metricTable(report.metrics));
  process.stdout.write(`wrote ${path}\n`);
}

export function registerEval(program: Command): void {
  const command = program
    .command("eval")
    .description("disentanglement metrics of a trained run; writes <run>/eval.json")
    .argument("<run>", "run folder written by `disentangle train`")
    .option("--rows <n>", "images encoded when the full grid is not needed (default 10000)")
    .option("--batch <n>", "images per encoder call (default 256)")
    .option("--no-progress", "no progress bar while encoding");
  addMetricFlags(command, "all that apply to the run").action(
    async (runDir: string, opts: Record<string, unknown>) => {
      await runEvalCommand(runDir, opts);
    },
  );
}
