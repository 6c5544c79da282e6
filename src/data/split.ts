/** Deterministic shuffling and train/validation splits of a dataset's image indices. */
import { type Dataset, factorIndex } from "./dataset.ts";
import { permutation, Rng } from "./random.ts";

export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * A random split of 0..count-1 from `seed`: the first round(validationFraction * count)
 * indices of a seeded permutation go to validation. Both parts come back sorted.
 */
export function trainValidationSplit(
  count: number,
  validationFraction: number,
  seed: number,
): Split {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`validation fraction must be in [0, 1), got ${validationFraction}`);
  }
  const order = permutation(count, new Rng(seed, 0x5911));
  const cut = Math.round(validationFraction * count);
  return { validation: order.slice(0, cut).sort(), train: order.slice(cut).sort() };
}

/**
 * Splits by factor value: images whose `factor` value is in `heldOut` (e.g. some subjects)
 * go to validation, the rest to train.
 */
export function holdOutFactorValues(dataset: Dataset, factor: string, heldOut: number[]): Split {
  const f = factorIndex(dataset, factor);
  if (dataset.factorValues === undefined) throw new Error(`${dataset.name} has no factor values`);
  const k = dataset.factors.length;
  const held = new Set(heldOut.map(Math.fround));
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < dataset.count; i++) {
    (held.has(dataset.factorValues[i * k + f]) ? validation : train).push(i);
  }
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
}
