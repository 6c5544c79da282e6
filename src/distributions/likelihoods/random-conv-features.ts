/**
 * A fixed, randomly initialised convolutional feature extractor: the feature space of the
 * perceptual likelihood (perceptual.ts). Random untrained conv nets already carry much of
 * the image statistics that trained ones do (Ulyanov et al. 2018, "Deep Image Prior"; He et al.
 * 2016, "A powerful generative model using random weights for the deep image representation").
 * Two k4/s2/p1 stages (16 and 32 channels) with ReLU; He-normal weights from a seed, no bias.
 * The weights are plain numbers made once, put on the engine at each call: constants of the
 * traced step, never parameters, so nothing trains them.
 */
import { Rng } from "../../data/random.ts";
import { conv2d } from "../../engine/conv.ts";
import { type Array, nn, numpy as np } from "../../engine/jax.ts";

/** Output channels of each stage. */
export const FEATURE_CHANNELS = [16, 32] as const;
const KERNEL = 4;
const STAGE = { stride: 2, padding: 1 } as const;

/** The feature maps of each stage for images [B,H,W,C]; consumes `x`. */
export type RandomConvFeatures = (x: Array) => Array[];

/** He-normal weights [O, I, k, k] from a seeded generator (Box-Muller over `rng`). */
function heNormal(rng: Rng, out: number, input: number): Float32Array {
  const std = Math.sqrt(2 / (input * KERNEL * KERNEL));
  const weights = new Float32Array(out * input * KERNEL * KERNEL);
  for (let i = 0; i < weights.length; i++) {
    const u = 1 - rng.nextFloat();
    const v = rng.nextFloat();
    weights[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return weights;
}

/** The fixed feature network for images of `channels` channels, its weights drawn from `seed`. */
export function randomConvFeatures(channels: number, seed: number): RandomConvFeatures {
  const rng = new Rng(seed, 0xfea7);
  const inputs = [channels, ...FEATURE_CHANNELS.slice(0, -1)];
  const weights = FEATURE_CHANNELS.map((out, i) => ({
    data: heNormal(rng, out, inputs[i]),
    shape: [out, inputs[i], KERNEL, KERNEL],
  }));
  return (x) => {
    const maps: Array[] = [];
    let h = x;
    for (const [i, w] of weights.entries()) {
      h = nn.relu(conv2d(h, np.array(w.data, { shape: w.shape }), STAGE));
      maps.push(i < weights.length - 1 ? h.ref : h);
    }
    return maps;
  };
}
