/**
 * `disentangle serve [RUN ...]`: the explorer, a page that decodes a trained model live in the
 * browser, on http://127.0.0.1:8080 (localhost only unless --host is given), and
 * `disentangle export-web RUN ... --out site/`: the same page as static files with the runs'
 * data copied beside it.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`--port ${JSON.stringify(text)}: expected a whole number from 0 to 65535`);
  }
  return n;
}

/** The runs given, or ./runs when none are and it exists. */
function runPaths(runs: string[]): string[] {
  if (runs.length > 0) return runs;
  if (existsSync("runs")) return ["runs"];
  throw new Error(
    "no runs given and no ./runs folder: name run folders, e.g. disentangle serve runs/tcvae",
  );
}

export function registerServe(program: Command): void {
  program
    .command("serve [runs...]")
    .description(
      "the explorer: a page that lists the runs, decodes their models live in the browser (sliders, traversals, maps, image arithmetic) and trains a small one in the page",
    )
    .option("--port <n>", "port (0: any free one)", "8080")
    .option(
      "--host <address>",
      "listen on this address instead of 127.0.0.1 (anyone who can reach it can read the runs)",
    )
    .action(async (runs: string[], opts: { port: string; host?: string }) => {
      const { startExplorer } = await import("../server/serve.ts");
      const server = await startExplorer({
        runs: runPaths(runs),
        port: port(opts.port),
        host: opts.host,
        log: (line) => console.error(line),
      });
      console.log(`explorer: ${server.url}`);
    });
  program
    .command("export-web <runs...>")
    .description(
      "the explorer page as static files, with the runs' data copied beside it (open with any static file server)",
    )
    .requiredOption(
      "--out <dir>",
      "folder to write (created; existing explorer files in it are replaced)",
    )
    .option("--count <n>", "held-out images copied per run", "256")
    .action(async (runs: string[], opts: { out: string; count: string }) => {
      const { exportWeb } = await import("../server/export-web.ts");
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 2000) {
        throw new Error(
          `--count ${JSON.stringify(opts.count)}: expected a whole number from 1 to 2000`,
        );
      }
      const written = await exportWeb({
        runs,
        out: opts.out,
        count,
        log: (line) => console.error(line),
      });
      console.log(
        `wrote ${written.files} files (${(written.bytes / 1e6).toFixed(1)} MB) to ${opts.out}: serve it with any static file server, e.g. npx vite preview --outDir ${opts.out} or python3 -m http.server -d ${opts.out}`,
      );
    });
}
