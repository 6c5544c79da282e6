/** Runs the `disentangle` CLI in a child process (the engine's thread count is per process). */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI_ENTRY = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `onStderr` sees stderr as it arrives (e.g. to kill the child mid-run). */
export function startCli(
  args: string[],
  options: { threads?: number; onStderr?: (text: string, child: ChildProcess) => void } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ["--import", "tsx", CLI_ENTRY, ...args], {
    env: { ...process.env, DISENTANGLE_THREADS: String(options.threads ?? 1) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
    options.onStderr?.(stderr, child);
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], threads = 1): Promise<CliResult> {
  return startCli(args, { threads }).done;
}

/** A 16x16 sprite grid of 384 images: enough for a few seconds of training. */
export const TINY_SPRITES = { size: 16, positions: 4, scales: 2, orientations: 4 };

/**
 * Writes `<dir>/tiny.json` with `dataOptions` and trains `<dir>/run` with `args` (which
 * name the model, data and sizes); returns the run folder and the CLI result.
 */
export async function trainTinyRun(
  dir: string,
  args: string[],
  dataOptions: Record<string, unknown> = TINY_SPRITES,
): Promise<{ run: string; result: CliResult }> {
  writeFileSync(join(dir, "tiny.json"), JSON.stringify({ dataOptions }));
  const run = join(dir, "run");
  const result = await runCli([
    "train",
    "--config",
    join(dir, "tiny.json"),
    ...args,
    "--out",
    run,
    "--no-progress",
  ]);
  return { run, result };
}
