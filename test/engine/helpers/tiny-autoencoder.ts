/**
 * Child process for test/engine/threads.test.ts: jitted Adam steps of a small MLP autoencoder
 * on fixed data, on the device of DISENTANGLE_DEVICE (default: the engine's default) with the
 * thread count of DISENTANGLE_THREADS, both read when the engine is first imported.
 * HELPER_STEPS (default 5), HELPER_LR (default 1e-2) and HELPER_WIDTHS (default 32,64,8,64,32; wider layers make the
 * native backend split kernels across threads) size the run. Prints one JSON line: the device,
 * the thread count, the number of kernels sent to Wasm worker threads, the loss trajectory
 * as float32 bit patterns (hex) and the SHA-256 of each final parameter leaf's bytes.
 */
import { createHash } from "node:crypto";
import { type AdamState, adamInit, adamUpdate } from "../../../src/engine/adam.ts";
import { type DenseParams, dense } from "../../../src/engine/dense.ts";
import { initEngine } from "../../../src/engine/device.ts";
import { initDense } from "../../../src/engine/init.ts";
import {
  jit,
  nn,
  numpy as np,
  random,
  type Array as Tensor,
  tree,
  valueAndGrad,
} from "../../../src/engine/jax.ts";
import { keyFromSeed, splitKey } from "../../../src/engine/prng.ts";
import { configuredThreads, NodeWebWorker } from "../../../src/engine/worker-shim.ts";

// Count kernels farmed out to worker threads (none when running single-threaded). Workers
// post only when a kernel is dispatched, which happens after this patch.
let kernelMessages = 0;
const post = NodeWebWorker.prototype.postMessage;
NodeWebWorker.prototype.postMessage = function (this: NodeWebWorker, message, transfer) {
  if ((message as { type?: string }).type === "kernel") kernelMessages++;
  post.call(this, message, transfer);
};

const engine = await initEngine();
type Params = { encoder: DenseParams[]; decoder: DenseParams[] };
const BATCH = 64;
const WIDTHS = (process.env.HELPER_WIDTHS ?? "32,64,8,64,32").split(",").map(Number);
const STEPS = Number(process.env.HELPER_STEPS ?? 5);

const keys = splitKey(keyFromSeed(7), 5);
const layers = [0, 1, 2, 3].map((i) => initDense(keys[i], WIDTHS[i], WIDTHS[i + 1]));
const params: Params = { encoder: layers.slice(0, 2), decoder: layers.slice(2) };
const x = random.uniform(keys[4], [BATCH, WIDTHS[0]]);

/** tanh between layers, linear output; consumes the layers and the input. */
const mlp = (ls: DenseParams[], h: Tensor): Tensor =>
  ls.reduce((acc, layer, i) => {
    const out = dense(layer, acc);
    return i < ls.length - 1 ? np.tanh(out) : out;
  }, h);
const loss = (p: Params, data: Tensor): Tensor => {
  const reconstruction = mlp(p.decoder, nn.relu(mlp(p.encoder, data.ref)));
  return np.mean(np.square(reconstruction.sub(data)));
};
const lossAndGrad = valueAndGrad(loss);
const config = { lr: Number(process.env.HELPER_LR ?? 1e-2), clipGradNorm: 1, weightDecay: 1e-3 };
const step = jit((p: Params, opt: AdamState<Params>, data: Tensor) => {
  const [value, grads] = lossAndGrad(tree.ref(p), data);
  const next = adamUpdate(p, grads, opt, config);
  return { value, params: next.params, opt: next.state };
});

const hex = (data: ArrayBufferView) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("hex");
let state = { params, opt: adamInit(params) };
const losses: string[] = [];
for (let i = 0; i < STEPS; i++) {
  const out = step(state.params, state.opt, x.ref);
  state = { params: out.params, opt: out.opt };
  // Asynchronous reads: a synchronous read would force kernels onto the main thread.
  losses.push(hex(await out.value.data()));
}
const bytes: string[] = [];
for (const leaf of tree.leaves(state.params) as Tensor[]) {
  const data = await leaf.data();
  bytes.push(
    createHash("sha256")
      .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      .digest("hex"),
  );
}
tree.dispose([state.opt, x]);
step.dispose();
process.stdout.write(
  `${JSON.stringify({ device: engine.device, threads: configuredThreads, kernelMessages, losses, params: bytes })}\n`,
);
