/**
 * Samples from the prior and reconstructions, as flat NHWC float images in [0,1]. The
 * parameters are borrowed, not consumed.
 */
import { type Array, numpy as np, tree } from "../engine/jax.ts";
import { keyFromSeed } from "../engine/prng.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import { runSplit } from "../run/build.ts";
import type { TrainedRun } from "../run/trained-run.ts";

async function toImages(out: Array): Promise<Float32Array> {
  const data = (await np.clip(out, 0, 1).data()) as Float32Array;
  return Float32Array.from(data);
}

/** Decodes n latents z ~ p(z) (the model's prior) to the likelihood's mean images. */
export async function sampleImages(
  model: Vae,
  params: VaeParams,
  n: number,
  seed: number,
): Promise<Float32Array> {
  const { latentDim } = model.architecture.config;
  const prior = model.priorDistribution({
    encoder: tree.ref(params.encoder),
    prior: tree.ref(params.prior),
  });
  const z = prior.sample(keyFromSeed(seed), [n, latentDim]);
  return toImages(model.decodeMean(tree.ref(params.decoder), z));
}

/**
 * Encodes n held-out images (posterior means) and decodes them. Returns a grid laid out
 * as rows of originals followed by rows of their reconstructions.
 */
export async function reconstructValidationImages(
  run: TrainedRun,
  n: number,
): Promise<{ grid: Float32Array; columns: number; tiles: number }> {
  const { dataset, model, params, config } = run;
  const { validation, train } = runSplit(config, dataset);
  const pool = validation.length >= n ? validation : train;
  const indices = pool.subarray(0, Math.min(n, pool.length));
  const [h, w, c] = dataset.imageShape;
  const originals = dataset.readBatch(indices);
  const x = np.array(originals, { shape: [indices.length, h, w, c] });
  const { mu, logvar } = model.encode(tree.ref(params.encoder), x, "inference");
  logvar.dispose();
  const reconstructions = await toImages(model.decodeMean(tree.ref(params.decoder), mu));
  const columns = Math.min(8, indices.length);
  const pixels = h * w * c;
  const rows = Math.ceil(indices.length / columns);
  const tiles = 2 * rows * columns;
  const grid = new Float32Array(tiles * pixels);
  for (let row = 0; row < rows; row++) {
    const count = Math.min(columns, indices.length - row * columns);
    const from = row * columns * pixels;
    grid.set(originals.subarray(from, from + count * pixels), 2 * row * columns * pixels);
    grid.set(
      reconstructions.subarray(from, from + count * pixels),
      (2 * row + 1) * columns * pixels,
    );
  }
  return { grid, columns, tiles };
}
