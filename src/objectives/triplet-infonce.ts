/**
 * A contrastive (InfoNCE) loss on masked latent codes (van den Oord, Li & Vinyals 2018,
 * "Representation Learning with Contrastive Predictive Coding", eq. 4; with a temperature as
 * in Chen et al. 2020, SimCLR, eq. 1), built from the triplets of one training step. For the
 * anchor i of triplet t under query Q, the candidates are every positive and negative image of
 * the step's triplets under the same query; the scores are negative masked divergences,
 * s(i, c) = -d_Q(i, c) / τ, and
 *   ℓ(t) = -log [ exp s(i, j_t) / Σ_c exp s(i, c) ],
 * a (2·T_Q)-way classification of the anchor's own positive j_t among its query's candidates.
 * The triplet's own negative k_t is always among them; the other triplets' images act as
 * random negatives, as in InfoNCE (an image that happens to match the anchor under Q is then a
 * false negative, the usual price of in-batch negatives). With one triplet per query the
 * candidates are j_t and k_t alone and ℓ(t) = softplus((d_Q(i,j) - d_Q(i,k)) / τ): at τ = 1,
 * the Bernoulli triplet likelihood's -log p(t) (triplet-likelihood.ts).
 *
 * d_Q is the triplet term's per-dimension divergence, Σ_h m_Q,h D(q_i,h, q_c,h), evaluated for
 * every anchor-candidate pair ([T, 2T, Z] elements); joint and Monte Carlo divergences are
 * refused ({@link infoNceDivergence}).
 */
import type {
  Divergence,
  PerDimensionDivergence,
} from "../distributions/divergences/divergence.ts";
import { type Array, nn, numpy as np, tree } from "../engine/jax.ts";
import type { TripletPosteriors } from "./triplet-likelihood.ts";

/** The score given to candidates of another query: exp(-1e9 - max) underflows to 0 in float32. */
const EXCLUDED_SCORE = -1e9;

/**
 * `divergence` as the per-dimension, deterministic divergence InfoNCE needs; a RangeError
 * naming the ones that work otherwise.
 */
export function infoNceDivergence(divergence: Divergence): PerDimensionDivergence {
  if (divergence.kind !== "per-dimension" || divergence.noiseShape([1, 1]) !== null) {
    const name =
      divergence.config.name === "jensen-shannon-per-dim"
        ? `${divergence.config.name} (monte-carlo)`
        : divergence.config.name;
    throw new RangeError(
      `triplet loss infonce: needs a deterministic per-dimension divergence (it scores every anchor against every candidate), got ${name}; use jensen-shannon-per-dim with the gauss-hermite estimator, symmetric-kl or mean-squared`,
    );
  }
  return divergence;
}

/**
 * ℓ(t) per triplet, [T]: `masks` [T, Z] is each triplet's mask row (masksPerTriplet), `query`
 * [T] its query index, `temperature` τ > 0. Consumes the posteriors, masks and query.
 */
export function tripletInfoNce(
  divergence: PerDimensionDivergence,
  triplets: TripletPosteriors,
  masks: Array,
  query: Array,
  temperature: number,
): Array {
  const { anchor, positive, negative } = triplets;
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    tree.dispose([triplets, masks, query]);
    throw new RangeError(
      `triplet loss infonce: temperature is ${temperature}, expected a finite number > 0`,
    );
  }
  const [t, z] = anchor.mu.shape;
  const pairs = [t, 2 * t, z];
  const asAnchor = (a: Array) => np.broadcastTo(a.reshape([t, 1, z]), pairs);
  const asCandidate = (p: Array, n: Array) =>
    np.broadcastTo(np.concatenate([p, n], 0).reshape([1, 2 * t, z]), pairs);
  const perElement = divergence.evaluate(
    { mu: asAnchor(anchor.mu), logvar: asAnchor(anchor.logvar) },
    {
      mu: asCandidate(positive.mu, negative.mu),
      logvar: asCandidate(positive.logvar, negative.logvar),
    },
  );
  // scores[t, c] = -d_Q(anchor_t, candidate_c) / τ; candidate c < T is positive_c, else negative_(c-T).
  const scores = np.sum(perElement.mul(masks.reshape([t, 1, z])), -1).mul(-1 / temperature);
  const sameQuery = np.equal(
    query.ref.reshape([t, 1]),
    np.concatenate([query.ref, query], 0).reshape([1, 2 * t]),
  );
  const ownPositive = np.sum(scores.ref.mul(np.eye(t, 2 * t)), 1);
  return nn.logsumexp(np.where(sameQuery, scores, EXCLUDED_SCORE), 1).sub(ownPositive);
}
