import assert from "node:assert/strict";
import { test } from "node:test";
import type { Dataset } from "../../src/data/dataset.ts";
import { loadColoredShapes } from "../../src/data/datasets/colored-shapes.ts";
import { factorsFromValues } from "../../src/data/factors.ts";
import { TripletSampler } from "../../src/data/triplets.ts";

/** A synthetic face set: subject (categorical) x azimuth (continuous), no images needed. */
function faces(): Dataset {
  const values: number[] = [];
  for (let s = 1; s <= 5; s++) for (const a of [-60, -20, 0, 10, 45, 90]) values.push(s, a);
  const tables = factorsFromValues(
    [
      { name: "identity", kind: "categorical" },
      { name: "azimuth", kind: "continuous" },
    ],
    Float32Array.from(values),
  );
  return {
    name: "faces",
    count: 30,
    imageShape: [1, 1, 1],
    ...tables,
    skipped: [],
    readBatch: () => new Float32Array(0),
  };
}

test("every triplet is valid for its query (brute-force check), reproducible per step", () => {
  const ds = faces();
  const v = (i: number, f: number) => ds.factorValues?.[i * 2 + f] as number;
  const sampler = new TripletSampler(
    ds,
    [{ factors: ["identity"] }, { factors: ["azimuth"], margin: 15 }],
    { seed: 3 },
  );
  const t = sampler.sample(400, 7);
  for (let k = 0; k < 400; k++) {
    const [a, b, c] = [t.anchor[k], t.positive[k], t.negative[k]];
    assert.ok(a !== b && a !== c);
    if (t.query[k] === 0) assert.ok(v(a, 0) === v(b, 0) && v(a, 0) !== v(c, 0));
    else assert.ok(Math.abs(v(a, 1) - v(b, 1)) + 15 < Math.abs(v(a, 1) - v(c, 1)));
  }
  assert.equal(t.query.filter((q) => q === 0).length, 200);
  assert.deepEqual(sampler.sample(400, 7), t);
  assert.notDeepEqual(sampler.sample(400, 8).anchor, t.anchor);
});

test("categorical draws cover all valid anchors and negatives", () => {
  const sampler = new TripletSampler(faces(), [{ factors: ["identity"] }], { seed: 1 });
  const t = sampler.sample(3000, 0);
  assert.equal(new Set(t.anchor).size, 30);
  assert.equal(new Set(t.negative).size, 30);
});

test("held-out subjects never appear; multi-factor categorical queries", () => {
  const ds = faces();
  const sampler = new TripletSampler(ds, [{ factors: ["identity"] }], {
    seed: 1,
    holdOut: { factor: "identity", values: [2, 5] },
  });
  assert.equal(sampler.heldOut.length, 12);
  const t = sampler.sample(500, 0);
  for (const i of [...t.anchor, ...t.positive, ...t.negative])
    assert.ok(![2, 5].includes(ds.factorValues?.[i * 2] as number));
  const shapes = loadColoredShapes({ size: 4, positions: 2, scales: 1 });
  const k = shapes.factors.length;
  const both = new TripletSampler(shapes, [{ factors: ["shape", "color"] }], { seed: 2 }).sample(
    300,
    1,
  );
  for (let n = 0; n < 300; n++) {
    const key = (i: number) =>
      `${shapes.factorValues?.[i * k]},${shapes.factorValues?.[i * k + 1]}`;
    assert.equal(key(both.anchor[n]), key(both.positive[n]));
    assert.notEqual(key(both.anchor[n]), key(both.negative[n]));
  }
});

test("impossible queries fail with a clear message", () => {
  const ds = faces();
  assert.throws(
    () => new TripletSampler(ds, [{ factors: ["identity", "azimuth"] }], { seed: 0 }),
    /mixes categorical and continuous/,
  );
  assert.throws(
    () =>
      new TripletSampler(ds, [{ factors: ["azimuth"], margin: 1000 }], { seed: 0 }).sample(1, 0),
    /no valid triplet in 1000 draws/,
  );
  assert.throws(
    () => new TripletSampler(ds, [{ factors: ["pose"] }], { seed: 0 }),
    /has no factor 'pose'/,
  );
});
