import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { zipSync } from "fflate";
import { DSPRITES_FILE, loadDspritesNpz } from "../../../src/data/datasets/dsprites-npz.ts";
import { encodeNpy, tempFolder, writeFiles } from "../helpers/files.ts";

// A miniature dSprites: shape 3 x scale 2 x orientation 2 x posX 2 x posY 2 = 48 images of 4x4.
const grid = [3, 2, 2, 2, 2];
const count = 48;
const levels = [
  [1, 2, 3],
  [0.5, 1],
  [0, 6.283185307179586],
  [0, 1],
  [0, 1],
];
function build(order: number[]) {
  const values: number[] = [];
  const classes: number[] = [];
  for (const i of order) {
    const digits = [
      Math.floor(i / 16) % 3,
      Math.floor(i / 8) % 2,
      Math.floor(i / 4) % 2,
      Math.floor(i / 2) % 2,
      i % 2,
    ];
    values.push(1, ...digits.map((d, f) => levels[f][d]));
    classes.push(0, ...digits);
  }
  // image i: pixel p is on when (i + p) % 3 === 0
  const pixels = Array.from({ length: count * 16 }, (_, k) =>
    (Math.floor(k / 16) + (k % 16)) % 3 === 0 ? 1 : 0,
  );
  return { values, classes, pixels };
}

function writeNpz(root: string, order: number[], members?: Record<string, Uint8Array>) {
  const { values, classes, pixels } = build(order);
  const zip = zipSync(
    members ?? {
      "imgs.npy": encodeNpy("|u1", [count, 4, 4], pixels),
      "latents_values.npy": encodeNpy("<f8", [count, 6], values),
      "latents_classes.npy": encodeNpy("<i8", [count, 6], classes),
    },
    { level: 6 },
  );
  writeFiles(root, { [DSPRITES_FILE]: zip });
  return zip;
}

const identity = Array.from({ length: count }, (_, i) => i);

test("reads images (bit-packed), factors and grid from an npz in the dSprites layout", () => {
  const root = tempFolder("dsprites");
  writeNpz(root, identity);
  const ds = loadDspritesNpz({ root });
  assert.equal(ds.count, count);
  assert.deepEqual(ds.imageShape, [4, 4, 1]);
  assert.deepEqual(ds.grid, grid);
  assert.deepEqual(
    ds.factors.map((f) => f.name),
    ["shape", "scale", "orientation", "posX", "posY"],
  );
  assert.deepEqual(ds.factors[0].labels, ["square", "ellipse", "heart"]);
  assert.deepEqual(ds.notes, []);
  const images = ds.readBatch([0, 47, 5]);
  [0, 47, 5].forEach((i, b) => {
    for (let p = 0; p < 16; p++)
      assert.equal(images[b * 16 + p], (i + p) % 3 === 0 ? 1 : 0, `image ${i} pixel ${p}`);
  });
});

test("shuffled latents are not reported as a grid", () => {
  const root = tempFolder("dsprites-shuffled");
  writeNpz(root, [...identity].reverse());
  const ds = loadDspritesNpz({ root: join(root, DSPRITES_FILE) });
  assert.equal(ds.grid, undefined);
});

test("truncated, corrupt and incomplete npz files give clear errors", () => {
  const root = tempFolder("dsprites-bad");
  const zip = writeNpz(root, identity);
  writeFiles(root, { "cut.npz": zip.slice(0, zip.length - 200) });
  assert.throws(() => loadDspritesNpz({ root: join(root, "cut.npz") }), /cut\.npz: /);
  writeFiles(root, { "text.npz": "not a zip at all" });
  assert.throws(
    () => loadDspritesNpz({ root: join(root, "text.npz") }),
    /text\.npz: not a zip\/npz file/,
  );
  const { values } = build(identity);
  const partial = tempFolder("dsprites-partial");
  writeNpz(partial, identity, { "latents_values.npy": encodeNpy("<f8", [count, 6], values) });
  assert.throws(
    () => loadDspritesNpz({ root: partial }),
    /has no 'imgs' array \(members: latents_values\.npy\)/,
  );
  const short = tempFolder("dsprites-short");
  writeNpz(short, identity, {
    "imgs.npy": encodeNpy("|u1", [count - 1, 4, 4], new Uint8Array((count - 1) * 16)),
    "latents_values.npy": encodeNpy("<f8", [count, 6], values),
  });
  assert.throws(
    () => loadDspritesNpz({ root: short }),
    /imgs\.npy: expected C-ordered uint8 images of shape \(48, h, w\)/,
  );
});
