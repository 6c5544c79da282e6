/**
 * Per-query masks over the latent dimensions, m_Q ∈ R^Z_{>=0}, that select the subspace in
 * which a query's triplets are compared (Karaletsos, Belongie & Rätsch 2016, Sec. 3, eq. 4:
 * d_Q(i, j) = Σ_h m_Q,h D_h). Two kinds:
 *
 * - "fixed": disjoint blocks of consecutive dimensions, query q owning `dimsPerQuery[q]`
 *   dimensions after those of queries 0..q-1; the dimensions after the last block stay
 *   unsupervised (shaped by the ELBO alone). No parameters.
 * - "learned": m = softplus(w) or |w| of free parameters w [Q, Z], as in Conditional
 *   Similarity Networks (Veit et al. 2017, Sec. 3.2, who also penalise the masks' L1 norm;
 *   the penalty's weight belongs to the objective, see triplet-vae.ts). w starts where every
 *   mask weight is 1, plus N(0, 0.1²) noise from the given key to break the symmetry.
 */

import { softplus } from "../distributions/softplus.ts";
import { type Array, numpy as np, random } from "../engine/jax.ts";

export type MaskConfig =
  | { kind: "fixed"; queries: number; dimsPerQuery: number | number[] }
  | { kind: "learned"; queries: number; parameterization: "softplus" | "abs" };

/** Parameters of learned masks (`raw` [Q, Z]); an empty object for fixed masks. */
export interface MaskParams {
  raw?: Array;
}

export interface SubspaceMasks {
  readonly config: MaskConfig;
  readonly queries: number;
  readonly latentDim: number;
  init(key: Array): MaskParams;
  /** The [Q, Z] non-negative mask weights. Consumes params. */
  masks(params: MaskParams): Array;
}

function checkCount(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `subspace masks: ${field} is ${String(value)}, expected a whole number >= ${min}`,
    );
  }
}

/**
 * Disjoint block masks as a row-major [queries, latentDim] 0/1 matrix. `dimsPerQuery` is one
 * size for every query or one size per query; the blocks must fit in latentDim.
 */
export function blockMasks(
  latentDim: number,
  queries: number,
  dimsPerQuery: number | number[],
): Float32Array {
  checkCount("latentDim", latentDim, 1);
  checkCount("queries", queries, 1);
  if (typeof dimsPerQuery === "number") checkCount("dimsPerQuery", dimsPerQuery, 1);
  const sizes: number[] =
    typeof dimsPerQuery === "number"
      ? Object.values(new Int32Array(queries).fill(dimsPerQuery))
      : dimsPerQuery;
  if (sizes.length !== queries) {
    throw new RangeError(
      `subspace masks: dimsPerQuery lists ${sizes.length} sizes, expected one per query (${queries})`,
    );
  }
  for (const [q, size] of sizes.entries()) checkCount(`dimsPerQuery[${q}]`, size, 1);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > latentDim) {
    throw new RangeError(
      `subspace masks: dimsPerQuery [${sizes}] needs ${total} latent dimensions, but the latent size is ${latentDim}`,
    );
  }
  const out = new Float32Array(queries * latentDim);
  let offset = 0;
  sizes.forEach((size, q) => {
    out.fill(1, q * latentDim + offset, q * latentDim + offset + size);
    offset += size;
  });
  return out;
}

/** Builds the masks of `config` for a latent space of `latentDim` dimensions. */
export function createSubspaceMasks(config: MaskConfig, latentDim: number): SubspaceMasks {
  const { queries } = config;
  if (config.kind === "fixed") {
    const fixed = blockMasks(latentDim, queries, config.dimsPerQuery);
    return {
      config,
      queries,
      latentDim,
      init(key) {
        key.dispose();
        return {};
      },
      masks(params) {
        params.raw?.dispose();
        return np.array(fixed).reshape([queries, latentDim]);
      },
    };
  }
  checkCount("latentDim", latentDim, 1);
  checkCount("queries", queries, 1);
  const { parameterization } = config;
  if (parameterization !== "softplus" && parameterization !== "abs") {
    throw new RangeError(
      `subspace masks: parameterization is ${JSON.stringify(parameterization)}, expected "softplus" or "abs"`,
    );
  }
  // softplus(log(e - 1)) = |1| = 1.
  const start = parameterization === "softplus" ? Math.log(Math.E - 1) : 1;
  return {
    config,
    queries,
    latentDim,
    init(key) {
      return { raw: random.normal(key, [queries, latentDim]).mul(0.1).add(start) };
    },
    masks(params) {
      const { raw } = params;
      if (raw === undefined) {
        throw new Error("subspace masks: learned masks need params.raw [queries, latentDim]");
      }
      if (raw.shape.join() !== [queries, latentDim].join()) {
        const shape = raw.shape;
        raw.dispose();
        throw new RangeError(
          `subspace masks: params.raw has shape [${shape}], expected [${queries}, ${latentDim}]`,
        );
      }
      return parameterization === "softplus" ? softplus(raw) : np.abs(raw);
    },
  };
}
