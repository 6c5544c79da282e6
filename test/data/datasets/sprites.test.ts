import assert from "node:assert/strict";
import { test } from "node:test";
import { loadSprites } from "../../../src/data/datasets/sprites.ts";

test("full default grid has the dSprites size, factor order and row-major index order", () => {
  const ds = loadSprites();
  assert.equal(ds.count, 737280);
  assert.deepEqual(ds.imageShape, [64, 64, 1]);
  assert.deepEqual(ds.grid, [3, 6, 40, 32, 32]);
  assert.deepEqual(
    ds.factors.map((f) => f.name),
    ["shape", "scale", "orientation", "posX", "posY"],
  );
  assert.deepEqual(ds.factors[0].labels, ["square", "ellipse", "heart"]);
  // image index of (shape 2, scale 3, orientation 17, posX 5, posY 30), written out by hand
  const index = 2 * 245760 + 3 * 40960 + 17 * 1024 + 5 * 32 + 30;
  const values = Array.from(ds.factorValues?.subarray(index * 5, index * 5 + 5) ?? []);
  const expected = [2, 0.5 + 0.3, (17 * 2 * Math.PI) / 39, 5 / 31, 30 / 31];
  values.forEach((v, f) => {
    assert.ok(Math.abs(v - expected[f]) < 1e-6, `factor ${f}: ${v} vs ${expected[f]}`);
  });
  assert.deepEqual(
    Array.from(ds.factorIndices?.subarray(index * 5, index * 5 + 5) ?? []),
    [2, 3, 17, 5, 30],
  );
});

const pixelsOn = (img: Float32Array) => img.reduce((n, v) => n + v, 0);

function moments(img: Float32Array, size: number) {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let minX = size;
  let maxX = -1;
  let minY = size;
  let maxY = -1;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      if (img[i * size + j] === 1) {
        n++;
        sx += j + 0.5;
        sy += i + 0.5;
        minX = Math.min(minX, j);
        maxX = Math.max(maxX, j);
        minY = Math.min(minY, i);
        maxY = Math.max(maxY, i);
      }
    }
  }
  return { n, cx: sx / n, cy: sy / n, width: maxX - minX + 1, height: maxY - minY + 1 };
}

test("small grid: binary images, documented placement, areas and rotation", () => {
  const size = 64;
  const ds = loadSprites({ positions: 3, scales: 2, orientations: 5 }); // orientations 0, pi/2, pi, 3pi/2, 2pi
  assert.equal(ds.count, 3 * 2 * 5 * 3 * 3);
  const at = (shape: number, scale: number, o: number, x: number, y: number) =>
    (((shape * 2 + scale) * 5 + o) * 3 + x) * 3 + y;
  const one = (i: number) => ds.readBatch([i]);
  for (const v of one(at(2, 1, 1, 0, 2))) assert.ok(v === 0 || v === 1);
  // centre of a square at posX = 0, posY = 1: (0.16 S, 0.84 S) by the documented geometry
  const square = moments(one(at(0, 1, 0, 0, 2)), size);
  assert.ok(
    Math.abs(square.cx - 0.16 * size) < 0.6 && Math.abs(square.cy - 0.84 * size) < 0.6,
    JSON.stringify(square),
  );
  // areas against closed forms, radius r = 0.16 S: square 2 r^2, ellipse pi r^2 / 2
  const r = 0.16 * size;
  assert.ok(Math.abs(square.n - 2 * r * r) / (2 * r * r) < 0.08, `square area ${square.n}`);
  const ellipse = moments(one(at(1, 1, 0, 1, 1)), size);
  assert.ok(
    Math.abs(ellipse.n - (Math.PI * r * r) / 2) / ((Math.PI * r * r) / 2) < 0.08,
    `ellipse area ${ellipse.n}`,
  );
  // the ellipse lies along x at orientation 0 and along y after a quarter turn
  const turned = moments(one(at(1, 1, 1, 1, 1)), size);
  assert.ok(ellipse.width > 1.7 * ellipse.height && turned.height > 1.7 * turned.width);
  // scale 0.5: side r (area 2 (r/2)^2), up to half a pixel per unit of perimeter off
  const small = moments(one(at(0, 0, 0, 1, 1)), size);
  const side = Math.SQRT2 * (r / 2);
  assert.ok(
    Math.abs(small.n - side * side) <= 2 * side + 1,
    `small square area ${small.n} vs ${side * side}`,
  );
  // nothing is clipped: every shape and turn has the same area in a corner as in the centre
  for (let shape = 0; shape < 3; shape++) {
    for (let o = 0; o < 5; o++) {
      const centre = pixelsOn(one(at(shape, 1, o, 1, 1)));
      for (const [x, y] of [
        [0, 0],
        [2, 0],
        [0, 2],
        [2, 2],
      ]) {
        assert.ok(
          Math.abs(pixelsOn(one(at(shape, 1, o, x, y))) - centre) <= 0.06 * centre,
          `shape ${shape} o ${o} at ${x},${y}`,
        );
      }
    }
  }
});

test("32x32 option and bad indices", () => {
  const ds = loadSprites({ size: 32, positions: 4 });
  assert.deepEqual(ds.imageShape, [32, 32, 1]);
  assert.equal(ds.count, 3 * 6 * 40 * 4 * 4);
  assert.equal(ds.readBatch([0, ds.count - 1]).length, 2 * 1024);
  assert.throws(() => ds.readBatch([ds.count]), /outside \[0, 11520\)/);
  assert.throws(() => loadSprites({ positions: 0 }), /positions must be a positive whole number/);
});
