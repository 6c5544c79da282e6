import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import h5wasm from "h5wasm/node";
import { loadShapes3dH5 } from "../../../src/data/datasets/shapes3d-h5.ts";
import { tempFolder, writeFiles } from "../helpers/files.ts";

// grid floor 2 x wall 1 x object 1 x scale 1 x shape 2 x orientation 2 = 8 images of 2x2x3
async function writeH5(path: string, labelOrder: number[]) {
  await h5wasm.ready;
  const file = new h5wasm.File(path, "w");
  const images = Uint8Array.from({ length: 8 * 12 }, (_, k) => (k * 7) % 256);
  const labels = new Float64Array(8 * 6);
  labelOrder.forEach((i, row) => {
    labels.set(
      [[0, 0.5][Math.floor(i / 4)], 0.3, 0.7, 1.25, Math.floor(i / 2) % 2, [-30, 30][i % 2]],
      row * 6,
    );
  });
  file.create_dataset({ name: "images", data: images, shape: [8, 2, 2, 3], dtype: "<B" });
  file.create_dataset({ name: "labels", data: labels, shape: [8, 6], dtype: "<d" });
  file.close();
}

test("reads labels whole and image slices on demand; detects the factor grid", async () => {
  const root = tempFolder("shapes3d");
  await writeH5(join(root, "3dshapes.h5"), [0, 1, 2, 3, 4, 5, 6, 7]);
  const ds = await loadShapes3dH5({ root });
  assert.equal(ds.count, 8);
  assert.deepEqual(ds.imageShape, [2, 2, 3]);
  assert.deepEqual(
    ds.factors.map((f) => f.name),
    ["floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation"],
  );
  assert.deepEqual(ds.grid, [2, 1, 1, 1, 2, 2]);
  assert.deepEqual(ds.factors[4].labels, ["cube", "cylinder"]);
  const batch = ds.readBatch([5, 6, 1]); // a run (5, 6) and a single
  [5, 6, 1].forEach((i, b) => {
    for (let p = 0; p < 12; p++)
      assert.equal(batch[b * 12 + p], Math.fround((((i * 12 + p) * 7) % 256) / 255));
  });
  const shuffled = tempFolder("shapes3d-shuffled");
  await writeH5(join(shuffled, "3dshapes.h5"), [1, 0, 2, 3, 4, 5, 6, 7]);
  assert.equal((await loadShapes3dH5({ root: shuffled })).grid, undefined);
});

test("missing file, wrong contents give clear errors", async () => {
  await assert.rejects(
    loadShapes3dH5({ root: "/no/such/3dshapes.h5" }),
    /\/no\/such\/3dshapes\.h5: file not found/,
  );
  const root = tempFolder("shapes3d-bad");
  writeFiles(root, { "junk.h5": "this is not hdf5" });
  await assert.rejects(
    loadShapes3dH5({ root: join(root, "junk.h5") }),
    /junk\.h5: not a readable HDF5 file/,
  );
  await h5wasm.ready;
  const file = new h5wasm.File(join(root, "other.h5"), "w");
  file.create_dataset({ name: "pictures", data: new Uint8Array(4), shape: [4], dtype: "<B" });
  file.close();
  await assert.rejects(
    loadShapes3dH5({ root: join(root, "other.h5") }),
    /other\.h5: has no 'images' dataset \(found: pictures\)/,
  );
});
