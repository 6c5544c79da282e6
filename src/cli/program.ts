/**
 * The `disentangle` command line: its commands and options. main.ts applies the engine's
 * thread count before this module (which imports the engine through the objectives'
 * descriptors) is loaded.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerEval } from "./eval.ts";
import { registerImageCommands } from "./images.ts";
import { registerMap } from "./map.ts";
import { registerMetrics } from "./metrics.ts";
import { registerReport } from "./report.ts";
import { registerServe } from "./serve.ts";
import { registerStudy } from "./study.ts";
import { registerSubspaceCommands } from "./subspaces.ts";
import { registerTrain } from "./train.ts";
import { registerTraverse } from "./traverse.ts";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("disentangle")
    .description("Learn disentangled representations with variational autoencoders.")
    .version(pkg.version)
    .option("--threads <n>", "kernel threads (default: all cores; env DISENTANGLE_THREADS)")
    .option(
      "--device <name>",
      "native | wasm | webgpu | cpu (default: native when a C compiler is found, else wasm; env DISENTANGLE_DEVICE)",
    );
  program
    .command("demo")
    .description(
      "the quick start: train a small beta-TCVAE on built-in sprites, write samples and reconstructions",
    )
    .option("--steps <n>", "training steps", "800")
    .option("--out <dir>", "run folder", "runs/quickstart")
    .action(async (opts: { steps: string; out: string }) => {
      const { runDemo } = await import("./demo.ts");
      await runDemo(opts);
    });
  registerMetrics(program);
  registerTrain(program);
  registerImageCommands(program);
  registerTraverse(program);
  registerSubspaceCommands(program);
  registerMap(program);
  registerReport(program);
  registerEval(program);
  registerServe(program);
  registerStudy(program);
  program
    .command("data <name>")
    .description("load a dataset and describe it (counts, image shape, factors, skipped files)")
    .option("--root <path>", "folder or file holding the data")
    .option("--json", "print one JSON object")
    .option("--preview <png>", "write a PNG grid of random images")
    .option("--preview-count <n>", "images in the preview (default 64)")
    .option("--size <n>", "image side to resize to (datasets that resize)")
    .option("--split <which>", "mnist, fashion-mnist: train, test or all (default all)")
    .option("--limit <n>", "image-folder: load at most n images")
    .option("--attributes <file>", "image-folder: CelebA-style attribute file")
    .option("--include-bad", "yale-b: also load images marked .bad")
    .action(async (name: string, options) => {
      const { runDataCommand } = await import("./data.ts");
      await runDataCommand(name, options);
    });
  return program;
}

/** Prints user errors as one clear message (a stack trace only with DISENTANGLE_DEBUG=1). */
function reportError(error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const internal = err instanceof TypeError || err instanceof ReferenceError;
  if (process.env.DISENTANGLE_DEBUG === "1") console.error(err.stack);
  else console.error(`disentangle: ${err.message}`);
  if (internal && process.env.DISENTANGLE_DEBUG !== "1") {
    console.error(
      "(this looks like a bug; rerun with DISENTANGLE_DEBUG=1 for a stack trace and report it)",
    );
  }
  process.exitCode = 1;
}

/** Parses `argv` and runs the command; errors become one message and exit code 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    reportError(error);
  }
}
