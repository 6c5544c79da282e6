/**
 * Fixed-size batches, so a jitted training step is traced once: every batch has exactly
 * `batchSize` images. Each epoch visits a fresh seeded permutation of the given indices.
 * The last partial batch of an epoch is DROPPED by default (`remainder: "drop"`; across
 * epochs each image is still seen equally often in expectation), or filled up with the
 * first indices of the same epoch's permutation (`remainder: "wrap"`), which also allows
 * fewer images than `batchSize`.
 */
import type { Dataset } from "./dataset.ts";
import { Rng, shuffleInPlace } from "./random.ts";

export interface BatchOptions {
  batchSize: number;
  seed: number;
  /** "drop" (default) or "wrap" the last partial batch of each epoch. */
  remainder?: "drop" | "wrap";
  /** Shuffle each epoch (default true); false keeps the given order. */
  shuffle?: boolean;
}

export interface Batch {
  epoch: number;
  /** Position of the batch within its epoch. */
  step: number;
  indices: Int32Array;
  /** [batchSize * H * W * C] floats in [0, 1], NHWC. */
  images: Float32Array;
}

/** Number of batches per epoch for `count` images. */
export function batchesPerEpoch(count: number, options: BatchOptions): number {
  checkBatchSize(options.batchSize);
  if ((options.remainder ?? "drop") === "wrap")
    return count === 0 ? 0 : Math.ceil(count / options.batchSize);
  return Math.floor(count / options.batchSize);
}

/** The batch index lists of one epoch (deterministic in seed and epoch). */
export function epochBatchIndices(
  indices: ArrayLike<number>,
  epoch: number,
  options: BatchOptions,
): Int32Array[] {
  const n = batchesPerEpoch(indices.length, options);
  if (n === 0) {
    throw new RangeError(
      `batch size ${options.batchSize} exceeds the ${indices.length} images and remainder is "drop"; use a smaller batch or remainder "wrap"`,
    );
  }
  const order = Int32Array.from(indices);
  if (options.shuffle ?? true) shuffleInPlace(order, new Rng(options.seed, 0xba7c, epoch));
  const size = options.batchSize;
  const batches: Int32Array[] = [];
  for (let b = 0; b < n; b++) {
    const batch = new Int32Array(size);
    for (let i = 0; i < size; i++) batch[i] = order[(b * size + i) % order.length];
    batches.push(batch);
  }
  return batches;
}

/** Endless batches over `indices` (default: all images), epoch after epoch, starting at `startEpoch`. */
export function* batches(
  dataset: Dataset,
  options: BatchOptions & { indices?: ArrayLike<number>; startEpoch?: number },
): Generator<Batch, never, void> {
  const indices = options.indices ?? Int32Array.from({ length: dataset.count }, (_, i) => i);
  for (let epoch = options.startEpoch ?? 0; ; epoch++) {
    const list = epochBatchIndices(indices, epoch, options);
    for (let step = 0; step < list.length; step++) {
      yield { epoch, step, indices: list[step], images: dataset.readBatch(list[step]) };
    }
  }
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batch size must be a positive whole number, got ${batchSize}`);
  }
}
