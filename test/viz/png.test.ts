/** Our PNG encoder against pngjs's decoder (an independent implementation of the format). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PNG } from "pngjs";
import { base64, encodePng } from "../../src/viz/png.ts";

test("gray, RGB and RGBA images decode to the same pixels with pngjs", () => {
  for (const channels of [1, 3, 4] as const) {
    const [w, h] = [7, 5];
    const pixels = Uint8Array.from(
      { length: w * h * channels },
      (_, i) => (i * 37 + channels) % 256,
    );
    const png = PNG.sync.read(Buffer.from(encodePng(pixels, w, h, channels)));
    assert.deepEqual([png.width, png.height], [w, h]);
    for (let p = 0; p < w * h; p++) {
      const rgba = Array.from(png.data.subarray(p * 4, p * 4 + 4));
      const want =
        channels === 1
          ? [pixels[p], pixels[p], pixels[p], 255]
          : channels === 3
            ? [...pixels.subarray(p * 3, p * 3 + 3), 255]
            : [...pixels.subarray(p * 4, p * 4 + 4)];
      assert.deepEqual(rgba, want, `channels ${channels}, pixel ${p}`);
    }
  }
  assert.throws(() => encodePng(new Uint8Array(5), 2, 2, 1), /5 bytes for a 2x2 image/);
});

test("base64 matches Node's for every length mod 3", () => {
  for (const n of [0, 1, 2, 3, 4, 5, 100]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 91 + 7) % 256);
    assert.equal(base64(bytes), Buffer.from(bytes).toString("base64"));
  }
});
