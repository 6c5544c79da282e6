/**
 * The library API in a few lines: train a small beta-TCVAE on built-in 32x32 sprites, then
 * decompose its KL term over a held-out sample. Run: npx tsx examples/library.ts
 */
import {
  elboDecomposition,
  encodeDataset,
  initEngine,
  loadTrainedRun,
  parseTrainConfig,
  runTraining,
} from "../src/index.ts";

await initEngine();
const config = parseTrainConfig(
  {
    model: "beta-tcvae",
    data: "sprites",
    dataOptions: { size: 32 },
    beta: 6,
    steps: 200,
    out: "runs/example-library",
  },
  "examples/library.ts",
);
const summary = await runTraining(config, { progress: false });
console.log("last log row:", summary.last);
const run = await loadTrainedRun(config.out);
const sample = Int32Array.from({ length: 5000 }, (_, i) => (i * 7919) % run.dataset.count);
const posteriors = await encodeDataset(run.model, run.params.encoder, run.dataset, sample);
const decomposition = await elboDecomposition(posteriors, {
  samples: 2000,
  prior: run.model.prior,
});
console.log(
  `MI ${decomposition.mi.toFixed(3)}  TC ${decomposition.tc.toFixed(3)}  dim-wise KL ${decomposition.dwkl.toFixed(3)}  (KL ${decomposition.kl.toFixed(3)})`,
);
