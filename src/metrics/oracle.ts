/**
 * A ground-truth simulator plus an encoder, seen only through factors -> codes: what the
 * intervention-based metrics (beta-VAE, FactorVAE scores) need, since they must generate
 * batches that hold one factor fixed. A model is scored by rendering the factor batch with
 * the dataset's simulator and encoding the images (posterior means).
 */
import type { Rng } from "../data/random.ts";

export interface RepresentationOracle {
  /** Number of values of each factor; factor values are indices 0..size-1. */
  factorSizes: number[];
  /** Codes [n, D] of the observations with factor indices `factors` [n, K] (row-major). */
  represent(
    factors: Int32Array,
    n: number,
  ): Float32Array | Float64Array | Promise<Float32Array | Float64Array>;
  /** Draws factors [n, K] from the data distribution. Default: each factor uniform, independent. */
  sampleFactors?(n: number, rng: Rng): Int32Array;
}

export function sampleFactors(oracle: RepresentationOracle, n: number, rng: Rng): Int32Array {
  const k = oracle.factorSizes.length;
  if (oracle.sampleFactors !== undefined) {
    const f = oracle.sampleFactors(n, rng);
    if (f.length !== n * k) {
      throw new RangeError(`sampleFactors(${n}) returned ${f.length} values, expected ${n}*${k}`);
    }
    return f;
  }
  const f = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) f[i * k + j] = rng.nextInt(oracle.factorSizes[j]);
  }
  return f;
}

/** Calls `represent` and checks the result holds n rows of a fixed width. */
export async function represent(
  oracle: RepresentationOracle,
  factors: Int32Array,
  n: number,
): Promise<{ codes: Float32Array | Float64Array; dims: number }> {
  const codes = await oracle.represent(factors, n);
  if (codes.length === 0 || codes.length % n !== 0) {
    throw new RangeError(
      `represent() of ${n} rows returned ${codes.length} values, expected n*D with D >= 1`,
    );
  }
  for (let i = 0; i < codes.length; i++) {
    if (!Number.isFinite(codes[i])) {
      throw new RangeError(
        `represent() returned ${codes[i]} at row ${Math.floor(i / (codes.length / n))}, expected finite codes`,
      );
    }
  }
  return { codes, dims: codes.length / n };
}
