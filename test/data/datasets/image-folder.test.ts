import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { loadImageFolder } from "../../../src/data/datasets/image-folder.ts";
import { tempFolder, writeFiles } from "../helpers/files.ts";

function png(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
) {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set([...pixel(x, y), 255], (y * width + x) * 4);
  }
  return new Uint8Array(PNG.sync.write(image));
}

function folder() {
  const root = tempFolder("images");
  writeFiles(root, {
    // 10 wide, 6 high: white border columns 0-1 and 8-9 fall outside the central 6x6 crop
    "000001.png": png(10, 6, (x) => (x < 2 || x > 7 ? [255, 255, 255] : [51, 102, 153])),
    "000002.jpg": new Uint8Array(
      jpeg.encode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(128) }, 95).data,
    ),
    "notes.txt": "stray",
    "list_attr.txt": "2\nSmiling Young\n000001.png 1 -1\n000002.jpg -1 -1\n",
  });
  return root;
}

test("PNG and JPEG images are centre-cropped and resized; other files skipped", () => {
  const root = folder();
  const ds = loadImageFolder({ root, size: 3 });
  assert.equal(ds.count, 2);
  assert.deepEqual(ds.imageShape, [3, 3, 3]);
  assert.deepEqual(
    ds.skipped.map((s) => s.path.slice(root.length + 1)),
    ["list_attr.txt", "notes.txt"],
  );
  const images = ds.readBatch([0, 1]);
  for (let p = 0; p < 9; p++) {
    assert.deepEqual(
      Array.from(images.subarray(p * 3, p * 3 + 3), (v) => Math.round(v * 255)),
      [51, 102, 153],
    );
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(images[27 + p * 3 + c] - 128 / 255) < 0.02);
  }
  const gray = loadImageFolder({ root, size: 2, channels: 1, limit: 1 });
  assert.deepEqual(gray.imageShape, [2, 2, 1]);
  assert.ok(
    Math.abs(gray.readBatch([0])[0] - (0.299 * 51 + 0.587 * 102 + 0.114 * 153) / 255) < 0.005,
  );
  // decoded on demand when over the memory budget: same pixels
  const lazy = loadImageFolder({ root, size: 3, maxMemoryBytes: 1 });
  assert.deepEqual(
    Array.from(lazy.readBatch([0]), (v) => Math.round(v * 255)),
    Array.from(images.subarray(0, 27), (v) => Math.round(v * 255)),
  );
});

test("CelebA-style attributes become categorical factors", () => {
  const root = folder();
  const ds = loadImageFolder({ root, size: 2, attributes: join(root, "list_attr.txt") });
  assert.deepEqual(
    ds.factors.map((f) => [f.name, f.values]),
    [
      ["Smiling", [-1, 1]],
      ["Young", [-1]],
    ],
  );
  assert.deepEqual(Array.from(ds.factorValues ?? []), [1, -1, -1, -1]);
  writeFiles(root, { "bad_attr.txt": "2\nSmiling\n000001.png 1 1\n" });
  assert.throws(
    () => loadImageFolder({ root, attributes: join(root, "bad_attr.txt") }),
    /bad_attr\.txt: line 3: expected a file name and 1 numbers/,
  );
});

test("corrupt images and empty folders give clear errors", () => {
  const root = tempFolder("images-bad");
  writeFiles(root, { "a.png": Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3) });
  assert.throws(() => loadImageFolder({ root }), /a\.png: cannot decode image/);
  const empty = tempFolder("images-empty");
  writeFiles(empty, { "readme.md": "x" });
  assert.throws(() => loadImageFolder({ root: empty }), /no PNG\/JPEG images to load/);
});
