// A consumer's plain Node ESM script: trains 10 steps through the package's Node entry on the
// device named by argv[2], and prints what it did as one JSON line.
import {
  buildTask,
  initEngine,
  initialState,
  loadRunDataset,
  parseTrainConfig,
  trainLoop,
} from "disentangle";
import { spearman } from "disentangle/study";

const engine = await initEngine(process.argv[2]);
const config = parseTrainConfig(
  {
    model: "beta-tcvae",
    data: "sprites",
    dataOptions: { size: 16, positions: 4, scales: 2, orientations: 4 },
    z: 4,
    batch: 16,
    steps: 10,
    logEvery: 5,
  },
  "consumer train.mjs",
);
const task = buildTask(config, await loadRunDataset(config));
const rows = [];
const { last } = await trainLoop(
  task,
  initialState(task, config.seed),
  {
    steps: config.steps,
    batch: config.batch,
    logEvery: 5,
    checkpointEvery: 10,
    adam: { lr: 1e-3 },
  },
  { log: (row) => rows.push(row) },
);
// The study entry loads too (Spearman's rho of two rankings of three items: 1 - 6·2/(3·8) = 0.5).
const rho = spearman([1, 2, 3], [1, 3, 2]);
console.log(
  JSON.stringify({
    device: engine.device,
    step: last.step,
    loss: last.loss,
    rows: rows.length,
    rho,
  }),
);
