/**
 * `disentangle export-web`: the explorer page as static files. The built page is copied to
 * `out/`, and beside it `out/api/runs.json` and each run's files under `out/api/runs/<id>/`,
 * the same URLs the server answers, so the page works from any static file server.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { readRunConfig } from "../run/checkpoint.ts";
import { HELD_OUT_FILE, RUN_FILES } from "./app.ts";
import { pageFolder } from "./page.ts";
import { findRuns, heldOutBytes, summariseRun } from "./runs.ts";
import { resolveInside } from "./safe-path.ts";

export interface ExportOptions {
  runs: string[];
  out: string;
  /** Held-out images per run. */
  count: number;
  pageDir?: string;
  log?: (line: string) => void;
}

/** Writes the site; returns how many files and bytes. */
export async function exportWeb(options: ExportOptions): Promise<{ files: number; bytes: number }> {
  const log = options.log ?? (() => {});
  const runs = findRuns(options.runs);
  const pageDir = options.pageDir ?? pageFolder(log);
  mkdirSync(options.out, { recursive: true });
  cpSync(pageDir, options.out, {
    recursive: true,
    filter: (source) =>
      !source
        .slice(pageDir.length)
        .split(/[/\\]/)
        .some((part) => part.startsWith(".")),
  });
  const summaries = [];
  for (const run of runs) {
    const folder = join(options.out, "api/runs", run.id);
    mkdirSync(folder, { recursive: true });
    for (const file of RUN_FILES) {
      if (existsSync(join(run.dir, file)))
        copyFileSync(resolveInside(run.dir, file), join(folder, file));
    }
    log(`${run.given}: packing ${options.count} held-out images`);
    writeFileSync(
      join(folder, HELD_OUT_FILE),
      await heldOutBytes(readRunConfig(run.dir), options.count),
    );
    summaries.push(summariseRun(run));
  }
  writeFileSync(
    join(options.out, "api/runs.json"),
    `${JSON.stringify({ runs: summaries, static: true })}\n`,
  );
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(options.out, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}
