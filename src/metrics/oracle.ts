/**
 * A ground-truth simulator plus an encoder, seen only through factors -> codes: what the
 * intervention-based metrics (beta-VAE, FactorVAE scores) need, since they must generate
 * batches that hold one factor fixed. A model is scored by rendering the factor batch with
 * the dataset's simulator and encoding the images (posterior means).
 */

import { z } from "zod";
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

/**
 * Batches and points of the intervention scores (beta-VAE, FactorVAE) by default. Fewer
 * points than disentanglement_lib's 10000/5000, which would encode about 2M images on
 * dSprites; the batch size is theirs.
 */
export const INTERVENTION_DEFAULTS = { batchSize: 64, numTrain: 2000, numEval: 1000 } as const;

/** The options schema the two intervention scores share. */
export const interventionSchema = () =>
  z.object({
    batchSize: z
      .number()
      .int()
      .min(2)
      .default(INTERVENTION_DEFAULTS.batchSize)
      .describe("images per intervention batch"),
    numTrain: z
      .number()
      .int()
      .positive()
      .default(INTERVENTION_DEFAULTS.numTrain)
      .describe("training points (one per batch)"),
    numEval: z
      .number()
      .int()
      .positive()
      .default(INTERVENTION_DEFAULTS.numEval)
      .describe("evaluation points"),
  });

/** Why an intervention score cannot run on `input`, or null. */
export function needsOracle(input: { oracle?: unknown }): string | null {
  return input.oracle === undefined
    ? "generates batches with one factor held fixed, which needs a trained run on a dataset that is the full product of its factors (like sprites), not arrays"
    : null;
}
