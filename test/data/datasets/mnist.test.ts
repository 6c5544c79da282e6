import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { loadMnist } from "../../../src/data/datasets/mnist.ts";
import { tempFolder, writeFiles } from "../helpers/files.ts";

const idx = (type: number, shape: number[], values: number[]) => {
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, type, shape.length]);
  for (let i = 0; i < shape.length; i++) view.setUint32(4 + 4 * i, shape[i]);
  out.set(values, 4 + 4 * shape.length);
  return out;
};

test("four standard files, gzipped or not, train then test; labels as a categorical factor", () => {
  const root = tempFolder("mnist");
  writeFiles(root, {
    "train-images-idx3-ubyte.gz": gzipSync(idx(8, [2, 2, 2], [0, 255, 0, 255, 51, 51, 51, 51])),
    "train-labels-idx1-ubyte.gz": gzipSync(idx(8, [2], [3, 9])),
    "t10k-images-idx3-ubyte": idx(8, [1, 2, 2], [255, 0, 0, 0]),
    "t10k-labels-idx1-ubyte": idx(8, [1], [3]),
  });
  const ds = loadMnist("fashion-mnist", { root });
  assert.equal(ds.count, 3);
  assert.deepEqual(ds.imageShape, [2, 2, 1]);
  assert.deepEqual(ds.factors, [
    { name: "label", kind: "categorical", values: [3, 9], labels: ["Dress", "Ankle boot"] },
  ]);
  assert.deepEqual(Array.from(ds.factorIndices ?? []), [0, 1, 0]);
  assert.deepEqual(
    Array.from(ds.readBatch([2, 1])),
    [1, 0, 0, 0, 0.2, 0.2, 0.2, 0.2].map(Math.fround),
  );
  assert.equal(loadMnist("mnist", { root, split: "test" }).count, 1);
});

test("missing and inconsistent files give clear errors", () => {
  assert.throws(
    () => loadMnist("fashion-mnist", { root: "/no/fashion" }),
    /apt-get install dataset-fashion-mnist/,
  );
  const partial = tempFolder("mnist-partial");
  writeFiles(partial, {
    "t10k-images-idx3-ubyte": idx(8, [1, 1, 1], [0]),
    "t10k-labels-idx1-ubyte": idx(8, [1], [0]),
  });
  assert.match(loadMnist("mnist", { root: partial }).notes?.join() ?? "", /no train files/);
  assert.throws(
    () => loadMnist("mnist", { root: partial, split: "train" }),
    /train-images-idx3-ubyte .* missing/,
  );
  const mismatch = tempFolder("mnist-mismatch");
  writeFiles(mismatch, {
    "t10k-images-idx3-ubyte": idx(8, [2, 1, 1], [0, 1]),
    "t10k-labels-idx1-ubyte": idx(8, [1], [0]),
  });
  assert.throws(
    () => loadMnist("mnist", { root: mismatch }),
    /t10k-labels-idx1-ubyte: expected 2 uint8 labels/,
  );
  const corrupt = tempFolder("mnist-corrupt");
  writeFiles(corrupt, {
    "t10k-images-idx3-ubyte.gz": Uint8Array.of(0x1f, 0x8b, 1, 2, 3),
    "t10k-labels-idx1-ubyte": idx(8, [1], [0]),
  });
  assert.throws(
    () => loadMnist("mnist", { root: corrupt }),
    /t10k-images-idx3-ubyte\.gz: corrupt gzip data/,
  );
});
