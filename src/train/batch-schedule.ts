/**
 * Which examples form the batch of a given step. The schedule is a pure function of
 * (seed, step) over the data layer's seeded epochs (`epochBatchIndices`), so a resumed
 * run sees exactly the batches an uninterrupted run would. Every batch has the same size
 * (the epoch's last partial batch is dropped), so the jitted step is traced once.
 */
import { type BatchOptions, batchesPerEpoch, epochBatchIndices } from "../data/batches.ts";

export class BatchSchedule {
  readonly batchesPerEpoch: number;
  readonly #options: BatchOptions;
  #epoch = -1;
  #batches: Int32Array[] = [];

  constructor(
    readonly indices: ArrayLike<number>,
    batchSize: number,
    seed: number,
  ) {
    this.#options = { batchSize, seed, remainder: "drop" };
    this.batchesPerEpoch = batchesPerEpoch(indices.length, this.#options);
    if (this.batchesPerEpoch < 1) {
      throw new RangeError(
        `batch size ${batchSize} is larger than the ${indices.length} training images; use a smaller --batch`,
      );
    }
  }

  /** Dataset indices of the batch for `step` (1-based). */
  batchAt(step: number): Int32Array {
    const epoch = Math.floor((step - 1) / this.batchesPerEpoch);
    if (epoch !== this.#epoch) {
      this.#batches = epochBatchIndices(this.indices, epoch, this.#options);
      this.#epoch = epoch;
    }
    return this.#batches[(step - 1) % this.batchesPerEpoch];
  }
}
