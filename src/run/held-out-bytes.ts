/**
 * A run's held-out images as one safetensors buffer, free of any platform: the explorer's
 * server (or `export-web`) writes it from the run's dataset, the page reads it back as a
 * small in-memory {@link Dataset}. Tensors: `images` F32 [n, H, W, C] in [0, 1], `indices`
 * I32 [n] (indices into the run's dataset), and where the dataset has factors `factorValues`
 * F32 [n, K] and `factorIndices` I32 [n, K]. Metadata: the format, the dataset's name and size,
 * its factors (JSON) and the pool the images came from ("held-out", or "training" when the run
 * holds nothing out).
 */
import type { Dataset, FactorInfo } from "../data/dataset.ts";
import { batchBuffer, imageSize } from "../data/dataset.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  type TensorData,
} from "../engine/safetensors.ts";

export const HELD_OUT_FORMAT = "disentangle-held-out-v1";

/** The images a page works with, and where they came from. */
export interface HeldOutSet {
  /** The images as a dataset of their own (image i is `indices[i]` of the run's dataset). */
  dataset: Dataset;
  indices: Int32Array;
  pool: "held-out" | "training";
  /** Images in the run's whole dataset. */
  datasetCount: number;
}

/**
 * Packs images `indices` of `dataset` as safetensors bytes: `images` F32 [n, H, W, C],
 * `indices` I32 [n], and where the dataset has factors `factorValues` F32 [n, K] and
 * `factorIndices` I32 [n, K]; the metadata holds the dataset's name, size and factors and
 * `pool`. {@link heldOutFromBytes} reads them back.
 */
export function heldOutToBytes(
  dataset: Dataset,
  indices: Int32Array,
  pool: HeldOutSet["pool"],
): Uint8Array {
  const [h, w, c] = dataset.imageShape;
  const k = dataset.factors.length;
  const tensors: Record<string, NamedTensor> = {
    images: {
      dtype: "F32",
      shape: [indices.length, h, w, c],
      data: dataset.readBatch(indices) as TensorData,
    },
    indices: { dtype: "I32", shape: [indices.length], data: indices as TensorData },
  };
  const gather = <T extends Float32Array | Int32Array>(all: T | undefined, out: T) => {
    if (all === undefined || k === 0) return undefined;
    for (let i = 0; i < indices.length; i++) {
      out.set(all.subarray(indices[i] * k, (indices[i] + 1) * k), i * k);
    }
    return out;
  };
  const values = gather(dataset.factorValues, new Float32Array(indices.length * k));
  if (values)
    tensors.factorValues = { dtype: "F32", shape: [indices.length, k], data: values as TensorData };
  const levels = gather(dataset.factorIndices, new Int32Array(indices.length * k));
  if (levels)
    tensors.factorIndices = {
      dtype: "I32",
      shape: [indices.length, k],
      data: levels as TensorData,
    };
  return encodeSafetensors(tensors, {
    format: HELD_OUT_FORMAT,
    dataset: dataset.name,
    datasetCount: String(dataset.count),
    factors: JSON.stringify(dataset.factors),
    pool,
  });
}

/** Reads bytes written by {@link heldOutToBytes}; `source` names them in errors. */
export function heldOutFromBytes(bytes: Uint8Array, source: string): HeldOutSet {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.format !== HELD_OUT_FORMAT) {
    throw new Error(
      `${source}: not a held-out image set (format ${JSON.stringify(metadata.format)}, expected ${HELD_OUT_FORMAT})`,
    );
  }
  const { images, indices } = tensors;
  if (images?.dtype !== "F32" || images.shape.length !== 4 || indices?.dtype !== "I32") {
    throw new Error(`${source}: expected tensors images (F32 [n, H, W, C]) and indices (I32 [n])`);
  }
  const [count, h, w, c] = images.shape;
  const factors = JSON.parse(metadata.factors ?? "[]") as FactorInfo[];
  const pixels = h * w * c;
  const data = images.data as Float32Array;
  const dataset: Dataset = {
    name: metadata.dataset ?? "held-out",
    count,
    imageShape: [h, w, c],
    factors,
    factorValues: tensors.factorValues?.data as Float32Array | undefined,
    factorIndices: tensors.factorIndices?.data as Int32Array | undefined,
    skipped: [],
    readBatch(rows, out) {
      const buffer = batchBuffer(this.name, count, imageSize(this), rows, out);
      for (let i = 0; i < rows.length; i++) {
        buffer.set(data.subarray(rows[i] * pixels, (rows[i] + 1) * pixels), i * pixels);
      }
      return buffer;
    },
  };
  return {
    dataset,
    indices: indices.data as Int32Array,
    pool: metadata.pool === "training" ? "training" : "held-out",
    datasetCount: Number(metadata.datasetCount ?? count),
  };
}
