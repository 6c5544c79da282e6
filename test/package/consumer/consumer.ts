// A TypeScript consumer, type-checked against the shipped declarations (both entries).
import {
  type EngineInfo,
  initEngine,
  METRIC_NAMES,
  parseTrainConfig,
  runTraining,
  type TrainConfig,
  type TrainSummary,
} from "disentangle";
import { buildModel, jax, type Vae } from "disentangle/browser";

const engine: EngineInfo = await initEngine("wasm");
// @ts-expect-error: devices are a closed union, so a typo is a type error (this line fails if the types were `any`)
await initEngine("tpu");
const config: TrainConfig = parseTrainConfig(
  { model: "beta-vae", beta: 4, steps: 5 },
  "consumer.ts",
);
const beta: number | undefined = config.beta;
const vae: Vae = buildModel(config, [16, 16, 1]);
const zeros: jax.Array = jax.numpy.zeros([1, config.z]);
const summary: TrainSummary = await runTraining(
  { ...config, out: "runs/typed" },
  { progress: false },
);
const metric: string = METRIC_NAMES[0];
console.log(
  engine.device,
  beta,
  vae.architecture.config.latentDim,
  zeros.shape,
  summary.step,
  metric,
);
