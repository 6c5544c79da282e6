/**
 * The browser entry in a page: a beta-TCVAE trained on built-in 32x32 sprites by the same
 * platform-free loop the CLI uses, then decoded into latent traversals on a canvas.
 * Run from the repository: npx vite examples/browser (vite.config.ts there points
 * "disentangle/browser" at the sources; in your own project it is the installed package).
 */
import {
  buildTask,
  initEngine,
  initialState,
  jax,
  loadSprites,
  parseTrainConfig,
  trainLoop,
} from "disentangle/browser";

const status = document.querySelector("#status") as HTMLElement;
const log = document.querySelector("#log") as HTMLElement;
const canvas = document.querySelector("#traversal") as HTMLCanvasElement;

const engine = await initEngine(); // Wasm (ask for "webgpu" where the browser offers it)
const config = parseTrainConfig(
  {
    model: "beta-tcvae",
    data: "sprites",
    dataOptions: { size: 32, positions: 8, scales: 3, orientations: 8 },
    z: 6,
    batch: 32,
    steps: 200,
    logEvery: 25,
  },
  "examples/browser",
);
const dataset = loadSprites(config.dataOptions);
const task = buildTask(config, dataset);
status.textContent = `Training on ${engine.device}: ${dataset.count} sprites, ${config.steps} steps...`;

const { state, last } = await trainLoop(
  task,
  initialState(task, config.seed),
  {
    steps: config.steps,
    batch: config.batch,
    logEvery: config.logEvery,
    checkpointEvery: config.steps,
    adam: { lr: config.lr },
  },
  {
    progress(step, _terms, imagesPerSecond) {
      status.textContent = `Training on ${engine.device}: step ${step} of ${config.steps}, ${imagesPerSecond.toFixed(0)} images/s`;
    },
    log(row) {
      log.textContent += `step ${row.step}  loss ${row.loss.toFixed(2)}  tc ${Number(row.tc).toFixed(3)}\n`;
    },
  },
);

// Traversals: for each dimension d, codes with z_d from -2 to 2 and the other dimensions at 0.
const columns = 7;
const [height, width] = dataset.imageShape;
const codes: number[][] = [];
for (let d = 0; d < config.z; d++) {
  for (let c = 0; c < columns; c++) {
    const code = new Array(config.z).fill(0);
    code[d] = -2 + (4 * c) / (columns - 1);
    codes.push(code);
  }
}
const { vae } = state.params;
jax.tree.dispose([vae.encoder, vae.likelihood, state.opt, state.key]);
const images = await task.model.decodeMean(vae.decoder, jax.numpy.array(codes)).data();

canvas.width = columns * width;
canvas.height = config.z * height;
canvas.style.width = `${canvas.width * 3}px`;
const context = canvas.getContext("2d") as CanvasRenderingContext2D;
const pixels = context.createImageData(canvas.width, canvas.height);
codes.forEach((_, i) => {
  const [row, column] = [Math.floor(i / columns), i % columns];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const grey = Math.round(255 * images[(i * height + y) * width + x]);
      pixels.data.set(
        [grey, grey, grey, 255],
        ((row * height + y) * canvas.width + column * width + x) * 4,
      );
    }
  }
});
context.putImageData(pixels, 0, 0);
status.textContent = `Trained ${last?.step} steps on ${engine.device}: loss ${last?.loss.toFixed(2)}.`;
(window as unknown as { trained: unknown }).trained = { step: last?.step, loss: last?.loss };
