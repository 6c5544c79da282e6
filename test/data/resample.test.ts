import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { centerCrop, resizeImage } from "../../src/data/resample.ts";

const fixture = JSON.parse(
  readFileSync(new URL("fixtures/resample.json", import.meta.url), "utf8"),
) as {
  cases: {
    mode: string;
    in: [number, number];
    out: [number, number];
    src: number[];
    expected: number[];
  }[];
};

test("area downsampling matches brute-force pixel overlap, bilinear upsampling matches torch (tools/golden/data_resample.py)", () => {
  for (const c of fixture.cases) {
    const got = resizeImage(Float32Array.from(c.src), c.in[0], c.in[1], 1, c.out[0], c.out[1]);
    assert.equal(got.length, c.expected.length);
    for (let i = 0; i < got.length; i++) {
      assert.ok(
        Math.abs(got[i] - c.expected[i]) < 1e-5,
        `${c.mode} ${c.in}->${c.out} at ${i}: ${got[i]} vs ${c.expected[i]}`,
      );
    }
  }
});

test("channels are resized independently and the crop is central", () => {
  // two channels: c0 = constant 1, c1 = column index
  const h = 4;
  const w = 6;
  const src = new Float32Array(h * w * 2);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) src.set([1, j], (i * w + j) * 2);
  const out = resizeImage(src, h, w, 2, 2, 3);
  for (let p = 0; p < 6; p++) assert.ok(Math.abs(out[p * 2] - 1) < 1e-6);
  assert.deepEqual(Array.from(out.filter((_, k) => k % 2 === 1).slice(0, 3)), [0.5, 2.5, 4.5]);
  const crop = centerCrop(src, h, w, 2, 2, 2);
  assert.deepEqual(Array.from(crop.filter((_, k) => k % 2 === 1)), [2, 3, 2, 3]);
});
