/**
 * The quick start (`npm start`): trains a small beta-TCVAE on built-in 32x32 sprites for a
 * couple of minutes, then writes the run's report (traversals, reconstructions, samples,
 * curves, a latent map, the fast metrics) and prints the MIG it reached and where everything is.
 */
import { rmSync } from "node:fs";

export async function runDemo(opts: { steps: string; out: string }): Promise<void> {
  const { initEngine } = await import("../engine/device.ts");
  const { parseTrainConfig } = await import("../run/config.ts");
  const { runTraining } = await import("../run/run-training.ts");
  const { hasCheckpoint } = await import("../run/checkpoint.ts");

  const engine = await initEngine();
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
    `quick start: beta-TCVAE (beta ${config.beta}, z ${config.z}) on built-in 32x32 sprites, ${config.steps} steps, ${engine.device} with ${engine.threads} thread(s)`,
  );
  const summary = await runTraining(config);
  console.log(
    `trained to step ${summary.step} in ${summary.seconds.toFixed(0)} s (${summary.imagesPerSecond.toFixed(0)} img/s)`,
  );
  const { runReportCommand } = await import("./report.ts");
  const report = await runReportCommand(config.out, { points: "500" });
  const values = (name: string) => report.metrics[name]?.values ?? {};
  const { mig } = values("mig-dlib");
  const { kl, mi, tc, dwkl } = values("decomposition");
  const f = (v: number | null | undefined, digits = 2) =>
    v === null || v === undefined ? "n/a" : v.toFixed(digits);
  console.log(
    `MIG ${f(mig, 3)} (disentanglement_lib's protocol, 10000 images; Chen et al.'s: npx disentangle eval ${config.out} --metrics mig)
KL ${f(kl)} nats = index-code MI ${f(mi)} + total correlation ${f(tc)} + dimension-wise KL ${f(dwkl)}
latent traversal: ${report.traversal}
report:           ${report.index} (metrics, traversals, reconstructions, samples, curves, latent map)
next: npx disentangle traverse ${config.out} --gif   or   npx disentangle map ${config.out}`,
  );
}
