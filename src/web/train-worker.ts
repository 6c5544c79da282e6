/**
 * The page's training worker: any model, prior and likelihood of the library's registries on
 * the built-in sprites, from the settings a `--config` file would hold (parsed here with
 * parseTrainConfig, as the CLI parses them), trained by the platform-free loop the CLI runs
 * (src/train/loop.ts) on jax-js's Wasm backend, off the page's thread. It posts log rows, a
 * decoded traversal over the prior's central range every few seconds, and at the end a zip of
 * the run folder (config.json, checkpoint.safetensors, log.jsonl) that `disentangle` reads
 * once unzipped.
 *
 * The worker runs the page's own bundle (main.tsx starts it when there is no document), so
 * the page ships one copy of jax-js, not two.
 */
import { zipSync } from "fflate";
import { loadSprites } from "../data/datasets/sprites.ts";
import { initEngine } from "../engine/device.ts";
import { type Array as JaxArray, jit, numpy as np, tree } from "../engine/jax.ts";
import type { DecoderParams } from "../nn/architecture.ts";
import { parseTrainConfig, type TrainConfig } from "../run/config.ts";
import { checkpointBytes, logRowText, runConfigText } from "../run/run-files.ts";
import { buildTask } from "../train/build-task.ts";
import { initialState } from "../train/initial-state.ts";
import { type LogRow, type TrainingState, trainLoop } from "../train/loop.ts";
import type { TaskParams } from "../train/task.ts";
import { type PriorRange, priorRange } from "./prior.ts";
import { FORM_SOURCE } from "./train-form.ts";
import type { FromWorker, ToWorker, TrainRequest } from "./train-protocol.ts";

const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};
let stopRequested = false;
let running = false;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/**
 * Traversal codes [z][columns][z]: each dimension swept over the prior's central range, the
 * others at the prior's median.
 */
function traversalCodes(range: PriorRange, columns: number): Float32Array {
  const z = range.median.length;
  const codes = new Float32Array(z * columns * z);
  for (let j = 0; j < z; j++) {
    for (let c = 0; c < columns; c++) {
      const code = codes.subarray((j * columns + c) * z, (j * columns + c + 1) * z);
      code.set(range.median);
      code[j] = range.low[j] + ((range.high[j] - range.low[j]) * c) / (columns - 1);
    }
  }
  return codes;
}

async function train(request: TrainRequest): Promise<void> {
  const engine = await initEngine("wasm");
  const config = parseTrainConfig(request.config, FORM_SOURCE);
  const dataset = loadSprites(config.dataOptions);
  const task = buildTask(config, dataset);
  post({
    type: "started",
    device: engine.device,
    images: dataset.count,
    imageShape: dataset.imageShape,
  });
  const columns = 7;
  const decode = jit((params: DecoderParams, z: JaxArray) =>
    np.clip(task.model.decodeMean(params, z), 0, 1),
  );
  const rows: LogRow[] = [];
  let lastTraversal = 0;
  let lastYield = performance.now();
  const sendTraversal = async (state: TrainingState<TaskParams>) => {
    const range = await priorRange(task.model, state.params.vae);
    const images = (await decode(
      tree.ref(state.params.vae.decoder),
      np.array(traversalCodes(range, columns), { shape: [config.z * columns, config.z] }),
    ).data()) as Float32Array;
    const copy = Float32Array.from(images);
    post(
      {
        type: "traversal",
        step: state.step,
        images: copy,
        columns,
        z: config.z,
        imageShape: dataset.imageShape,
        range,
      },
      [copy.buffer],
    );
    lastTraversal = performance.now();
  };
  const started = performance.now();
  const result = await trainLoop(
    task,
    initialState(task, config.seed),
    {
      steps: config.steps,
      batch: config.batch,
      logEvery: config.logEvery,
      checkpointEvery: 10,
      adam: { lr: config.lr, weightDecay: config.weightDecay, clipGradNorm: config.clipGradNorm },
    },
    {
      log(row) {
        rows.push(row);
        post({ type: "log", row });
      },
      progress(step, terms) {
        const seconds = (performance.now() - started) / 1000;
        post({ type: "progress", step, loss: terms.loss, stepsPerSecond: step / seconds });
      },
      async checkpoint(state) {
        if (performance.now() - lastTraversal >= request.traversalEvery * 1000)
          await sendTraversal(state);
      },
      async shouldStop() {
        // Let the stop message in: the loop's awaits resolve as microtasks, which never
        // give queued messages a turn.
        if (performance.now() - lastYield > 100) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = performance.now();
        }
        return stopRequested;
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  await sendTraversal(result.state);
  decode.dispose();
  const name = runName(config, dataset.imageShape[0], result.state.step);
  const encoder = new TextEncoder();
  const zip = zipSync({
    [name]: {
      "config.json": encoder.encode(runConfigText(config, engine)),
      "checkpoint.safetensors": await checkpointBytes(
        result.state,
        `${name}/checkpoint.safetensors`,
      ),
      "log.jsonl": encoder.encode(rows.map(logRowText).join("")),
    },
  });
  tree.dispose([result.state.params, result.state.opt, result.state.key] as never);
  post(
    {
      type: "done",
      step: result.state.step,
      stoppedBy: result.stoppedBy,
      seconds,
      stepsPerSecond: result.state.step / seconds,
      zip,
      name,
    },
    [zip.buffer],
  );
}

/** The run folder's name: model, prior and likelihood when not the defaults, data, z, step. */
function runName(config: TrainConfig, size: number, step: number): string {
  const parts = [
    "browser",
    config.model,
    ...(config.prior === "normal" ? [] : [config.prior]),
    ...(config.likelihood === "bernoulli" ? [] : [config.likelihood]),
    `sprites${size}`,
    `z${config.z}`,
    `step${step}`,
  ];
  return parts.join("-");
}

/** Makes this (worker) global answer the page's start and stop messages. */
export function startTrainingWorker(): void {
  scope.onmessage = (event) => {
    const message = event.data;
    if (message.type === "stop") {
      stopRequested = true;
      return;
    }
    if (running) {
      post({ type: "error", message: "already training (stop first)" });
      return;
    }
    running = true;
    stopRequested = false;
    train(message.request)
      .catch((error: unknown) =>
        post({ type: "error", message: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => {
        running = false;
      });
  };
}
