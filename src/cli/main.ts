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
  return program;
}

await buildProgram().parseAsync(process.argv);
