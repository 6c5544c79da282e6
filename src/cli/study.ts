/**
 * `disentangle study plan|run|status|report FILE` and `disentangle study worker`: studies
 * (src/study/): a grid of runs from a study file, trained on this machine (a pool of child
 * processes) or over a BullMQ queue on Redis by any number of workers sharing a run store,
 * then aggregated into one report.
 */
import type { Command } from "commander";
import { wholeNumber } from "./metric-flags.ts";

/** The default run store: runs/studies (a study's runs go to STORE/STUDY/runs/ID). */
export const DEFAULT_STORE = "runs/studies";

/** "90", "90s", "15m", "2h" -> milliseconds. */
export function parseDuration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new RangeError(
      `${flag} ${JSON.stringify(text)}: expected a duration such as 90s, 15m or 2h`,
    );
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"] as number;
  return Number(match[1]) * unit;
}

async function loadStudy(file: string) {
  const { loadStudyFile } = await import("../study/study-file.ts");
  return loadStudyFile(file);
}

/** Adds `disentangle study` and its subcommands to `program`. */
export function registerStudy(program: Command): void {
  const study = program
    .command("study")
    .description(
      "studies: a grid of runs (models x hyperparameters x seeds x datasets) from a study file, trained here or over a queue, compared in one report",
    );

  study
    .command("plan")
    .description(
      "print the runs a study file expands into, what the store holds, and the estimated time",
    )
    .argument("<file>", "study file (studies/*.json)")
    .option("--store <dir>", `run store (default ${DEFAULT_STORE})`)
    .option("--workers <n>", "runs trained at once (default: the cores)")
    .option(
      "--calibrate",
      "time a short run and one evaluation of each kind of run on this machine (saved in the store)",
    )
    .option("--calibrate-steps <n>", "training steps of each calibration (default 60)")
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { runPlanCommand } = await import("../study/plan.ts");
      await runPlanCommand(await loadStudy(file), {
        store: (opts.store as string | undefined) ?? DEFAULT_STORE,
        workers: wholeNumber("--workers", opts.workers as string | undefined, 1),
        calibrate: opts.calibrate === true,
        calibrateSteps: wholeNumber(
          "--calibrate-steps",
          opts.calibrateSteps as string | undefined,
          10,
        ),
      });
    });

  study
    .command("run")
    .description(
      "train and evaluate every unfinished run: here (a pool of processes), or with --queue enqueue them for `study worker`s",
    )
    .argument("<file>", "study file (studies/*.json)")
    .option(
      "--store <dir>",
      `run store (default ${DEFAULT_STORE}); with --queue, also checked for finished runs`,
    )
    .option("--workers <n>", "local: runs trained at once (default: the cores)")
    .option(
      "--threads-per-run <n>",
      "local: engine threads of each run (default: the cores split between the workers)",
    )
    .option("--status-every <s>", "local: seconds between status lines (default 30)")
    .option("--queue <url>", "enqueue on this Redis (redis://HOST:PORT) instead of training here")
    .option(
      "--attempts <n>",
      "queue: attempts per run before it goes to the dead-letter list (default 3)",
    )
    .option("--backoff <duration>", "queue: first retry delay, doubled each retry (default 30s)")
    .option("--timeout <duration>", "queue: a run's time limit per attempt (default 24h)")
    .option("--wait", "queue: follow the queue until every run is done or dead")
    .action(async (file: string, opts: Record<string, unknown>) => {
      const spec = await loadStudy(file);
      const store = (opts.store as string | undefined) ?? DEFAULT_STORE;
      if (opts.queue !== undefined) {
        const { enqueueStudy, followQueue } = await import("../study/queue.ts");
        const url = String(opts.queue);
        await enqueueStudy(spec, url, {
          store: opts.store as string | undefined,
          attempts: wholeNumber("--attempts", opts.attempts as string | undefined, 1),
          backoffMs: parseDuration("--backoff", opts.backoff as string | undefined),
          timeoutMs: parseDuration("--timeout", opts.timeout as string | undefined),
        });
        if (opts.wait) await followQueue(spec, url);
        return;
      }
      const { runStudyLocally } = await import("../study/local-runner.ts");
      const summary = await runStudyLocally(spec, {
        store,
        workers: wholeNumber("--workers", opts.workers as string | undefined, 1),
        threadsPerRun: wholeNumber(
          "--threads-per-run",
          opts.threadsPerRun as string | undefined,
          1,
        ),
        statusEvery: wholeNumber("--status-every", opts.statusEvery as string | undefined, 1),
      });
      process.stdout.write(
        `study ${spec.name}: ${summary.done} trained, ${summary.skipped} already done, ${summary.failed.length} failed in ${summary.seconds.toFixed(0)} s; report: disentangle study report ${spec.source}${store === DEFAULT_STORE ? "" : ` --store ${store}`}\n`,
      );
      if (summary.failed.length > 0) {
        throw new Error(
          `${summary.failed.length} run(s) failed:\n${summary.failed.map((f) => `  ${f.id}: ${f.error}`).join("\n")}`,
        );
      }
    });

  study
    .command("status")
    .description(
      "where each run of a study stands in the store (and, with --queue, in the queue, with its dead-letter list)",
    )
    .argument("<file>", "study file (studies/*.json)")
    .option("--store <dir>", `run store (default ${DEFAULT_STORE})`)
    .option("--queue <url>", "also show the queue's counts and its dead-letter list")
    .option("--json", "print one JSON object")
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { runStatusCommand } = await import("../study/status.ts");
      await runStatusCommand(await loadStudy(file), {
        store: (opts.store as string | undefined) ?? DEFAULT_STORE,
        queue: opts.queue as string | undefined,
        json: opts.json === true,
      });
    });

  study
    .command("report")
    .description(
      "one table (mean ± sd over seeds per cell, every metric) as Markdown, CSV and HTML, plots of each metric against each swept hyperparameter and against steps, and rank correlations between metrics",
    )
    .argument("<file>", "study file (studies/*.json)")
    .option("--store <dir>", `run store (default ${DEFAULT_STORE})`)
    .option("--out <dir>", "report folder (default STORE/STUDY/report)")
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { writeStudyReport } = await import("../study/write-report.ts");
      const store = (opts.store as string | undefined) ?? DEFAULT_STORE;
      const written = await writeStudyReport(
        await loadStudy(file),
        store,
        opts.out as string | undefined,
      );
      process.stdout.write(written.markdown);
      process.stdout.write(`wrote ${written.files.join(", ")}\n`);
    });

  study
    .command("worker")
    .description(
      "train runs from a study queue (BullMQ on Redis) into a shared run store, until stopped",
    )
    .requiredOption("--queue <url>", "the Redis of the queue (redis://HOST:PORT)")
    .requiredOption("--store <dir>", "the run store, shared by every worker")
    .option("--concurrency <n>", "runs trained at once by this worker (default 1)")
    .option(
      "--threads-per-run <n>",
      "engine threads of each run (default: the cores split between them)",
    )
    .option(
      "--lock <duration>",
      "BullMQ lock duration: a dead worker's run is taken over after this (default 30s)",
    )
    .option("--stalled-interval <duration>", "how often to look for stalled runs (default 30s)")
    .action(async (opts: Record<string, unknown>) => {
      const { runQueueWorker } = await import("../study/queue.ts");
      await runQueueWorker(String(opts.queue), String(opts.store), {
        concurrency: wholeNumber("--concurrency", opts.concurrency as string | undefined, 1),
        threadsPerRun: wholeNumber(
          "--threads-per-run",
          opts.threadsPerRun as string | undefined,
          1,
        ),
        lockMs: parseDuration("--lock", opts.lock as string | undefined),
        stalledMs: parseDuration("--stalled-interval", opts.stalledInterval as string | undefined),
      });
    });

  study
    .command("exec", { hidden: true })
    .description("train and evaluate one run folder of a study store (started by the runners)")
    .argument("<dir>", "the run's folder in the store (holds spec.json)")
    .action(async (dir: string) => {
      const { runExecCommand } = await import("../study/exec-command.ts");
      await runExecCommand(dir);
    });
}
