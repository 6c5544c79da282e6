/**
 * Child process for test/engine/threads.test.ts: five jitted Adam steps of a tiny MLP
 * autoencoder on fixed data, with the Wasm thread count taken from DISENTANGLE_THREADS at
 * import. Prints one JSON line: thread count, number of kernel dispatches sent to workers,
 * the loss trajectory and the final parameters as float32 bit patterns (hex).
 */
import { configuredThreads, NodeWebWorker } from "../../../src/engine/worker-shim.ts";

// Count kernels actually farmed out to worker threads (0 when running single-threaded).
let kernelMessages = 0;
const post = NodeWebWorker.prototype.postMessage;
NodeWebWorker.prototype.postMessage = function (this: NodeWebWorker, message, transfer) {
  if ((message as { type?: string }).type === "kernel") kernelMessages++;
  post.call(this, message, transfer);
};

const { adamInit, adamUpdate } = await import("../../../src/engine/adam.ts");
const {
  jit,
  nn,
  numpy: np,
  random,
  tree,
  valueAndGrad,
} = await import("../../../src/engine/jax.ts");
const { keyFromSeed, splitKey } = await import("../../../src/engine/prng.ts");
type Arr = import("../../../src/engine/jax.ts").Array;

type Layer = { w: Arr; b: Arr };
type Params = { encoder: Layer[]; decoder: Layer[] };
const WIDTHS = { encoder: [32, 64, 8], decoder: [8, 64, 32] };
const BATCH = 64;

const keys = splitKey(keyFromSeed(7), 5);
const layer = (key: Arr, fanIn: number, fanOut: number): Layer => ({
  w: random.normal(key, [fanIn, fanOut]).mul(1 / Math.sqrt(fanIn)),
  b: np.zeros([fanOut]),
});
const params: Params = {
  encoder: [layer(keys[0], 32, 64), layer(keys[1], 64, 8)],
  decoder: [layer(keys[2], 8, 64), layer(keys[3], 64, 32)],
};
const x = random.uniform(keys[4], [BATCH, WIDTHS.encoder[0]]);

const mlp = (layers: Layer[], h: Arr): Arr =>
  layers.reduce((acc, { w, b }, i) => {
    const out = np.matmul(acc, w.ref).add(b.ref);
    return i < layers.length - 1 ? np.tanh(out) : out;
  }, h);
const loss = (p: Params, data: Arr): Arr => {
  const reconstruction = mlp(p.decoder, nn.relu(mlp(p.encoder, data.ref)));
  tree.dispose(p);
  return np.mean(np.square(reconstruction.sub(data)));
};
const lossAndGrad = valueAndGrad(loss);
const config = { lr: 1e-2, clipGradNorm: 1, weightDecay: 1e-3 };
const step = jit((p: Params, opt: ReturnType<typeof adamInit<Params>>, data: Arr) => {
  const [value, grads] = lossAndGrad(tree.ref(p), data);
  const next = adamUpdate(p, grads, opt, config);
  return { value, params: next.params, opt: next.state };
});

let state = { params, opt: adamInit(params) };
const losses: string[] = [];
for (let i = 0; i < 5; i++) {
  const out = step(state.params, state.opt, x.ref);
  state = { params: out.params, opt: out.opt };
  losses.push(Buffer.from((await out.value.data()).buffer).toString("hex"));
}
const leaves = tree.leaves(state.params) as Arr[];
const bytes: string[] = [];
for (const leaf of leaves) bytes.push(Buffer.from((await leaf.data()).buffer).toString("hex"));
process.stdout.write(
  `${JSON.stringify({ threads: configuredThreads, kernelMessages, losses, params: bytes })}\n`,
);
