import assert from "node:assert/strict";
import { test } from "node:test";
import { PNG } from "pngjs";
import { escapeXml, svgDocument, svgImage, svgText } from "../../src/viz/svg.ts";

test("an embedded image is upscaled by whole factors, nearest neighbour, values clamped", () => {
  const image = Float32Array.from([0, 1, 0.5, 2]); // 2x2 gray
  const element = svgImage(image, [2, 2, 1], 5, 6, 6, 4);
  const data = /href="data:image\/png;base64,([^"]+)"/.exec(element)?.[1] as string;
  const png = PNG.sync.read(Buffer.from(data, "base64"));
  assert.deepEqual([png.width, png.height], [6, 4]);
  const gray = (x: number, y: number) => png.data[(y * 6 + x) * 4];
  assert.deepEqual([gray(0, 0), gray(2, 1), gray(3, 0), gray(5, 1)], [0, 0, 255, 255]);
  assert.deepEqual([gray(0, 2), gray(5, 3)], [128, 255]);
  assert.match(element, /x="5" y="6" width="6" height="4"/);
});

test("text is escaped and the document has its size", () => {
  assert.equal(escapeXml(`a<b & "c">`), "a&lt;b &amp; &quot;c&quot;&gt;");
  const doc = svgDocument(30, 20, [svgText(1, 2, "x<y", { anchor: "end" })]);
  assert.match(doc, /^<svg [^>]*width="30" height="20"/);
  assert.match(doc, /text-anchor="end"[^>]*>x&lt;y<\/text>/);
});
