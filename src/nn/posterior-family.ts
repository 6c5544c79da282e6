/**
 * The encoder's posterior family: how the two halves (h₁, h₂) of an encoder's last layer
 * become q(z|x), how z is drawn from it with the step's standard normal noise ε, what the
 * decoder reads for a z, and the (mean, log-variance) summary that `Vae.encode` reports to the
 * metrics and pictures. The prior decides the family (src/distributions/priors.ts):
 *
 * - normal: q = N(h₁, diag exp h₂), z = h₁ + exp(h₂/2) ε, the decoder reads z (Kingma &
 *   Welling 2014); the summary is (h₁, h₂) itself.
 * - kumaraswamy: the stick-breaking VAE (Nalisnick & Smyth 2017, Sec. 3): stick fractions
 *   v ~ Kumaraswamy(a, b) with a = softplus(h₁) + 0.01, b = softplus(h₂) + 0.01 (the floor
 *   keeps the inverse CDF's powers finite), drawn as F⁻¹(Φ(ε)), Φ the standard normal CDF (so
 *   one noise array serves both families); the decoder reads the stick weights π(v),
 *   centred by their means under the GEM(α₀) prior and divided by one stick fraction's prior
 *   standard deviation (`standardisedStickWeights`, stick-breaking.ts; the paper's decoder
 *   reads π itself: see below); the summary is v's mean and log-variance, a moment-matched Gaussian
 *   for the code consumers built for Gaussian posteriors (metrics on means, traversals,
 *   reconstructions). Metrics that sample q(z|x) therefore sample that Gaussian, not the
 *   Kumaraswamy; `eval --metrics active-dims` uses the Kumaraswamy itself.
 *
 * Why the stick-breaking decoder does not read raw π (measured on 16x16 sprites, mlp-chen,
 * z = 10, 1000 steps, seed 0): under the prior the weights are small (E[π_k] from 0.17 down to
 * 0.03, sd 0.14 to 0.03), so the decoder, initialised for unit-scale inputs, barely responds to
 * them. At step 0 the reconstruction's gradient on the a and b rows of the encoder's last
 * layer was 1/300 (a) and 1/600 (b) of the KL's, falling 100-fold from the first stick to the
 * tenth; by step 100 every posterior sat on the prior (a = 1.00, b = 5.04) and the decoder's
 * first layer got 1/100 of the gradient a Gaussian VAE's gets. Neither lr 3e-4 (the paper's),
 * a KL weight of 0.1, starting the heads at the prior, nor reading v, logit v, log π or
 * centred π changed that (0 active sticks, KL ≤ 0.001 nats). Scaling π fixed it: read as
 * (π − E[π]) / sd(v), 10 sticks active, KL 4.4 nats, reconstruction 15.4 nats (PSNR 18.7 dB)
 * against 31.9 nats (15.5 dB, the mean image) before; the per-stick KL falls with the stick's
 * index, as the construction intends. A fixed affine map before the decoder's affine first
 * layer, it leaves the set of decoders unchanged: only their scale at initialisation and under
 * Adam.
 */
import type { DiagonalGaussianParams } from "../distributions/diagonal-gaussian.ts";
import { diagonalGaussian, reparameterize } from "../distributions/diagonal-gaussian.ts";
import type { Distribution } from "../distributions/distribution.ts";
import { logBetaFunction } from "../distributions/gamma-functions.ts";
import {
  kumaraswamy,
  kumaraswamyInverseCdf,
  kumaraswamyMean,
} from "../distributions/kumaraswamy.ts";
import { STICK_CONCENTRATION } from "../distributions/priors.ts";
import { softplus } from "../distributions/softplus.ts";
import { standardisedStickWeights } from "../distributions/stick-breaking.ts";
import { type Array, numpy as np, scipySpecial } from "../engine/jax.ts";

export const POSTERIOR_FAMILY_NAMES = ["normal", "kumaraswamy"] as const;
export type PosteriorFamilyName = (typeof POSTERIOR_FAMILY_NAMES)[number];

export interface PosteriorFamily {
  readonly name: PosteriorFamilyName;
  /** q(z|x) from the encoder's halves, [B, Z] each. Consumes them. */
  posterior(head: DiagonalGaussianParams): Distribution;
  /** A reparameterised z ~ q from standard normal `eps` of q's shape. Consumes both. */
  sample(posterior: Distribution, eps: Array): Array;
  /** What the decoder reads for latents z [B, Z]. Consumes z. */
  decoderInput(z: Array): Array;
  /** q's mean and log-variance per dimension. Consumes q. */
  summary(posterior: Distribution): DiagonalGaussianParams;
  /** q again from its `params` (as `posterior(...).params` holds them). Consumes them. */
  fromParams(params: Readonly<Record<string, Array>>): Distribution;
}

const KUMARASWAMY_FLOOR = 0.01;

const normalFamily: PosteriorFamily = {
  name: "normal",
  posterior: (head) => diagonalGaussian(head),
  sample: ({ params }, eps) => reparameterize(params.mu, params.logvar, eps),
  decoderInput: (z) => z,
  summary: ({ params }) => ({ mu: params.mu, logvar: params.logvar }),
  fromParams: ({ mu, logvar }) => diagonalGaussian({ mu, logvar }),
};

const kumaraswamyFamily: PosteriorFamily = {
  name: "kumaraswamy",
  posterior: ({ mu, logvar }) =>
    kumaraswamy({
      a: softplus(mu).add(KUMARASWAMY_FLOOR),
      b: softplus(logvar).add(KUMARASWAMY_FLOOR),
    }),
  sample({ params }, eps) {
    const u = scipySpecial.erf(eps.mul(Math.SQRT1_2)).add(1).mul(0.5);
    return kumaraswamyInverseCdf(u, params.a, params.b);
  },
  decoderInput: (z) => standardisedStickWeights(z, STICK_CONCENTRATION),
  summary({ params }) {
    const { a, b } = params;
    const mean = kumaraswamyMean(a.ref, b.ref);
    // E[v²] = b B(1 + 2/a, b).
    const secondMoment = b.ref.mul(np.exp(logBetaFunction(np.reciprocal(a).mul(2).add(1), b)));
    const variance = np.maximum(secondMoment.sub(np.square(mean.ref)), 1e-12);
    return { mu: mean, logvar: np.log(variance) };
  },
  fromParams: ({ a, b }) => kumaraswamy({ a, b }),
};

const FAMILIES: Record<PosteriorFamilyName, PosteriorFamily> = {
  normal: normalFamily,
  kumaraswamy: kumaraswamyFamily,
};

export function posteriorFamily(name: PosteriorFamilyName): PosteriorFamily {
  return FAMILIES[name];
}
