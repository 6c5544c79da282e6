/** `disentangle swap` and `disentangle embed`: the query subspaces of a triplet VAE run. */
import type { Command } from "commander";

/** "3,17,40" -> [3, 17, 40], or a clear error naming the flag. */
export function parseIndexList(flag: string, text: string): number[] {
  const values = text.split(",").map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new Error(
      `${flag} ${JSON.stringify(text)}: expected comma-separated image indices, e.g. 3,17,40`,
    );
  }
  return values;
}

async function openRun(runDir: string) {
  const { initEngine } = await import("../engine/device.ts");
  await initEngine();
  const { loadTrainedRun } = await import("../run/load-trained-run.ts");
  return loadTrainedRun(runDir);
}

/** A seeded random order of the run's held-out images (the training images if none are held out). */
async function heldOutOrder(run: Awaited<ReturnType<typeof openRun>>): Promise<number[]> {
  const build = await import("../run/build.ts");
  return build.heldOutOrder(run.config, run.dataset);
}

export function registerSubspaceCommands(program: Command): void {
  program
    .command("swap")
    .description(
      "image arithmetic: decode image B with query Q's subspace taken from image A (triplet-vae runs)",
    )
    .argument("<run>", "run folder of a triplet-vae run")
    .requiredOption("--query <name>", "the query whose subspace is swapped")
    .option("--a <indices>", "source images (dataset indices); default: 4 held-out images")
    .option("--b <indices>", "base images (dataset indices); default: 6 other held-out images")
    .option("--out <file>", "PNG file to write", "swap.png")
    .action(
      async (runDir: string, opts: { query: string; a?: string; b?: string; out: string }) => {
        const run = await openRun(runDir);
        const order = await heldOutOrder(run);
        const a = opts.a ? parseIndexList("--a", opts.a) : order.slice(0, 4);
        const b = opts.b ? parseIndexList("--b", opts.b) : order.slice(4, 10);
        const { subspaceSwapFigure, swapFigureSvg } = await import(
          "../viz/subspace-swap-figure.ts"
        );
        const { rasterizeSvg, writeBytes } = await import("../run/rasterize.ts");
        const figure = await subspaceSwapFigure(run, opts.query, a, b);
        const svg = swapFigureSvg(figure, opts.query, a, b, run.dataset.imageShape);
        writeBytes(opts.out, rasterizeSvg(svg));
        console.log(
          `wrote ${opts.out}: top row = base images B [${b.join(", ")}], left column = sources A [${a.join(", ")}], cell (A, B) = B with the '${opts.query}' subspace (dims ${figure.dims.join(", ")}) of A`,
        );
      },
    );
  program
    .command("embed")
    .description(
      "export posterior means in one query's subspace, with factor values, as JSON for plotting",
    )
    .argument("<run>", "run folder of a triplet-vae run")
    .requiredOption("--query <name>", "the query whose subspace is exported")
    .option("--n <count>", "number of held-out images, at most all of them", "1000")
    .option("--out <file>", "JSON file to write", "embedding.json")
    .action(async (runDir: string, opts: { query: string; n: string; out: string }) => {
      const n = Number(opts.n);
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`--n ${JSON.stringify(opts.n)}: expected a positive whole number`);
      const run = await openRun(runDir);
      const { subspaceEmbedding } = await import("../viz/subspace-embedding.ts");
      const { writeFileAtomic } = await import("../engine/atomic-write.ts");
      const order = await heldOutOrder(run);
      const embedding = await subspaceEmbedding(run, opts.query, order.slice(0, n));
      writeFileAtomic(opts.out, `${JSON.stringify(embedding)}\n`);
      console.log(
        `wrote ${embedding.points.length} points of the '${opts.query}' subspace (dims ${embedding.dims.join(", ")}) with factors ${embedding.factors.join(", ")} to ${opts.out}`,
      );
    });
}
