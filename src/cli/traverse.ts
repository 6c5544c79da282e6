/** `disentangle traverse RUN`: latent traversals of a trained run as a PNG (and an animated GIF). */
import { join } from "node:path";
import type { Command } from "commander";
import type { TraversalRange } from "../viz/traversal.ts";

/** The ranges of src/viz/traversal.ts, listed here so a bad --range fails before the engine loads. */
const RANGES = ["prior", "posterior", "empirical"] as const satisfies readonly TraversalRange[];

interface TraverseFlags {
  range: string;
  seeds: string;
  columns: string;
  rows: string;
  out?: string;
  gif?: string | true;
}

function wholeNumber(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${flag} ${JSON.stringify(text)}: expected a whole number >= ${min}`);
  }
  return n;
}

export function registerTraverse(program: Command): void {
  program
    .command("traverse")
    .description(
      "latent traversals (Chen et al. 2018): one row per active dimension, sorted by KL, sweeping its value from seed images' codes; a PNG and optionally an animated GIF",
    )
    .argument("<run>", "run folder written by `disentangle train`")
    .option("--range <kind>", "how far a row sweeps: prior | posterior | empirical", "prior")
    .option("--seeds <n>", "seed images, one block each", "3")
    .option("--columns <n>", "values per sweep", "9")
    .option("--rows <n>", "images over which KL and MI are computed", "2000")
    .option("--out <file>", "PNG file to write (default RUN/traversal.png)")
    .option("--gif [file]", "also write an animated GIF (default file RUN/traversal.gif)")
    .action(async (runDir: string, flags: TraverseFlags) => {
      const range = flags.range as TraversalRange;
      if (!RANGES.includes(range)) {
        throw new Error(
          `--range ${JSON.stringify(flags.range)}: expected one of ${RANGES.join(", ")}`,
        );
      }
      const seeds = wholeNumber(flags.seeds, "--seeds", 1);
      const columns = wholeNumber(flags.columns, "--columns", 2);
      const rows = wholeNumber(flags.rows, "--rows", 2);
      const { hasCheckpoint, readRunConfig } = await import("../run/checkpoint.ts");
      readRunConfig(runDir); // a clear error for a folder that is not a run
      if (!hasCheckpoint(runDir)) {
        throw new Error(
          `${runDir}: no checkpoint yet (checkpoint.safetensors); training writes one every --checkpoint-every steps and at the end`,
        );
      }
      const { initEngine } = await import("../engine/device.ts");
      await initEngine();
      const { loadTrainedRun } = await import("../run/load-trained-run.ts");
      const { traversalFigure, traversalGif } = await import("../viz/traversal.ts");
      const { rasterizeSvg, writeBytes } = await import("../run/rasterize.ts");
      const run = await loadTrainedRun(runDir);
      const figure = await traversalFigure(run, { range, seeds, columns, rows });
      const out = flags.out ?? join(runDir, "traversal.png");
      writeBytes(out, rasterizeSvg(figure.svg));
      console.log(`wrote ${out} (${figure.width}x${figure.height})`);
      if (flags.gif !== undefined) {
        const gif = flags.gif === true ? join(runDir, "traversal.gif") : flags.gif;
        writeBytes(gif, traversalGif(figure));
        console.log(`wrote ${gif} (${2 * columns - 2} frames: the sweep forward and back)`);
      }
      const sample = `${figure.sample.count} images, ${figure.sample.heldOut} held out`;
      console.log(`\nKL per dimension over ${sample} (${range} range):`);
      const factors = figure.rows.some((row) => row.factor !== undefined);
      const groups = figure.rows.some((row) => row.group !== undefined);
      const header = ["dim", "KL (nats)", "status"];
      if (factors) header.push("informs most", "MI/H");
      if (groups) header.push("subspace");
      const table = figure.rows.map((row) => {
        const cells = [`z${row.dimension}`, row.kl.toFixed(3), row.active ? "active" : "inactive"];
        if (factors) cells.push(row.factor ?? "", row.mi === undefined ? "" : row.mi.toFixed(2));
        if (groups) cells.push(row.group ?? "");
        return cells;
      });
      const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
      for (const cells of [header, ...table]) {
        console.log(
          cells
            .map((cell, i) => cell.padEnd(widths[i]))
            .join("  ")
            .trimEnd(),
        );
      }
    });
}
