/**
 * A {@link RepresentationOracle} for a trained run whose dataset is a full factor grid
 * (sprites, dSprites): factor indices -> grid index (mixed radix, last factor fastest) ->
 * image -> posterior mean of the run's encoder. With the whole grid already encoded (as
 * `disentangle eval` does for MIG), codes are looked up instead of encoded again: the encoder
 * is deterministic, so the two agree.
 */
import type { Dataset } from "../data/dataset.ts";
import {
  type EncodedPosteriors,
  type EncodeOptions,
  encodeDataset,
} from "../run/encode-dataset.ts";
import type { TrainedRun } from "../run/trained-run.ts";
import type { RepresentationOracle } from "./oracle.ts";

/** Grid index of each row of `factors` [n, K] (factor indices), checked against `sizes`. */
export function gridIndices(factors: Int32Array, n: number, sizes: number[]): Int32Array {
  const k = sizes.length;
  if (factors.length !== n * k) {
    throw new RangeError(`factors hold ${factors.length} values, expected n*K = ${n}*${k}`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let index = 0;
    for (let j = 0; j < k; j++) {
      const v = factors[i * k + j];
      if (!Number.isInteger(v) || v < 0 || v >= sizes[j]) {
        throw new RangeError(`factor row ${i} column ${j} is ${v}, expected 0..${sizes[j] - 1}`);
      }
      index = index * sizes[j] + v;
    }
    out[i] = index;
  }
  return out;
}

/** The dataset's factor grid, or an error saying why the oracle needs one. */
export function requireGrid(dataset: Dataset, what: string): number[] {
  if (dataset.grid === undefined) {
    throw new RangeError(
      `${what} needs a dataset that is the full product of its factors (like sprites or dSprites); ${dataset.name} is not`,
    );
  }
  return dataset.grid;
}

/**
 * The oracle of `run`. `encodedGrid`: posteriors of every image of the dataset, in dataset
 * order, to look codes up from; otherwise each `represent` call encodes its images.
 */
export function oracleFromRun(
  run: Pick<TrainedRun, "dataset" | "model" | "params">,
  encodedGrid?: EncodedPosteriors,
  encodeOptions: EncodeOptions = {},
): RepresentationOracle {
  const sizes = requireGrid(run.dataset, "a representation oracle");
  if (encodedGrid !== undefined && encodedGrid.count !== run.dataset.count) {
    throw new RangeError(
      `encoded grid has ${encodedGrid.count} rows, expected all ${run.dataset.count} images of ${run.dataset.name}`,
    );
  }
  return {
    factorSizes: sizes,
    async represent(factors: Int32Array, n: number): Promise<Float32Array> {
      const indices = gridIndices(factors, n, sizes);
      if (encodedGrid !== undefined) {
        const d = encodedGrid.latentDim;
        const codes = new Float32Array(n * d);
        for (let i = 0; i < n; i++) {
          codes.set(encodedGrid.mu.subarray(indices[i] * d, (indices[i] + 1) * d), i * d);
        }
        return codes;
      }
      const encoded = await encodeDataset(
        run.model,
        run.params.encoder,
        run.dataset,
        indices,
        encodeOptions,
      );
      return encoded.mu;
    },
  };
}
