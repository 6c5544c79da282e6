/**
 * Encodes (a subset of) a dataset with a trained encoder: posterior means and
 * log-variances of q(z|x) for every image (and a non-Gaussian posterior's own parameters), in fixed-size jitted batches (the last batch is
 * padded, so the encoder is traced once), reporting progress to a callback.
 */
import type { Dataset } from "../data/dataset.ts";
import type { DiagonalGaussianParams } from "../distributions/diagonal-gaussian.ts";
import { type Array, jit, numpy as np, tree } from "../engine/jax.ts";
import type { EncoderParams } from "../nn/architecture.ts";
import type { PosteriorFamilyName } from "../nn/posterior-family.ts";
import type { Vae } from "../nn/vae.ts";

export interface EncodedPosteriors {
  /** Number of encoded images. */
  count: number;
  latentDim: number;
  /** [count * latentDim] posterior means. */
  mu: Float32Array;
  /** [count * latentDim] posterior log-variances. */
  logvar: Float32Array;
  /**
   * A non-Gaussian posterior in its own family (the stick-breaking VAE's Kumaraswamy), whose
   * moment-matched Gaussian `mu` and `logvar` summarise: its parameters, [count * latentDim] each.
   */
  posterior?: { family: PosteriorFamilyName; params: Record<string, Float32Array> };
}

export interface EncodeOptions {
  /** Images per jitted batch (default 256). */
  batchSize?: number;
  /** Hears the number of images encoded so far after every batch (see run/progress.ts for a bar). */
  onProgress?: (done: number, total: number) => void;
}

/** Encodes `indices` (default: every image). Borrows `encoder` (does not consume it). */
export async function encodeDataset(
  model: Vae,
  encoder: EncoderParams,
  dataset: Dataset,
  indices?: ArrayLike<number>,
  options: EncodeOptions = {},
): Promise<EncodedPosteriors> {
  const order = indices ?? Int32Array.from({ length: dataset.count }, (_, i) => i);
  const count = order.length;
  const latentDim = model.architecture.config.latentDim;
  const [h, w, c] = dataset.imageShape;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 256, count));
  const batches = Math.ceil(count / batchSize);
  const family = model.posteriorFamily;
  const gaussian = family.name === "normal";
  type Encoded = DiagonalGaussianParams & { own: Record<string, Array> };
  const encode = jit((params: EncoderParams, x): Encoded => {
    if (gaussian) return { ...model.encode(params, x, "inference"), own: {} };
    const posterior = model.encodePosterior(params, x, "inference");
    const own = tree.ref(posterior.params as Record<string, Array>);
    return { ...family.summary(posterior), own };
  });
  const mu = new Float32Array(count * latentDim);
  const logvar = new Float32Array(count * latentDim);
  const own: Record<string, Float32Array> = {};
  const images = new Float32Array(batchSize * h * w * c);
  const batchIndices = new Int32Array(batchSize);
  try {
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const filled = Math.min(batchSize, count - start);
      for (let i = 0; i < batchSize; i++) batchIndices[i] = order[start + Math.min(i, filled - 1)];
      dataset.readBatch(batchIndices, images);
      const out = encode(tree.ref(encoder), np.array(images, { shape: [batchSize, h, w, c] }));
      const [m, v] = await Promise.all([out.mu.data(), out.logvar.data()]);
      mu.set((m as Float32Array).subarray(0, filled * latentDim), start * latentDim);
      logvar.set((v as Float32Array).subarray(0, filled * latentDim), start * latentDim);
      for (const [name, param] of Object.entries(out.own)) {
        own[name] ??= new Float32Array(count * latentDim);
        const data = (await param.data()) as Float32Array;
        own[name].set(data.subarray(0, filled * latentDim), start * latentDim);
      }
      options.onProgress?.(start + filled, count);
    }
  } finally {
    encode.dispose();
  }
  if (gaussian) return { count, latentDim, mu, logvar };
  return { count, latentDim, mu, logvar, posterior: { family: family.name, params: own } };
}
