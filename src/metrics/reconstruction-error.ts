/**
 * Held-out reconstruction quality in a likelihood-independent measure, and the held-out ELBO.
 * Each held-out image x (the run's held-out split, in its seeded order) is encoded to its
 * posterior mean, decoded to the likelihood's mean image x̂ clipped to [0,1], and scored by
 * the mean squared error per pixel and the PSNR 10 log10(1 / MSE) (pixels in [0,1]; MSE over
 * all images and pixels pooled). The ELBO, log p(x|z) - KL(q(z|x) ‖ p(z)) with one z ~ q(z|x)
 * per image (the KL in closed form where there is one), is in nats per image; it is comparable
 * across likelihoods of the same data only where they are normalised densities of the same
 * x (not the perceptual likelihood; the Bernoulli's is a density of neither grey levels nor
 * 8-bit values, the discretised logistic's a probability of 8-bit values, the Gaussian's and
 * Laplace's densities of continuous pixels).
 */
import { z } from "zod";
import { klDivergence } from "../distributions/kl.ts";
import { sumOverPixels } from "../distributions/sum-over-pixels.ts";
import { type Array, jit, numpy as np, random, tree } from "../engine/jax.ts";
import { foldIn, keyFromSeed } from "../engine/prng.ts";
import type { VaeParams } from "../nn/vae.ts";
import { heldOutOrder } from "../run/build.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import { defineMetric } from "./metric.ts";

/** Images per engine call. */
const BATCH = 100;

export interface ReconstructionReport {
  images: number;
  /** Mean squared error per pixel of the clipped mean reconstructions. */
  mse: number;
  /** 10 log10(1 / mse), in dB. */
  psnr: number;
  /** Means per image, in nats. */
  logPxGivenZ: number;
  kl: number;
  elbo: number;
}

/** PSNR in dB of a mean squared error of pixels in [0,1]. */
export function psnr(mse: number): number {
  return 10 * Math.log10(1 / mse);
}

/** Scores the first `images` held-out images of `run` (seeded draws of z from `seed`). */
export async function reconstructionError(
  run: TrainedRun,
  images: number,
  seed: number,
): Promise<ReconstructionReport> {
  const { model, params, dataset, config } = run;
  const order = heldOutOrder(config, dataset).slice(0, images);
  const count = order.length;
  const [h, w, c] = dataset.imageShape;
  const latentDim = model.architecture.config.latentDim;
  const batchSize = Math.min(BATCH, count);
  const scoreBatch = jit((p: VaeParams, x: Array, eps: Array) => {
    const { mu, logvar } = model.encode(tree.ref(p.encoder), x.ref, "inference");
    logvar.dispose();
    const mean = np.clip(model.decodeMean(tree.ref(p.decoder), mu), 0, 1);
    const squaredError = sumOverPixels(np.square(mean.sub(x.ref)));
    const out = model.forward(p, x, eps);
    const kl = np.sum(klDivergence(out.posterior, out.prior, out.z), -1);
    return { squaredError, logPx: out.logPxGivenZ, kl };
  });
  const key = keyFromSeed(seed);
  const buffer = new Float32Array(batchSize * h * w * c);
  const indices = new Int32Array(batchSize);
  const totals = { squaredError: 0, logPx: 0, kl: 0 };
  try {
    for (let start = 0; start < count; start += batchSize) {
      const filled = Math.min(batchSize, count - start);
      for (let i = 0; i < batchSize; i++) indices[i] = order[start + Math.min(i, filled - 1)];
      const x = np.array(dataset.readBatch(indices, buffer), { shape: [batchSize, h, w, c] });
      const eps = random.normal(foldIn(key.ref, start), [batchSize, latentDim]);
      const scored = scoreBatch(tree.ref(params), x, eps);
      const [squaredError, logPx, kl] = (await Promise.all([
        scored.squaredError.data(),
        scored.logPx.data(),
        scored.kl.data(),
      ])) as Float32Array[];
      for (let i = 0; i < filled; i++) {
        totals.squaredError += squaredError[i];
        totals.logPx += logPx[i];
        totals.kl += kl[i];
      }
    }
  } finally {
    key.dispose();
    scoreBatch.dispose();
  }
  const mse = totals.squaredError / (count * h * w * c);
  const logPxGivenZ = totals.logPx / count;
  const kl = totals.kl / count;
  return { images: count, mse, psnr: psnr(mse), logPxGivenZ, kl, elbo: logPxGivenZ - kl };
}

export const reconstructionMetric = defineMetric({
  name: "reconstruction",
  summary:
    "Held-out reconstructions: mean squared error per pixel and PSNR of the likelihood's mean image (clipped to [0,1]) decoded from the posterior mean; held-out ELBO, log p(x|z) and KL in nats per image (one z each)",
  missing: (input) => (input.run === undefined ? "needs a trained run (disentangle eval)" : null),
  schema: z.object({
    numImages: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe("held-out images scored (at most the held-out split)"),
  }),
  async compute(input, { numImages, seed }) {
    const run = input.run as TrainedRun;
    const r = await reconstructionError(run, numImages, seed);
    return {
      values: { mse: r.mse, psnr: r.psnr, elbo: r.elbo, logPxGivenZ: r.logPxGivenZ, kl: r.kl },
      options: { numImages, seed, images: r.images, likelihood: run.config.likelihood },
    };
  },
});
