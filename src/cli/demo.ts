/**
 * The quick start (`npm start`): trains a small beta-TCVAE on built-in 32x32 sprites for a
 * couple of minutes, then writes samples, reconstructions and latent traversals, and
 * prints where everything is.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";

export async function runDemo(opts: { steps: string; out: string }): Promise<void> {
  const { initEngine } = await import("../engine/device.ts");
  const { parseTrainConfig } = await import("../run/config.ts");
  const { runTraining } = await import("../run/run-training.ts");
  const { hasCheckpoint } = await import("../run/checkpoint.ts");
  const { loadTrainedRun } = await import("../run/trained-run.ts");
  const { runSplit } = await import("../run/build.ts");
  const { encodeDataset } = await import("../run/encode-dataset.ts");
  const { elboDecomposition } = await import("../metrics/elbo-decomposition.ts");
  const { sampleImages, reconstructValidationImages } = await import("../viz/samples.ts");
  const { writeImageGrid } = await import("../run/image-file.ts");

  const engine = await initEngine("wasm");
  const config = parseTrainConfig(
    {
      model: "beta-tcvae",
      data: "sprites",
      dataOptions: { size: 32 },
      beta: 6,
      z: 8,
      batch: 64,
      steps: Number(opts.steps),
      lr: 1e-3,
      logEvery: 50,
      checkpointEvery: 200,
      out: opts.out,
    },
    "demo",
  );
  if (hasCheckpoint(config.out)) {
    console.log(`replacing the earlier quick-start run in ${config.out}`);
    rmSync(config.out, { recursive: true, force: true });
  }
  console.log(
    `quick start: beta-TCVAE (beta ${config.beta}, z ${config.z}) on built-in 32x32 sprites, ${config.steps} steps, ${engine.threads} thread(s)`,
  );
  const summary = await runTraining(config);
  console.log(
    `trained to step ${summary.step} in ${summary.seconds.toFixed(0)} s (${summary.imagesPerSecond.toFixed(0)} img/s)`,
  );
  const run = await loadTrainedRun(config.out);
  // The KL's decomposition over 5000 held-out images (per-batch estimates are noisy at B=64).
  const { validation } = runSplit(run.config, run.dataset);
  const posteriors = await encodeDataset(
    run.model,
    run.params.encoder,
    run.dataset,
    validation.subarray(0, 5000),
  );
  const parts = await elboDecomposition(posteriors, { samples: 5000, prior: run.model.prior });
  console.log(
    `reconstruction ${summary.last?.reconstruction?.toFixed(2)} nats (last logged batch); KL over ${posteriors.count} held-out images ${parts.kl.toFixed(2)} = index-code MI ${parts.mi.toFixed(2)} + total correlation ${parts.tc.toFixed(2)} + dimension-wise KL ${parts.dwkl.toFixed(2)} (Monte Carlo, ±${(parts.standardErrors.mi + parts.standardErrors.tc + parts.standardErrors.dwkl).toFixed(2)})`,
  );
  const samplesPath = join(config.out, "samples.png");
  writeImageGrid(
    samplesPath,
    await sampleImages(run.model, run.params, 64, 0),
    64,
    run.dataset.imageShape,
    8,
  );
  const reconstructionsPath = join(config.out, "reconstructions.png");
  const { grid, columns, tiles } = await reconstructValidationImages(run, 32);
  writeImageGrid(reconstructionsPath, grid, tiles, run.dataset.imageShape, columns);
  console.log(`outputs in ${config.out}/:
  config.json, checkpoint.safetensors, log.jsonl (one row every ${config.logEvery} steps)
  ${samplesPath} (64 samples from the prior)
  ${reconstructionsPath} (held-out originals above their reconstructions)
next: npx disentangle sample ${config.out} --n 16 --out more.png`);
}
