/** `disentangle sample` and `disentangle reconstruct`: image grids from a trained run. */
import type { Command } from "commander";

async function loadRun(runDir: string) {
  const { initEngine } = await import("../engine/device.ts");
  await initEngine();
  const { loadTrainedRun } = await import("../run/load-trained-run.ts");
  return loadTrainedRun(runDir);
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} ${JSON.stringify(text)}: expected a positive whole number`);
  return n;
}

export function registerImageCommands(program: Command): void {
  program
    .command("sample")
    .description("decode latents drawn from the model's prior p(z) into an image grid (PNG)")
    .argument("<run>", "run folder written by `disentangle train`")
    .option("--n <count>", "number of samples", "64")
    .option("--seed <n>", "random seed", "0")
    .option("--out <file>", "PNG file to write", "samples.png")
    .action(async (runDir: string, opts: { n: string; seed: string; out: string }) => {
      const n = positiveInt(opts.n, "--n");
      const seed = positiveInt(String(Number(opts.seed) + 1), "--seed") - 1;
      const run = await loadRun(runDir);
      const { sampleImages } = await import("../viz/samples.ts");
      const { writeImageGrid } = await import("../run/image-file.ts");
      const images = await sampleImages(run.model, run.params, n, seed);
      writeImageGrid(opts.out, images, n, run.dataset.imageShape, Math.ceil(Math.sqrt(n)));
      console.log(`wrote ${n} samples from ${runDir} (step ${run.step}) to ${opts.out}`);
    });
  program
    .command("reconstruct")
    .description(
      "reconstruct held-out images: a grid of originals (odd rows) above their reconstructions",
    )
    .argument("<run>", "run folder written by `disentangle train`")
    .option("--n <count>", "number of images", "32")
    .option("--out <file>", "PNG file to write", "reconstructions.png")
    .action(async (runDir: string, opts: { n: string; out: string }) => {
      const n = positiveInt(opts.n, "--n");
      const run = await loadRun(runDir);
      const { reconstructValidationImages } = await import("../viz/samples.ts");
      const { writeImageGrid } = await import("../run/image-file.ts");
      const { grid, columns, tiles } = await reconstructValidationImages(run, n);
      writeImageGrid(opts.out, grid, tiles, run.dataset.imageShape, columns);
      console.log(
        `wrote ${n} originals and reconstructions from ${runDir} (step ${run.step}) to ${opts.out}`,
      );
    });
}
