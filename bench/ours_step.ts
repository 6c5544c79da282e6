/**
 * Child process of `npm run bench`: times one Adam training step of a reference net with
 * the project's own modules (src/nn architecture with the standard normal prior, Bernoulli
 * VAE objective, src/engine Adam, the jitted step of src/train), then the engine's matmul
 * GFLOP/s on shapes of that net.
 * The device (DISENTANGLE_DEVICE, native or wasm) and the thread count (DISENTANGLE_THREADS)
 * are fixed when the engine loads, which is why each device and thread count runs in its own
 * process. The device the engine actually runs on is checked against DISENTANGLE_DEVICE (exit 1
 * if they differ) and reported.
 *
 *   DISENTANGLE_DEVICE=D DISENTANGLE_THREADS=N node --import tsx bench/ours_step.ts NET WARMUP ROUNDS STEPS [--profile]
 *
 * Prints one JSON line (see {@link OursResult}); with --profile, first a per-kernel table
 * (jax-js's profiler on wasm; the native backend's own kernel timer on native).
 */
import { createPrior } from "../src/distributions/priors.ts";
import { adamInit } from "../src/engine/adam.ts";
import { type DeviceName, initEngine } from "../src/engine/device.ts";
import { type Array, jit, numpy as np, random } from "../src/engine/jax.ts";
import type { NativeStats } from "../src/engine/native/backend.ts";
import { nativeBackend } from "../src/engine/native/register.ts";
import { foldIn, keyFromSeed } from "../src/engine/prng.ts";
import { createArchitecture } from "../src/nn/architectures/index.ts";
import { createVae, type VaeParams } from "../src/nn/vae.ts";
import { createObjective } from "../src/objectives/registry.ts";
import { makeTrainStep } from "../src/train/train-step.ts";
import { type VaeInputs, vaeLoss } from "../src/train/vae-task.ts";
import { BATCH, BENCH_NETS, type BenchNet, CEILING_SHAPES, IMAGE, LATENT } from "./nets.ts";
import { formatProfile, profileKernels, profileNative } from "./profile.ts";

export interface OursResult {
  net: BenchNet;
  /** The device the engine ran on (initEngine's answer, equal to DISENTANGLE_DEVICE). */
  device: DeviceName;
  threads: number;
  /** Best round's mean step time; median of the rounds beside it. */
  msPerStep: number;
  msPerStepMedian: number;
  compileMs: number;
  finalLoss: number;
  /** Engine matmul GFLOP/s per ceiling shape and layout ("NN": x @ w, "NT": x @ wᵀ). */
  matmul: { shape: [number, number, number]; layout: "NN" | "NT"; gflops: number }[];
  /**
   * Native device only: the backend's compile statistics at the end, and how many programs it
   * loaded during the timed rounds (nonzero: kernels still ran on Wasm when timing began and
   * were compiled mid-round; more warmup steps avoid it).
   */
  native?: NativeStats & { programsLoadedWhileTiming: number };
}

const [net, warmupArg, roundsArg, stepsArg] = process.argv.slice(2);
if (!BENCH_NETS.includes(net as BenchNet)) {
  console.error(
    `bench/ours_step.ts: unknown net ${JSON.stringify(net)}: expected ${BENCH_NETS.join(" or ")}`,
  );
  process.exit(2);
}
const [warmup, rounds, steps] = [warmupArg, roundsArg, stepsArg].map(Number);
const requested = process.env.DISENTANGLE_DEVICE;
const engine = await initEngine();
if (requested && engine.device !== requested) {
  console.error(
    `bench/ours_step.ts: asked for device ${requested} (DISENTANGLE_DEVICE) but the engine runs on ${engine.device}`,
  );
  process.exit(1);
}
const native = engine.device === "native" ? nativeBackend() : undefined;
if (engine.device === "native" && !native) {
  console.error(
    "bench/ours_step.ts: the engine reports native but no native backend is registered",
  );
  process.exit(1);
}

const model = createVae(
  createArchitecture(net as BenchNet, { imageShape: IMAGE, latentDim: LATENT }),
  { kind: "bernoulli" },
  createPrior("normal"),
);
const objective = createObjective("vae");
const trainStep = makeTrainStep(
  (p: { vae: VaeParams }, inputs: VaeInputs) => vaeLoss(model, objective, 737280, p.vae, inputs),
  { lr: 1e-3 },
);
const baseKey = keyFromSeed(0);
let params = { vae: model.init(foldIn(baseKey.ref, 1)) };
let opt = adamInit(params);
const x = random
  .uniform(foldIn(baseKey.ref, 2), [BATCH, ...IMAGE])
  .greater(0.5)
  .astype(np.float32);
const annealing = np.array(1);
let stepIndex = 0;

async function step(): Promise<number> {
  const eps = random.normal(foldIn(baseKey.ref, 1000 + stepIndex++), [BATCH, LATENT]);
  const out = trainStep(params, opt, { x: x.ref, eps, annealing: annealing.ref });
  params = out.params;
  opt = out.opt;
  for (const term of Object.values(out.terms)) term.dispose();
  return (await out.loss.data())[0];
}

let t0 = performance.now();
let loss = await step();
const compileMs = performance.now() - t0;
for (let i = 1; i < warmup; i++) loss = await step();

if (process.argv.includes("--profile")) {
  const top = Number(process.env.BENCH_PROFILE_TOP ?? 25);
  if (native) console.log(await profileNative(native, step, 3, top));
  else console.log(formatProfile(await profileKernels(step, 3), top));
}

const loadedBeforeTiming = native?.stats.programsLoaded ?? 0;
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  t0 = performance.now();
  for (let i = 0; i < steps; i++) loss = await step();
  times.push((performance.now() - t0) / steps);
}
times.sort((a, b) => a - b);
const programsLoadedWhileTiming = (native?.stats.programsLoaded ?? 0) - loadedBeforeTiming;

/**
 * GFLOP/s of a jitted [M,K]x[K,N] matmul (NN) or [M,K]x[N,K]ᵀ (NT), best of 3 batches after 2
 * discarded ones: the first compiles the jit, and on native a program of one new kernel runs on
 * Wasm for its first 4 calls before it is compiled (src/engine/native/backend.ts, WARM_RUNS),
 * which 2 batches of at least 2 calls cover.
 */
async function matmulGflops(m: number, k: number, n: number, layout: "NN" | "NT"): Promise<number> {
  const f = jit((a: Array, b: Array) => np.matmul(a, layout === "NN" ? b : b.transpose()));
  const a = random.uniform(random.key(1), [m, k]);
  const b = random.uniform(random.key(2), layout === "NN" ? [k, n] : [n, k]);
  const flop = 2 * m * k * n;
  const reps = Math.max(2, Math.min(40, Math.round(1e9 / flop)));
  let best = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 5; trial++) {
    const start = performance.now();
    const outs: Array[] = [];
    for (let i = 0; i < reps; i++) outs.push(f(a.ref, b.ref));
    for (const out of outs) await out.blockUntilReady();
    const ms = (performance.now() - start) / reps;
    for (const out of outs) out.dispose();
    if (trial > 1) best = Math.min(best, ms);
  }
  a.dispose();
  b.dispose();
  return flop / best / 1e6;
}

const matmul: OursResult["matmul"] = [];
for (const shape of CEILING_SHAPES[net as BenchNet]) {
  for (const layout of ["NN", "NT"] as const) {
    matmul.push({ shape, layout, gflops: await matmulGflops(...shape, layout) });
  }
}

const result: OursResult = {
  net: net as BenchNet,
  device: engine.device,
  threads: engine.threads,
  msPerStep: times[0],
  msPerStepMedian: times[Math.floor(times.length / 2)],
  compileMs,
  finalLoss: loss,
  matmul,
  ...(native ? { native: { ...native.stats, programsLoadedWhileTiming } } : {}),
};
console.log(JSON.stringify(result));
process.exit(0);
