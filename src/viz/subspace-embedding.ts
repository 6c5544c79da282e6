/**
 * Per-subspace embeddings for plotting (t-SNE/UMAP, scatter plots coloured by factor): the
 * posterior means of a set of images restricted to a query's subspace, with every factor
 * value of each image.
 */
import { encodeDataset } from "../run/encode-dataset.ts";
import { queryMask, type TrainedRun } from "../run/trained-run.ts";
import { subspaceDims } from "./swap.ts";

export interface SubspaceEmbedding {
  run: string;
  query: string;
  /** Latent dimensions of the subspace. */
  dims: number[];
  factors: string[];
  points: { index: number; z: number[]; factors: number[] }[];
}

export async function subspaceEmbedding(
  run: TrainedRun,
  query: string,
  indices: ArrayLike<number>,
): Promise<SubspaceEmbedding> {
  const dims = subspaceDims(queryMask(run, query));
  const { dataset, model, params } = run;
  const encoded = await encodeDataset(model, params.encoder, dataset, indices);
  const k = dataset.factors.length;
  const points = Array.from({ length: encoded.count }, (_, i) => {
    const image = indices[i];
    return {
      index: image,
      z: dims.map((h) => encoded.mu[i * encoded.latentDim + h]),
      factors: Array.from(
        { length: k },
        (_, f) => dataset.factorValues?.[image * k + f] ?? Number.NaN,
      ),
    };
  });
  return { run: run.runDir, query, dims, factors: dataset.factors.map((f) => f.name), points };
}
