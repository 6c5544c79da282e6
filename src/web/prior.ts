/**
 * The prior p(z) as the page uses it. {@link priorDistribution} is the one place in src/web
 * that obtains the prior's distribution; the traversal ranges and prior draws go through it.
 */
import type { Distribution } from "../distributions/distribution.ts";
import { tree } from "../engine/jax.ts";
import { keyFromSeed } from "../engine/prng.ts";
import type { Vae, VaeParams } from "../nn/vae.ts";
import { normalCdf, priorQuantiles } from "../viz/traversal.ts";

/**
 * The model's prior p(z) over its latent dimensions, made from its current parameters for a
 * learned prior; the caller owns it. Borrows `params`.
 */
export function priorDistribution(model: Vae, params: VaeParams): Distribution {
  return model.priorDistribution({
    encoder: tree.ref(params.encoder),
    prior: tree.ref(params.prior),
  });
}

/** How far a traversal sweeps each dimension, and where the other dimensions stay. */
export interface PriorRange {
  /** The prior's name (src/distributions/priors.ts). */
  prior: string;
  /** Its distribution's family (normal, laplace, student-t, beta, normal-mixture). */
  family: string;
  /** Central probability swept: that of ±radius standard deviations of a normal. */
  mass: number;
  /** [Z] the quantiles (1 - mass) / 2 and (1 + mass) / 2 of each dimension. */
  low: number[];
  high: number[];
  /** [Z] each dimension's median, where the other dimensions stay. */
  median: number[];
}

/**
 * The prior's central range, as `disentangle traverse --range prior` sweeps it: for each
 * dimension, the quantiles that hold the probability of ±`radius` standard deviations of a
 * normal (±radius itself for the standard normal prior). Borrows `params`.
 */
export async function priorRange(model: Vae, params: VaeParams, radius = 2): Promise<PriorRange> {
  const p = normalCdf(radius);
  const prior = priorDistribution(model, params);
  const family = prior.family;
  const d = model.architecture.config.latentDim;
  const [low, median, high] = await priorQuantiles(prior, [1 - p, 0.5, p], d);
  return {
    prior: model.prior.name,
    family,
    mass: 2 * p - 1,
    low: Array.from(low),
    high: Array.from(high),
    median: Array.from(median),
  };
}

/** A draw of one code [Z] from the model's prior, seeded. Borrows `params`. */
export async function priorDraw(
  model: Vae,
  params: VaeParams,
  seed: number,
): Promise<Float32Array> {
  const d = model.architecture.config.latentDim;
  const draw = priorDistribution(model, params).sample(keyFromSeed(seed), [1, d]);
  return Float32Array.from((await draw.data()) as Float32Array);
}
