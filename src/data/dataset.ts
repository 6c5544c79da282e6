/**
 * The one dataset interface every loader returns (see scratch API.md, "src/data").
 * Images are kept compact (bit-packed, uint8, or rendered on demand) and converted to float
 * in [0, 1] per batch by `readBatch`, NHWC flattened.
 */

/** A generative factor (latent) of the data, as far as the dataset knows it. */
export interface FactorInfo {
  name: string;
  kind: "categorical" | "continuous";
  /** Sorted distinct values that occur. */
  values: number[];
  /** Human-readable names of `values` (categorical factors), same order. */
  labels?: string[];
}

export interface Dataset {
  name: string;
  count: number;
  imageShape: [height: number, width: number, channels: number];
  /** [] when the dataset has no known factors. */
  factors: FactorInfo[];
  /** [count * factors.length], row-major: the actual factor values of each image. */
  factorValues?: Float32Array;
  /** [count * factors.length], row-major: indices into `FactorInfo.values`. */
  factorIndices?: Int32Array;
  /**
   * Number of values of each factor, in factor order, when the images are exactly the full
   * product of the factors in row-major order (last factor fastest): image i has factor
   * indices equal to the mixed-radix digits of i.
   */
  grid?: number[];
  /** Files or folders that were not loaded, and why. */
  skipped: { path: string; reason: string }[];
  /** Anything else a user should know about what was loaded (e.g. a partial set). */
  notes?: string[];
  /** Writes images `indices` as floats in [0,1], NHWC flattened, into out (length n*H*W*C) and returns it. */
  readBatch(indices: ArrayLike<number>, out?: Float32Array): Float32Array;
}

/** Progress of a long load: `done` of `total` units in `stage`. */
export type ProgressCallback = (stage: string, done: number, total: number) => void;

/** Options every loader understands. */
export interface CommonOptions {
  /** Folder or file holding the data (for datasets read from disk). */
  root?: string;
  /** Called now and then during long loads. */
  onProgress?: ProgressCallback;
}

/** Pixels per image. */
export function imageSize(dataset: Pick<Dataset, "imageShape">): number {
  const [h, w, c] = dataset.imageShape;
  return h * w * c;
}

/**
 * Checks batch indices and the output buffer for `readBatch`; returns a buffer of the
 * right length (`out` when given).
 */
export function batchBuffer(
  name: string,
  count: number,
  pixels: number,
  indices: ArrayLike<number>,
  out: Float32Array | undefined,
): Float32Array {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(
        `${name}: image index ${index} at position ${i} is outside [0, ${count})`,
      );
    }
  }
  const length = indices.length * pixels;
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) {
    throw new RangeError(
      `${name}: output buffer has ${out.length} floats, expected ${length} (${indices.length} images x ${pixels})`,
    );
  }
  return out;
}

/** Index of factor `name`, or a clear error listing the factors there are. */
export function factorIndex(dataset: Pick<Dataset, "name" | "factors">, name: string): number {
  const index = dataset.factors.findIndex((factor) => factor.name === name);
  if (index < 0) {
    const known = dataset.factors.map((factor) => factor.name).join(", ") || "none";
    throw new Error(`${dataset.name} has no factor '${name}' (factors: ${known})`);
  }
  return index;
}

/** Checks a whole-number option (image size, counts). */
export function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`option ${option} must be a positive whole number, got ${value}`);
  }
  return value;
}
