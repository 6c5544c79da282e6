/**
 * The `disentangle` command line. Engine options (threads) must be applied before the
 * engine is imported, so commands are loaded lazily after the global options are parsed.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("disentangle")
    .description("Learn disentangled representations with variational autoencoders.")
    .version(pkg.version)
    .option("--threads <n>", "Wasm kernel threads (default: all cores; env DISENTANGLE_THREADS)")
    .hook("preAction", (command) => {
      const threads = command.opts().threads as string | undefined;
      if (threads !== undefined) process.env.DISENTANGLE_THREADS = threads;
    });
  program
    .command("demo")
    .description("train a tiny engine demo and print what it did")
    .action(async () => {
      const { runDemo } = await import("./demo.ts");
      await runDemo();
    });
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

await buildProgram().parseAsync(process.argv);
