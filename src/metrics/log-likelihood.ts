/**
 * Held-out log-likelihood by importance sampling (Burda et al. 2016, eq. 8; the estimate VAE
 * papers report as test log-likelihood, e.g. Tomczak & Welling 2018 with 5000 samples):
 *   log p̂(x) = log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x),   z_k ~ q(z|x),
 * in nats per image. Its expectation is a lower bound on log p(x) that rises with K towards
 * it (K = 1 is the single-sample ELBO); q(z|x) is the encoder's posterior in its own family and
 * p(z) the trained prior (learned priors included). Comparable across models of the same data
 * and likelihood, unlike the ELBO, whose gap depends on the posterior family.
 */
import { z } from "zod";
import { type Array, jit, nn, numpy as np, random, tree } from "../engine/jax.ts";
import { foldIn, keyFromSeed } from "../engine/prng.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import { heldOutOrder } from "../run/build.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import { meanAndStandardError } from "./elbo-decomposition.ts";
import { defineMetric } from "./metric.ts";

/** Rows (images × samples) per engine call. */
const ROWS_PER_CALL = 2000;

/**
 * log p̂(x) of each of the `n` images in `pixels` ([n, H, W, C] row-major, H, W, C the model's
 * image shape) with `samples` draws each, the draws seeded by `key` (consumed). Borrows
 * `params`.
 */
export async function importanceSampledLogLikelihood(
  model: Vae,
  params: VaeParams,
  pixels: Float32Array,
  samples: number,
  key: Array,
): Promise<Float64Array> {
  const [h, w, c] = model.architecture.config.imageShape;
  const n = pixels.length / (h * w * c);
  const latentDim = model.architecture.config.latentDim;
  const perCall = Math.max(1, Math.floor(ROWS_PER_CALL / samples));
  const logWeightsOf = jit((p: VaeParams, x: Array, eps: Array) => {
    const out = model.forward(p, x, eps);
    const logQ = np.sum(out.posterior.logProb(out.z.ref), -1);
    const logP = np.sum(out.prior.logProb(out.z), -1);
    return out.logPxGivenZ.add(logP).sub(logQ);
  });
  const result = new Float64Array(n);
  try {
    for (let start = 0; start < n; start += perCall) {
      const rows = Math.min(perCall, n - start);
      const x = np.array(pixels.subarray(start * h * w * c, (start + rows) * h * w * c), {
        shape: [rows, h, w, c],
      });
      const eps = random.normal(foldIn(key.ref, start), [rows * samples, latentDim]);
      const logWeights = logWeightsOf(tree.ref(params), np.repeat(x, samples, 0), eps);
      const estimate = nn.logsumexp(logWeights.reshape([rows, samples]), -1).sub(Math.log(samples));
      const values = (await estimate.data()) as Float32Array;
      for (let i = 0; i < rows; i++) result[start + i] = values[i];
    }
  } finally {
    key.dispose();
    logWeightsOf.dispose();
  }
  return result;
}

export const logLikelihoodMetric = defineMetric({
  name: "log-likelihood",
  summary:
    "Held-out log p(x) by importance sampling with K posterior samples per image (Burda et al. 2016, eq. 8), nats per image: a lower bound that tightens with K; K = 1 is the ELBO (computed only when named)",
  missing: (input) => (input.run === undefined ? "needs a trained run (disentangle eval)" : null),
  onlyWhenNamed:
    "K decoder passes per image (50,000 with the defaults): name it with --metrics log-likelihood",
  schema: z.object({
    numImages: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe("held-out images scored (at most the held-out split)"),
    importanceSamples: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe("K, posterior samples per image"),
  }),
  async compute(input, { numImages, importanceSamples, seed }) {
    const run = input.run as TrainedRun;
    const { dataset, config, model, params } = run;
    const order = heldOutOrder(config, dataset).slice(0, numImages);
    const values = await importanceSampledLogLikelihood(
      model,
      params,
      dataset.readBatch(Int32Array.from(order)),
      importanceSamples,
      keyFromSeed(seed),
    );
    const [mean, standardError] = meanAndStandardError(values);
    return {
      values: { logLikelihood: mean },
      options: { numImages, importanceSamples, seed, images: values.length },
      details: { standardError },
    };
  },
});
