import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PNG } from "pngjs";
import { writeImageGrid } from "../../src/run/image-file.ts";
import { encodeImageGrid } from "../../src/viz/image-grid.ts";
import { tempFolder } from "../data/helpers/files.ts";

const pixel = (png: PNG, x: number, y: number) =>
  Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3));

test("grayscale grid: tiles in row order with padding of the background colour", () => {
  // 3 images of 2x2: values 0, 0.5 (clamped range check with 2.0 -> 255), 1
  const images = Float32Array.from([0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 2, 1, 1, -1]);
  const png = PNG.sync.read(
    Buffer.from(encodeImageGrid(images, 3, [2, 2, 1], 2, { padding: 1, background: 0 })),
  );
  assert.deepEqual([png.width, png.height], [2 * 2 + 3, 2 * 2 + 3]);
  assert.deepEqual(pixel(png, 0, 0), [0, 0, 0]);
  assert.deepEqual(pixel(png, 4, 1), [128, 128, 128]); // tile 1 at column 1
  assert.deepEqual(pixel(png, 1, 4), [255, 255, 255]); // tile 2 at row 1, value 2 clamped
  assert.deepEqual(pixel(png, 2, 5), [0, 0, 0]); // value -1 clamped
});

test("RGB grid written to a file", () => {
  const path = join(tempFolder("grid"), "sub", "g.png");
  writeImageGrid(path, Float32Array.from([1, 0, 0, 0, 0, 1]), 2, [1, 1, 3], 1);
  const png = PNG.sync.read(readFileSync(path));
  assert.deepEqual([png.width, png.height], [5, 8]);
  assert.deepEqual(pixel(png, 2, 2), [255, 0, 0]);
  assert.deepEqual(pixel(png, 2, 5), [0, 0, 255]);
  assert.deepEqual(pixel(png, 0, 0), [128, 128, 128]);
  assert.throws(
    () => encodeImageGrid(new Float32Array(4), 2, [1, 1, 3], 1),
    /4 values for 2 images of 1x1x3/,
  );
});
