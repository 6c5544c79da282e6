import assert from "node:assert/strict";
import { test } from "node:test";
import { batches, batchesPerEpoch, epochBatchIndices } from "../../src/data/batches.ts";
import { loadColoredShapes } from "../../src/data/datasets/colored-shapes.ts";
import { holdOutFactorValues, trainValidationSplit } from "../../src/data/split.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test("drop: fixed-size batches, distinct indices per epoch, last partial batch dropped", () => {
  const list = epochBatchIndices(range(10), 0, { batchSize: 4, seed: 1 });
  assert.equal(list.length, 2);
  const seen = list.flatMap((b) => Array.from(b));
  assert.equal(new Set(seen).size, 8);
  assert.ok(list.every((b) => b.length === 4));
  // deterministic in (seed, epoch), different across epochs
  assert.deepEqual(epochBatchIndices(range(10), 0, { batchSize: 4, seed: 1 }), list);
  assert.notDeepEqual(epochBatchIndices(range(10), 1, { batchSize: 4, seed: 1 }), list);
  assert.throws(
    () => epochBatchIndices(range(3), 0, { batchSize: 4, seed: 1 }),
    /exceeds the 3 images/,
  );
});

test("wrap: every index appears, the last batch is topped up from the epoch start", () => {
  const options = { batchSize: 4, seed: 2, remainder: "wrap" as const };
  assert.equal(batchesPerEpoch(10, options), 3);
  const list = epochBatchIndices(range(10), 0, options);
  const flat = list.flatMap((b) => Array.from(b));
  assert.equal(new Set(flat).size, 10);
  assert.deepEqual(flat.slice(10), flat.slice(0, 2));
  assert.deepEqual(
    Array.from(epochBatchIndices([7, 8], 0, { ...options, shuffle: false })[0]),
    [7, 8, 7, 8],
  );
});

test("batch generator reads images of a fixed size across epochs", () => {
  const ds = loadColoredShapes({ size: 8, positions: 2, scales: 1 }); // 4*6*1*2*2 = 96
  const it = batches(ds, { batchSize: 40, seed: 0 });
  const epochs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const { value } = it.next();
    epochs.push(value.epoch);
    assert.equal(value.images.length, 40 * 8 * 8 * 3);
    assert.deepEqual(
      Array.from(value.images.subarray(0, 192)),
      Array.from(ds.readBatch([value.indices[0]])),
    );
  }
  assert.deepEqual(epochs, [0, 0, 1, 1, 2]);
});

test("splits are disjoint, complete and reproducible; hold-out by factor value", () => {
  const split = trainValidationSplit(100, 0.2, 5);
  assert.equal(split.validation.length, 20);
  assert.deepEqual(
    [...split.train, ...split.validation].sort((a, b) => a - b),
    range(100),
  );
  assert.deepEqual(trainValidationSplit(100, 0.2, 5), split);
  assert.notDeepEqual(trainValidationSplit(100, 0.2, 6).validation, split.validation);
  const ds = loadColoredShapes({ size: 8, positions: 2, scales: 1 });
  const byColor = holdOutFactorValues(ds, "color", [0, 3]);
  assert.equal(byColor.validation.length, 32);
  const k = ds.factors.length;
  for (const i of byColor.validation)
    assert.ok([0, 3].includes(ds.factorValues?.[i * k + 1] ?? -1));
  assert.throws(
    () => holdOutFactorValues(ds, "hue", [0]),
    /has no factor 'hue' \(factors: shape, color, scale, posX, posY\)/,
  );
});
