/**
 * PyTorch default parameter initialisation (torch 1.13 `reset_parameters`).
 *
 * `nn.Linear`, `nn.Conv2d` and `nn.ConvTranspose2d` draw their weight with
 * `kaiming_uniform_(w, a=√5)`: gain √(2/(1+a²)) = √(1/3), bound = gain·√3/√fan_in
 * = 1/√fan_in, so W ~ U(−1/√fan_in, 1/√fan_in); the bias is U(−1/√fan_in, 1/√fan_in) with the
 * same fan_in (He et al. 2015, "Delving deep into rectifiers", eq. 16 with PyTorch's a=√5).
 *
 * fan_in is `weight.shape[1] · kh · kw` in PyTorch's layout. For `ConvTranspose2d`, whose
 * weight is [in, out, kh, kw], that is the number of OUTPUT channels times the kernel area;
 * this quirk is reproduced.
 *
 * Each function consumes its PRNG key and splits it into one key for the weight and one for
 * the bias.
 */
import type { DenseParams } from "./dense.ts";
import { type Array, random } from "./jax.ts";
import { splitKey } from "./prng.ts";

export type { DenseParams };

/** Parameters of a convolution layer: w in PyTorch layout, b [out channels]. */
export type ConvParams = {
  w: Array;
  b: Array;
};

/** W ~ U(−bound, bound) of `shape`, b ~ U(−bound, bound) of [biasSize], from one key. */
function uniformPair(key: Array, shape: number[], biasSize: number, bound: number) {
  const [wKey, bKey] = splitKey(key, 2);
  const w = random.uniform(wKey, shape, { minval: -bound, maxval: bound });
  const b = random.uniform(bKey, [biasSize], { minval: -bound, maxval: bound });
  return { w, b };
}

function checkSizes(fn: string, sizes: Record<string, number>): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${fn}: ${name} must be a positive integer, got ${value}`);
    }
  }
}

/** `nn.Linear(inFeatures, outFeatures)` defaults; w [out, in] as in PyTorch. fan_in = inFeatures. */
export function initDense(key: Array, inFeatures: number, outFeatures: number): DenseParams {
  checkSizes("initDense", { inFeatures, outFeatures });
  return uniformPair(key, [outFeatures, inFeatures], outFeatures, 1 / Math.sqrt(inFeatures));
}

/** `nn.Conv2d(in, out, kernel)` defaults; w [out, in, k, k]. fan_in = in · k². */
export function initConv2d(
  key: Array,
  inChannels: number,
  outChannels: number,
  kernel: number,
): ConvParams {
  checkSizes("initConv2d", { inChannels, outChannels, kernel });
  const bound = 1 / Math.sqrt(inChannels * kernel * kernel);
  return uniformPair(key, [outChannels, inChannels, kernel, kernel], outChannels, bound);
}

/**
 * `nn.ConvTranspose2d(in, out, kernel)` defaults; w [in, out, k, k]. PyTorch computes
 * fan_in from weight.shape[1], so fan_in = out · k².
 */
export function initConvTranspose2d(
  key: Array,
  inChannels: number,
  outChannels: number,
  kernel: number,
): ConvParams {
  checkSizes("initConvTranspose2d", { inChannels, outChannels, kernel });
  const bound = 1 / Math.sqrt(outChannels * kernel * kernel);
  return uniformPair(key, [inChannels, outChannels, kernel, kernel], outChannels, bound);
}
